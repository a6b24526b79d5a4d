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


class _Tree:
    """A family under construction, with the slots growth draws from: mothers of couples
    above the last generation (``open``) and people with parents (``singles``). Entries
    that have filled up (a mother with ``max_children``, a single who married) are
    dropped lazily when drawn, so every draw is uniform over the slots still free."""

    __slots__ = (
        "female",
        "parents",
        "spouse",
        "gen",
        "kids",
        "last_gen",
        "max_children",
        "open",
        "singles",
    )

    def __init__(self, generations: int, max_children: int) -> None:
        self.female: list[bool] = []
        self.parents: list[list[int]] = []
        self.spouse: list[int] = []
        self.gen: list[int] = []
        self.kids: list[int] = []
        self.last_gen, self.max_children = generations - 1, max_children
        self.open: list[int] = []
        self.singles: list[int] = []

    def add(self, is_female: bool, pair: list[int], g: int) -> int:
        v = len(self.female)
        self.female.append(is_female)
        self.parents.append(pair)
        self.spouse.append(-1)
        self.gen.append(g)
        self.kids.append(0)
        if pair:
            self.singles.append(v)
            self.kids[pair[0]] += 1
        return v

    def marry(self, v: int) -> int:
        w = self.add(not self.female[v], [], self.gen[v])
        self.spouse[v], self.spouse[w] = w, v
        if self.gen[v] < self.last_gen:
            self.open.append(v if self.female[v] else w)
        return w

    def couple_of(self, v: int) -> list[int]:
        return [v, self.spouse[v]] if self.female[v] else [self.spouse[v], v]

    def add_parents(self, v: int) -> None:
        mother = self.add(True, [], self.gen[v] - 1)
        self.marry(mother)
        self.parents[v] = self.couple_of(mother)
        self.kids[mother] += 1
        self.singles.append(v)

    def fill(self, rng: Random, people: int) -> None:
        """Random children of open couples (7 in 10 draws) and outside spouses for
        singles until ``people`` (or no slot is left). Every addition hangs a new leaf
        off the tree of couples, so no chain between earlier people gets shorter."""
        rand, kids, spouse, female = rng.random, self.kids, self.spouse, self.female
        mothers, singles, full = self.open, self.singles, self.max_children
        while len(female) < people:
            if mothers and (not singles or rand() < 0.7):
                i = int(rand() * len(mothers))
                mother = mothers[i]
                if kids[mother] >= full:
                    mothers[i] = mothers[-1]
                    mothers.pop()
                    continue
                self.add(rand() < 0.5, [mother, spouse[mother]], self.gen[mother] + 1)
            elif singles:
                i = int(rand() * len(singles))
                single = singles[i]
                singles[i] = singles[-1]
                singles.pop()
                if spouse[single] < 0:
                    self.marry(single)
            else:
                break

    def family(self) -> Family:
        return Family(self.female, self.parents, self.spouse)


def grow(rng: Random, people: int, generations: int, max_children: int) -> Family:
    """A random family of ``people`` over ``generations`` generations: a founding couple,
    then a spine couple per generation down to a child in the last one, then random
    children of couples above the last generation and outside spouses for married-in
    in-laws (people that cannot be added any more stop the growth early)."""
    tree = _Tree(generations, max_children)
    v = tree.add(True, [], 0)
    tree.marry(v)
    for g in range(1, generations):
        v = tree.add(rng.random() < 0.5, tree.couple_of(v), g)
        if g < generations - 1:
            tree.marry(v)
    tree.fill(rng, people)
    return tree.family()


def _shape(word: str) -> tuple[int, int, int]:
    """(lowest, highest generation relative to y, most people) of a chain of steps: a
    P step adds two people, a C step a child and maybe a partner, an S step one."""
    rel, low, high = 0, 0, 0
    for step in word:
        rel += {"P": -1, "C": 1, "S": 0}[step]
        low, high = min(low, rel), max(high, rel)
    return low, high, len(word) + 1 + word.count("P") + word.count("C")


_SHAPES = {word: _shape(word) for word in KIN}


def plant(
    rng: Random, word: str, x_female: bool, people: int, generations: int, max_children: int
) -> tuple[Family, int, int]:
    """A random family holding a pair (x, y) whose shortest chain from ``y`` to ``x`` is
    ``word`` (x of the given gender): the chain is built first, at a random generation
    that fits (and keeps the chain with its ancestry within ``people`` where it can),
    its top person gets ancestors up to the first generation, then :meth:`_Tree.fill`
    adds random relatives. Returns (family, x, y).

    Each step adds new people only (a P step gives a parentless person new parents, a C
    step a new child, an S step a new spouse), so the couples still form a tree and the
    chain is the only shortest one up to mother-or-father (see the module docstring)."""
    rand = rng.random
    k = len(word)
    female: list[bool] = [False] * (k + 1)
    female[k] = x_female
    for i in range(k, 0, -1):
        female[i - 1] = (not female[i]) if word[i - 1] == "S" else rand() < 0.5
    low, high, size = _SHAPES[word]
    starts = [g for g in range(-low, generations - high) if size + 2 * (g + low) <= people]
    starts = starts or [-low]
    start = starts[int(rand() * len(starts))]
    tree = _Tree(generations, max_children)
    y = u = tree.add(female[0], [], start)
    for i, step in enumerate(word, 1):
        if step == "P":
            tree.add_parents(u)
            u = tree.parents[u][0 if female[i] else 1]
        elif step == "C":
            if tree.spouse[u] < 0:
                tree.marry(u)
            u = tree.add(female[i], tree.couple_of(u), tree.gen[u] + 1)
        else:
            u = tree.marry(u)
    gens = tree.gen
    top = gens.index(min(gens))
    while tree.gen[top] > 0:
        if tree.spouse[top] >= 0 and rand() < 0.5:
            top = tree.spouse[top]
        tree.add_parents(top)
        top = tree.parents[top][0 if rand() < 0.5 else 1]
    tree.fill(rng, people)
    return tree.family(), u, y
