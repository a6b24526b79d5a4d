"""Family trees and an explicit kinship solver.

A family is a set of people with a gender, at most one spouse and either no parents in
the tree or exactly one married couple as parents (so siblings share both parents and
nobody has step-relations). Seen as a graph whose edges are "parent", "child" and
"spouse" steps, every couple and its children form a small cluster and the clusters form
a tree, so the shortest chain of steps from ``y`` to ``x`` is unique up to choosing the
mother or the father, and its step word (``PPC``: a parent's parent's child) names how
``x`` is related to ``y`` (:data:`KIN`).
"""

from __future__ import annotations

from dataclasses import dataclass
from random import Random

FEMALE_NAMES = [
    "Abigail",
    "Ada",
    "Alice",
    "Amelia",
    "Anna",
    "Beatrice",
    "Bella",
    "Clara",
    "Daisy",
    "Delia",
    "Edith",
    "Elena",
    "Eliza",
    "Emma",
    "Esther",
    "Fiona",
    "Flora",
    "Freya",
    "Gemma",
    "Greta",
    "Hannah",
    "Hazel",
    "Helen",
    "Irene",
    "Isla",
    "Ivy",
    "Jane",
    "Julia",
    "Lena",
    "Lucy",
    "Mabel",
    "Maria",
    "Martha",
    "Maya",
    "Nadia",
    "Nina",
    "Nora",
    "Olive",
    "Paula",
    "Petra",
    "Rosa",
    "Ruth",
    "Sara",
    "Stella",
    "Tessa",
    "Una",
    "Vera",
    "Violet",
    "Wendy",
    "Yara",
    "Zara",
    "Zoe",
]
MALE_NAMES = [
    "Aaron",
    "Adam",
    "Albert",
    "Alan",
    "Arthur",
    "Ben",
    "Brian",
    "Caleb",
    "Carl",
    "Daniel",
    "Dennis",
    "Edgar",
    "Edwin",
    "Felix",
    "Frank",
    "George",
    "Gordon",
    "Harold",
    "Henry",
    "Hugo",
    "Ian",
    "Isaac",
    "Ivan",
    "Jack",
    "James",
    "Jonas",
    "Karl",
    "Kevin",
    "Leo",
    "Louis",
    "Mark",
    "Martin",
    "Nathan",
    "Neil",
    "Oscar",
    "Owen",
    "Paul",
    "Peter",
    "Ralph",
    "Robert",
    "Roman",
    "Samuel",
    "Simon",
    "Theo",
    "Tobias",
    "Victor",
    "Walter",
    "Xavier",
    "Yusuf",
    "Zack",
]

# step word from y to x -> (x's relation to y if x is female, if male, what the word means)
KIN: dict[str, tuple[str, str, str]] = {
    "P": ("mother", "father", "a parent"),
    "C": ("daughter", "son", "a child"),
    "S": ("wife", "husband", "the spouse"),
    "PC": ("sister", "brother", "a parent's child: a sibling"),
    "PP": ("grandmother", "grandfather", "a parent's parent"),
    "CC": ("granddaughter", "grandson", "a child's child"),
    "PPP": ("great-grandmother", "great-grandfather", "a grandparent's parent"),
    "CCC": ("great-granddaughter", "great-grandson", "a grandchild's child"),
    "PPC": ("aunt", "uncle", "a parent's sibling"),
    "PPCS": ("aunt", "uncle", "the spouse of a parent's sibling"),
    "PCC": ("niece", "nephew", "a sibling's child"),
    "SPCC": ("niece", "nephew", "a child of the spouse's sibling"),
    "PPCC": ("cousin", "cousin", "a child of a parent's sibling"),
    "SP": ("mother-in-law", "father-in-law", "the spouse's parent"),
    "CS": ("daughter-in-law", "son-in-law", "a child's spouse"),
    "SPC": ("sister-in-law", "brother-in-law", "the spouse's sibling"),
    "PCS": ("sister-in-law", "brother-in-law", "a sibling's spouse"),
}
LABELS: tuple[str, ...] = tuple(
    dict.fromkeys(label for f, m, _ in KIN.values() for label in (f, m))
)
"""Every relation word an answer may use (27)."""
GREAT = frozenset(label for label in LABELS if label.startswith("great-"))
_STEP_WORDS = {"P": ("mother", "father"), "C": ("daughter", "son"), "S": ("wife", "husband")}


