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

from functools import cache
from typing import NamedTuple

from generators.hashrandom import Word, pick_word

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


class Family(NamedTuple):
    """People ``0..n-1``: ``female[i]``, ``parents[i]`` (``[]`` or ``[mother, father]``),
    ``spouse[i]`` (-1 when unmarried). A named tuple: made once per problem, it is the
    cheapest immutable record."""

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


HALF = 1 << 63
"""A word below this: a fair coin."""
CHILD_SHARE = int(0.7 * 2**64)
"""A fill word below this adds a child, above it a spouse (when both are possible)."""
_LOW = (1 << 32) - 1


Template = tuple[list[bool], list[list[int]], list[int], list[int], list[int], list[int], list[int]]
"""A tree's female, parents, spouse, gen, kids, open and singles lists."""


class _Tree:
    """A family under construction, with the slots growth draws from: mothers of couples
    above the last generation (``open``) and people with parents (``singles``); :func:`_fill`
    skips the mothers with a full house and the singles who married since."""

    __slots__ = (
        "female",
        "parents",
        "spouse",
        "gen",
        "kids",
        "last_gen",
        "open",
        "singles",
    )

    def __init__(self, generations: int) -> None:
        self.female: list[bool] = []
        self.parents: list[list[int]] = []
        self.spouse: list[int] = []
        self.gen: list[int] = []
        self.kids: list[int] = []
        self.last_gen = generations - 1
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

    def lists(self) -> Template:
        return (
            self.female,
            self.parents,
            self.spouse,
            self.gen,
            self.kids,
            self.open,
            self.singles,
        )


def _fill(word: Word, lists: Template, people: int, last: int, full: int) -> None:
    """Random children of open couples (7 in 10 draws) and outside spouses for singles of
    a tree's ``lists`` until ``people`` (or no slot is left); ``last`` is the last
    generation (no children there), ``full`` the most children of a couple. Every addition
    hangs a new leaf off the tree of couples, so no chain between earlier people gets
    shorter.

    One word per person added: its high bits pick the kind of addition (below
    ``CHILD_SHARE`` a child), its low 32 bits the mother or the single, its bit 32 a child's
    gender (each independent of the others up to 2**-30; small shifts and products, no
    division of 64-bit numbers). Full mothers and married singles leave their lists at
    once, so no draw is spent on them. The ``open`` and ``singles`` lists are read, not
    changed. Inlined (no ``add``): this loop is most of a large family's cost."""
    female, parents, spouse, gen, kids, open_mothers, open_singles = lists
    mothers = [m for m in open_mothers if kids[m] < full]
    singles = [v for v in open_singles if spouse[v] < 0]
    n = len(female)
    while n < people and (mothers or singles):
        u = word()
        if singles and (not mothers or u >= CHILD_SHARE):
            i = (u & _LOW) * len(singles) >> 32
            single = singles[i]
            singles[i] = singles[-1]
            singles.pop()
            female.append(not female[single])
            parents.append([])
            spouse.append(single)
            spouse[single] = n
            g = gen[single]
            gen.append(g)
            if g < last:
                mothers.append(single if female[single] else n)
        else:
            i = (u & _LOW) * len(mothers) >> 32
            mother = mothers[i]
            female.append(u >> 32 & 1 == 1)
            parents.append([mother, spouse[mother]])
            spouse.append(-1)
            gen.append(gen[mother] + 1)
            singles.append(n)
            kids[mother] += 1
            if kids[mother] == full:
                mothers[i] = mothers[-1]
                mothers.pop()
        kids.append(0)
        n += 1


def grow(word: Word, people: int, generations: int, max_children: int) -> Family:
    """A random family of ``people`` over ``generations`` generations: a founding couple,
    then a spine couple per generation down to a child in the last one, then random
    children of couples above the last generation and outside spouses for married-in
    in-laws (people that cannot be added any more stop the growth early)."""
    tree = _Tree(generations)
    v = tree.add(True, [], 0)
    tree.marry(v)
    for g in range(1, generations):
        v = tree.add(word() < HALF, tree.couple_of(v), g)
        if g < generations - 1:
            tree.marry(v)
    _fill(word, tree.lists(), people, generations - 1, max_children)
    return Family(tree.female, tree.parents, tree.spouse)


def _shape(word: str) -> tuple[int, int, int]:
    """(lowest, highest generation relative to y, most people) of a chain of steps: a
    P step adds two people, a C step a child and maybe a partner, an S step one."""
    rel, low, high = 0, 0, 0
    for step in word:
        rel += {"P": -1, "C": 1, "S": 0}[step]
        low, high = min(low, rel), max(high, rel)
    return low, high, len(word) + 1 + word.count("P") + word.count("C")


