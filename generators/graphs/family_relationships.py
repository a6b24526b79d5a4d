"""Family relationships: how is one person of a described family related to another?

The relation word is drawn first (evenly over the words the level's number of generations
allows, by :func:`balanced_choice`), then one chain of steps that gives it (an aunt is a
parent's sister or a parent's brother's wife); the family is built around that chain
(:func:`kinship.root`: the chain; :func:`kinship.grow_from`: its ancestors, then random
relatives), so no tree is ever drawn in vain. The family is told in one of three phrasings
(couples with their children in the order of their names, one fact per line, possessive
sentences) in shuffled order, mixed with distractor facts about friends and neighbours.
Every choice is drawn from the problem's :class:`~generators.hashrandom.HashRandom` as
64-bit words (:func:`~generators.hashrandom.words`); the chain and its ancestry come from
a cache (:func:`kinship._chain`), so a draw costs only the relatives around them, and
where a word holds several choices (who is named first in each sentence of a kind, a
distractor pair with its sentence) its bits are split. (Of 5,000 level-1 problems, 29%
repeat the structure of another with a family of eight; six would make it 82%, ten 2%.)
The reference solver searches outward from the second person through parent, child and
spouse steps and names the shortest chain (:mod:`.kinship`).

Growing the family around the chain and telling it (:func:`_tell`: relatives, names,
sentences, distractors, shuffle) was most of a problem's time in Python; where it was
compiled, the C kernel ``_family.c`` does it instead (:func:`_tell_native`), drawing the
same words from the same stream and writing from the same tables of sentence pieces, so
the problems are byte-identical either way (``tests/test_native_kernels.py``).
"""

from __future__ import annotations

import re
from itertools import chain
from random import Random
from types import ModuleType
from typing import Any, ClassVar

from pydantic import Field

from generators.balanced import balanced_choice
from generators.base import AnswerFormatError, Instance, Solution, TaskConfig, config_cached
from generators.graphs import kinship as kin
from generators.graphs.task import GraphTask, assemble
from generators.hashrandom import Word, shuffle_words, words
from schemas.records import Problem

native: ModuleType | None
try:
    from generators.graphs import _family as native
except ImportError:  # not compiled (no compiler at install): the family is told in Python
    native = None

MAX_WORD_CHARS = 60
_LETTERS = re.compile(r"[a-z]+")
_BY_KEY = {label.replace("-", ""): label for label in kin.LABELS}
_WORDS_OF = {
    label: [word for word, (f, m, _) in kin.KIN.items() if label in (f, m)] for label in kin.LABELS
}
"""The step words behind each relation word ("aunt": a parent's sister, or the wife of a
parent's brother)."""
_LABEL_LIST = ", ".join(kin.LABELS)
_WORDS = kin.LABELS
_SHALLOW_WORDS = tuple(w for w in kin.LABELS if w not in kin.GREAT)
"""The relation words asked with fewer than four generations (no great-...)."""


class FamilyConfig(TaskConfig):
    people: int = Field(default=16, ge=6, le=40, description="people in the family")
    generations: int = Field(default=4, ge=3, le=5, description="generations in the tree")
    max_children: int = Field(default=3, ge=2, le=5, description="most children of a couple")
    distractors: int = Field(
        default=3, ge=0, le=20, description="facts about friends and neighbours (no kinship)"
    )


LEVELS: dict[int, dict[str, Any]] = {
    1: {"people": 8, "generations": 3, "max_children": 3, "distractors": 0},
    2: {"people": 10, "generations": 3, "max_children": 3, "distractors": 1},
    3: {"people": 12, "generations": 3, "max_children": 3, "distractors": 2},
    4: {"people": 14, "generations": 4, "max_children": 3, "distractors": 2},
    5: {"people": 16, "generations": 4, "max_children": 3, "distractors": 3},
    6: {"people": 19, "generations": 4, "max_children": 3, "distractors": 4},
    7: {"people": 22, "generations": 4, "max_children": 4, "distractors": 5},
    8: {"people": 25, "generations": 5, "max_children": 4, "distractors": 6},
    9: {"people": 28, "generations": 5, "max_children": 4, "distractors": 7},
    10: {"people": 32, "generations": 5, "max_children": 4, "distractors": 8},
}