@dataclass(frozen=True)
class Family:
    """People ``0..n-1``: ``female[i]``, ``parents[i]`` (``[]`` or ``[mother, father]``),
    ``spouse[i]`` (-1 when unmarried)."""

    female: list[bool]
    parents: list[list[int]]
    spouse: list[int]

    def children(self) -> list[list[int]]:
        kids: list[list[int]] = [[] for _ in self.female]
        for child, pair in enumerate(self.parents):
            for parent in pair:
                kids[parent].append(child)
        return kids

    def couples(self) -> list[tuple[int, int]]:
        """(wife, husband) pairs in index order of the wife."""
        return [(w, h) for w, h in enumerate(self.spouse) if h >= 0 and self.female[w]]

    def to_payload(self) -> dict[str, list]:
        return {
            "female": list(self.female),
            "parents": [list(p) for p in self.parents],
            "spouse": list(self.spouse),
        }

    @classmethod
    def from_payload(cls, payload: dict) -> Family:
        return cls(payload["female"], payload["parents"], payload["spouse"])


def label_of(family: Family, word: str, x: int) -> str | None:
    """The relation word ``x`` has when the step word from ``y`` to ``x`` is ``word``."""
    kin = KIN.get(word)
    return None if kin is None else kin[0 if family.female[x] else 1]


def step_name(family: Family, step: str, v: int) -> str:
    """How ``v`` is named from the person before it on a chain (``mother``, ``son``...)."""
    return _STEP_WORDS[step][0 if family.female[v] else 1]


def chains_from(
    family: Family, y: int, kids: list[list[int]] | None = None
) -> tuple[list[int], list[str], int]:
    """Breadth-first search from ``y`` over parent (P), child (C) and spouse (S) steps:
    (previous person on a shortest chain, step word of that chain, people expanded)."""
    kids = kids if kids is not None else family.children()
    n = len(family.female)
    prev, word, seen = [-1] * n, [""] * n, [False] * n
    seen[y] = True
    queue, head = [y], 0
    while head < len(queue):
        u = queue[head]
        head += 1
        steps = [("P", p) for p in family.parents[u]] + [("C", c) for c in kids[u]]
        if family.spouse[u] >= 0:
            steps.append(("S", family.spouse[u]))
        for step, v in steps:
            if not seen[v]:
                seen[v], prev[v], word[v] = True, u, word[u] + step
                queue.append(v)
    return prev, word, head


def relation(family: Family, x: int, y: int) -> str | None:
    """What ``x`` is to ``y`` ("mother", "cousin"...), or None when no word in
    :data:`LABELS` fits."""
    _, word, _ = chains_from(family, y)
    return label_of(family, word[x], x) if x != y else None


def chain(prev: list[int], x: int) -> list[int]:
    """The people from ``y`` (where the search started) to ``x``."""
    path = [x]
    while prev[path[-1]] >= 0:
        path.append(prev[path[-1]])
    return path[::-1]


def grow(rng: Random, people: int, generations: int, max_children: int) -> Family:
    """A random family of ``people`` over ``generations`` generations: a founding couple,
    then a spine couple per generation down to a child in the last one, then random
    children of couples above the last generation and outside spouses for married-in
    in-laws (people that cannot be added any more stop the growth early)."""
    female: list[bool] = []
    parents: list[list[int]] = []
    spouse: list[int] = []
    gen: list[int] = []
    kids: list[int] = []

    def add(is_female: bool, pair: list[int], g: int) -> int:
        female.append(is_female)
        parents.append(pair)
        spouse.append(-1)
        gen.append(g)
        kids.append(0)
        return len(female) - 1

    def marry(v: int) -> int:
        w = add(not female[v], [], gen[v])
        spouse[v], spouse[w] = w, v
        return w

    def couple_of(v: int) -> list[int]:
        return [v, spouse[v]] if female[v] else [spouse[v], v]

    first = add(True, [], 0)
    marry(first)
    v = first
    for g in range(1, generations):
        child = add(rng.random() < 0.5, couple_of(v), g)
        kids[v] += 1
        if g < generations - 1:
            marry(child)
        v = child
    while len(female) < people:
        parents_ok = [
            u
            for u in range(len(female))
            if female[u] and spouse[u] >= 0 and gen[u] < generations - 1 and kids[u] < max_children
        ]
        singles = [u for u in range(len(female)) if spouse[u] < 0 and parents[u]]
        if not parents_ok and not singles:
            break
        if parents_ok and (not singles or rng.random() < 0.7):
            mother = rng.choice(parents_ok)
            add(rng.random() < 0.5, couple_of(mother), gen[mother] + 1)
            kids[mother] += 1
        else:
            marry(rng.choice(singles))
    return Family(female, parents, spouse)