_SHAPES = {word: _shape(word) for word in KIN}


@cache
def _starts(steps: str, generations: int, people: int) -> tuple[int, ...]:
    """The generations ``y`` may stand in: the chain fits the generations and, where it can,
    the chain with its ancestry fits ``people``."""
    low, high, size = _SHAPES[steps]
    starts = [g for g in range(-low, generations - high) if size + 2 * (g + low) <= people]
    return tuple(starts or [-low])


@cache
def _chain(
    steps: str, x_female: bool, coins: int, start: int, generations: int
) -> tuple[Template, int, int, int]:
    """The chain ``steps`` from ``y`` (in generation ``start``) to ``x``: (tree lists, the
    chain's top person, x, y). At most a few hundred per number of generations (steps,
    genders, starts), so each is built once. ``coins`` holds a gender per step, lowest
    bit first (unused on spouse steps, where the gender is the other one)."""
    k = len(steps)
    female: list[bool] = [False] * (k + 1)
    female[k] = x_female
    for i in range(k, 0, -1):
        female[i - 1] = (not female[i]) if steps[i - 1] == "S" else bool(coins >> (i - 1) & 1)
    tree = _Tree(generations)
    y = u = tree.add(female[0], [], start)
    for i, step in enumerate(steps, 1):
        if step == "P":
            tree.add_parents(u)
            u = tree.parents[u][0 if female[i] else 1]
        elif step == "C":
            if tree.spouse[u] < 0:
                tree.marry(u)
            u = tree.add(female[i], tree.couple_of(u), tree.gen[u] + 1)
        else:
            u = tree.marry(u)
    return tree.lists(), tree.gen.index(min(tree.gen)), u, y


def _climb(lists: Template, top: int, coins: int) -> None:
    """Ancestors of ``top`` up to the first generation: per generation a couple, parents of
    ``top``, and two coins of ``coins`` (lowest first): whether the line goes on through
    ``top``'s spouse, then whether the mother or the father is the next ``top``.
    :meth:`_Tree.add_parents` inlined."""
    female, parents, spouse, gen, kids, open_mothers, singles = lists
    while gen[top] > 0:
        if spouse[top] >= 0 and coins & 1:
            top = spouse[top]
        mother, g = len(female), gen[top] - 1
        father = mother + 1
        female += (True, False)
        parents += ([], [])
        spouse += (father, mother)
        gen += (g, g)
        kids += (1, 0)
        parents[top] = [mother, father]
        open_mothers.append(mother)
        singles.append(top)
        top = mother if coins & 2 else father
        coins >>= 2


Root = tuple[Template, int, int, int, int]
"""A planted chain before the family grows around it (:func:`root`): its tree's lists
(cached: copy before changing them), its top person, the coins left for the climb, x, y."""


def root(word: Word, steps: str, x_female: bool, people: int, generations: int) -> Root:
    """The chain ``steps`` from ``y`` to ``x`` (x of the given gender) at a random generation
    that fits (and keeps the chain with its ancestry within ``people`` where it can): one
    word holds a gender per step, lowest bits first, and the coins of :func:`_climb`, one
    more picks the generation. :func:`grow_from` then grows the family around it.

    Each step adds new people only (a P step gives a parentless person new parents, a C
    step a new child, an S step a new spouse), so the couples still form a tree and the
    chain is the only shortest one up to mother-or-father (see the module docstring)."""
    coins, k = word(), len(steps)
    start = pick_word(word, _starts(steps, generations, people))
    lists, top, x, y = _chain(steps, x_female, coins & ((1 << k) - 1), start, generations)
    return lists, top, coins >> k, x, y


def grow_from(
    word: Word, planted: Root, people: int, generations: int, max_children: int
) -> Family:
    """The family around a planted chain: its top person's ancestors up to the first
    generation (:func:`_climb`), then random relatives (:func:`_fill`)."""
    lists, top, coins, _, _ = planted
    female, parents, spouse, gen, kids, open_mothers, singles = lists
    female, parents, spouse = female.copy(), list(map(list.copy, parents)), spouse.copy()
    grown = (female, parents, spouse, gen.copy(), kids.copy(), open_mothers[:], singles[:])
    _climb(grown, top, coins)
    _fill(word, grown, people, generations - 1, max_children)
    return Family(female, parents, spouse)