INTROS = (
    "Read the following description of a family.",
    "Here is what we know about the members of one family.",
    "The statements below describe a family tree.",
)
CONVENTIONS = (
    "Conventions: siblings share both parents. An aunt or uncle is a parent's sibling or the "
    "spouse of a parent's sibling; a niece or nephew is a sibling's child or a child of one's "
    "spouse's sibling; a cousin is a child of a parent's sibling; a brother-in-law or "
    "sister-in-law is a spouse's sibling or a sibling's spouse; a mother-in-law or "
    "father-in-law is a spouse's parent, and a son-in-law or daughter-in-law a child's spouse; "
    "great-grandparents are the parents of grandparents."
)
QUESTIONS = (
    ("How is ", " related to ", "?"),
    ("What is ", " to ", "?"),
    ("Which family relation does ", " have to ", "?"),
)
"""Questions about x and y: the text before x, between them, after y."""
_FORMAT_TAIL = "'s ___\" with exactly one of these words: " + _LABEL_LIST + "."
"""The answer format after 'Complete the sentence "X is Y' (joined, not formatted: the
word list is long)."""
DISTRACTIONS = (
    (" and ", " are close friends."),
    (" works in the same office as ", "."),
    (" often plays tennis with ", "."),
    (" lives next door to ", "."),
)
"""Sentences about two people: first name, the middle, second name, the end."""
_TAIL = "\n\n" + CONVENTIONS

# The sentences of the three phrasings, as the text between and after the names; the C
# kernel takes them (:data:`_PIECES`), so both paths write from these tables.
COUPLE_LEADS = ((" and his wife ", " have "), (" and her husband ", " have "))
"""The couples phrasing's opening: the husband named first, or (1) the wife."""
CHILD_COUNTS = ("no children.", "one child: ", ".", " children: ", ", ", " and ", ".")
"""Its end: no child; one (before and after it); several (after the count, between
them, before the last, after it)."""
A_CHILD = (" (a son)", " (a daughter)")
"""After a child's name there, by ``female``."""
MARRIAGES = ((" is the husband of ", "."), (" is the wife of ", "."))
"""A fact about a couple: the husband named first, or (1) the wife."""
BIRTHS = ((" is the son of ", " and ", "."), (" is the daughter of ", " and ", "."))
"""A fact about a child (named first, by ``female``), then its parents."""
OWN_MARRIAGES = (("'s husband is ", "."), ("'s wife is ", "."))
"""A possessive sentence about a couple: the wife named first, or (1) the husband."""
OWN_BIRTHS = ((" and ", " have a son called ", "."), (" and ", " have a daughter called ", "."))
"""A possessive sentence about a child (named last, by ``female``) and its parents."""
_PIECES: tuple[str, ...] = tuple(
    chain.from_iterable(
        [
            *COUPLE_LEADS,
            CHILD_COUNTS,
            A_CHILD,
            *MARRIAGES,
            *BIRTHS,
            *OWN_MARRIAGES,
            *OWN_BIRTHS,
            *DISTRACTIONS,
        ]
    )
)
"""Every piece above in this order, flat: the layout ``_family.c`` reads (its P_* indices)."""
_FEMALE_NAMES, _MALE_NAMES = tuple(kin.FEMALE_NAMES), tuple(kin.MALE_NAMES)


def _names(word: Word, female: list[bool]) -> list[str]:
    """Distinct names, a woman's or a man's as ``female`` says: each drawn from what is
    left of its list (a word each, swap-removed)."""
    women, men, names = list(_FEMALE_NAMES), list(_MALE_NAMES), []
    for f in female:
        pool = women if f else men
        i = word() * len(pool) >> 64
        names.append(pool[i])
        pool[i] = pool[-1]
        pool.pop()
    return names


def _gender(family: kin.Family, v: int, female: str, male: str) -> str:
    return female if family.female[v] else male


def _as_couples(word: Word, family: kin.Family, names: list[str]) -> list[str]:
    """A sentence per couple, the wife or the husband first (a bit of one word, by the
    wife), with its children in the order of their names."""
    female, coins = family.female, word()
    kids: list[list[str]] = [[] for _ in female]  # by mother: parents are [mother, father]
    for child, pair in enumerate(family.parents):
        if pair:
            kids[pair[0]].append(names[child] + A_CHILD[female[child]])
    none, one, one_end, several, comma, last_and, end = CHILD_COUNTS
    facts = []
    for wife, husband in family.couples():
        if coins >> wife & 1:
            middle, have = COUPLE_LEADS[1]
            lead = names[wife] + middle + names[husband] + have
        else:
            middle, have = COUPLE_LEADS[0]
            lead = names[husband] + middle + names[wife] + have
        children = kids[wife]
        if not children:
            facts.append(lead + none)
        elif len(children) == 1:
            facts.append(lead + one + children[0] + one_end)
        else:
            children.sort()
            last = children.pop()
            listed = comma.join(children)
            facts.append(f"{lead}{len(children) + 1}{several}{listed}{last_and}{last}{end}")
    return facts


def _as_facts(word: Word, family: kin.Family, names: list[str]) -> list[str]:
    """A sentence per couple and one per child; who is named first is a bit of one word per
    kind of sentence, the wife's or the child's (a family has at most 40 people, not 64)."""
    female, couple_coins, child_coins = family.female, word(), word()
    (his, his_end), (hers, hers_end) = MARRIAGES
    facts = [
        f"{names[w]}{hers}{names[h]}{hers_end}"
        if couple_coins >> w & 1
        else f"{names[h]}{his}{names[w]}{his_end}"
        for w, h in family.couples()
    ]
    for child, pair in enumerate(family.parents):
        if pair:
            a, b = pair if child_coins >> child & 1 else (pair[1], pair[0])
            of, between, end = BIRTHS[female[child]]
            facts.append(f"{names[child]}{of}{names[a]}{between}{names[b]}{end}")
    return facts


def _as_possessive(word: Word, family: kin.Family, names: list[str]) -> list[str]:
    """As :func:`_as_facts`, in possessive sentences."""
    female, couple_coins, child_coins = family.female, word(), word()
    (husband_is, husband_end), (wife_is, wife_end) = OWN_MARRIAGES
    facts = [
        f"{names[h]}{wife_is}{names[w]}{wife_end}"
        if couple_coins >> w & 1
        else f"{names[w]}{husband_is}{names[h]}{husband_end}"
        for w, h in family.couples()
    ]
    for child, pair in enumerate(family.parents):
        if pair:
            a, b = pair if child_coins >> child & 1 else (pair[1], pair[0])
            between, have, end = OWN_BIRTHS[female[child]]
            facts.append(f"{names[a]}{between}{names[b]}{have}{names[child]}{end}")
    return facts


STYLES = (_as_couples, _as_facts, _as_possessive)
_FIELD = (1 << 24) - 1


def _distractors(word: Word, names: list[str], count: int) -> tuple[list[list[int]], list[str]]:
    """``count`` distinct pairs of people (as many as there are, if fewer) and a
    friends-or-neighbours sentence about each: a word a pair, its bits 40..63 the first
    person, 16..39 the second (each uniform up to a relative n/2**24), 0..1 the sentence;
    a person paired with itself or a pair drawn before is drawn again. The pairs come
    sorted, the smaller person first."""
    n = len(names)
    count = min(count, n * (n - 1) // 2)
    pairs: list[list[int]] = []
    facts = []
    while len(facts) < count:
        u = word()
        a, b = (u >> 40) * n >> 24, (u >> 16 & _FIELD) * n >> 24
        pair = [a, b] if a < b else [b, a]
        if a == b or pair in pairs:
            continue
        pairs.append(pair)
        middle, end = DISTRACTIONS[u & 3]
        facts.append(f"{names[a]}{middle}{names[b]}{end}")
    pairs.sort()
    return pairs, facts


Told = tuple[str, list[str], kin.Family, list[list[int]]]
"""A family told: its facts as the prompt lists them, the names, the family, the pairs of
the distractor facts."""


def _tell(word: Word, planted: kin.Root, config: FamilyConfig) -> Told:
    """The family around a planted chain grown (:func:`kinship.grow_from`), named, told in
    a random phrasing with the distractors, and shuffled: the reference for the kernel."""
    family = kin.grow_from(word, planted, config.people, config.generations, config.max_children)
    names = _names(word, family.female)
    facts = STYLES[word() * len(STYLES) >> 64](word, family, names)
    distractors: list[list[int]] = []
    if config.distractors:
        distractors, distraction = _distractors(word, names, config.distractors)
        facts += distraction
    shuffle_words(word, facts)
    return "- " + "\n- ".join(facts), names, family, distractors


def _tell_native(word: Word, planted: kin.Root, config: FamilyConfig) -> Told:
    """:func:`_tell` in C: the same words drawn in the same order, the same result."""
    assert native is not None
    lists, top, coins, _, _ = planted
    body, names, female, parents, spouse, distractors = native.tell(
        word,
        lists,
        top,
        coins,
        config.people,
        config.generations - 1,
        config.max_children,
        config.distractors,
        kin.CHILD_SHARE,
        _FEMALE_NAMES,
        _MALE_NAMES,
        _PIECES,
    )
    return body, names, kin.Family(female, parents, spouse), distractors


def parse_relation(answer: str) -> str:
    """One of :data:`kinship.LABELS`, written with any case, spaces or hyphens."""
    text = answer.strip().casefold()
    if len(text) > MAX_WORD_CHARS:
        raise AnswerFormatError(f"more than {MAX_WORD_CHARS} characters for one word")
    key = "".join(_LETTERS.findall(text))
    if key not in _BY_KEY:
        raise AnswerFormatError(f"{answer.strip()[:40]!r} is not one of the relation words")
    return _BY_KEY[key]


@config_cached
def _chunk(config: FamilyConfig) -> int:
    """About the most words a problem draws (a word per person to grow, name and shuffle,
    one per distractor and its rare redraw, ten more; measured: at most 28 at level 1, 117
    at level 10): nearly every problem takes one SHAKE call (at level 1, of two blocks).
    """
    return 3 * config.people + 2 * config.distractors + 10


class FamilyRelationships(GraphTask[FamilyConfig]):
    name: ClassVar[str] = "family_relationships"
    version: ClassVar[str] = "1.5.0"
    description: ClassVar[str] = (
        "Family relationships: name how one member of a described family tree is related to "
        "another (27 relation words, drawn evenly; in-laws, cousins, great-grandparents)."
    )
    Config = FamilyConfig
    LEVELS = LEVELS
    hashed_rng: ClassVar[bool] = True

    def generate(self, config: FamilyConfig, rng: Random, index: int) -> Instance:
        word = words(rng, _chunk(config))
        relations = _WORDS if config.generations >= 4 else _SHALLOW_WORDS
        target = relations[balanced_choice(index, len(relations), salt=0.37)]
        chains = _WORDS_OF[target]
        steps = chains[word() * len(chains) >> 64]
        female, male, _ = kin.KIN[steps]
        x_female = (word() < kin.HALF) if female == male else target == female
        planted = kin.root(word, steps, x_female, config.people, config.generations)
        tell = _tell if native is None else _tell_native
        body, names, family, distractors = tell(word, planted, config)
        x, y = planted[3], planted[4]
        question = QUESTIONS[word() * len(QUESTIONS) >> 64]
        prompt = assemble(
            INTROS[word() * len(INTROS) >> 64],
            body + _TAIL,
            question[0] + names[x] + question[1] + names[y] + question[2],
            'Complete the sentence "' + names[x] + " is " + names[y] + _FORMAT_TAIL,
        )
        payload = {  # the family's lists are fresh from grow_from: the payload takes them
            "names": names,
            "female": family.female,
            "parents": family.parents,
            "spouse": family.spouse,
            "distractors": distractors,
            "x": x,
            "y": y,
            "relation": target,
        }
        return Instance(prompt, target, payload)

    def solve(self, problem: Problem) -> Solution:
        names, p = self.names(problem), problem.payload
        family = kin.Family.from_payload(p)
        x, y = p["x"], p["y"]
        prev, word, expanded = kin.chains_from(family, y)
        path = kin.chain(prev, x)
        steps = [
            f"{names[u]}'s {kin.step_name(family, step, v)} is {names[v]}."
            for u, v, step in zip(path[:-1], path[1:], word[x], strict=True)
        ]
        label = kin.label_of(family, word[x], x)
        female, male, _ = kin.KIN[word[x]]
        sex = "" if female == male else _gender(family, x, ", and female", ", and male")
        links = sum(map(len, p["parents"])) + len(family.couples())
        reasoning = "\n".join(
            [
                f"The statements give {len(names)} people, {len(family.couples())} marriages "
                f"and {sum(1 for q in p['parents'] if q)} children with both parents; the "
                "friends and neighbours are not family.",
                f"Search outward from {names[y]} through parents, children and spouses; the "
                f"shortest chain to {names[x]} is:",
                *steps,
                f"So {names[x]} is {kin.KIN[word[x]][2]} of {names[y]}{sex}: "
                f"{names[x]} is {names[y]}'s {label}.",
            ]
        )
        return Solution(str(label), reasoning, {"effort": links + expanded})

    def labels(self, problem: Problem) -> tuple[str, ...]:
        return kin.LABELS

    def check_answer(self, problem: Problem, answer: str) -> tuple[float, str]:
        given = parse_relation(answer)
        if given == problem.payload["relation"]:
            return 1.0, "correct"
        return 0.0, f"answered {given}, expected {problem.payload['relation']}"
