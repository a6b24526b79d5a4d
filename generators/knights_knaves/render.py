"""English for puzzles: statements, prompt and answer lines, in several phrasings."""

from __future__ import annotations

from random import Random

from generators.base import ANSWER_INSTRUCTION
from generators.knights_knaves.config import RolePair
from generators.knights_knaves.puzzle import Puzzle, Style
from generators.knights_knaves.statements import LEAF_OPS, Tree

# Fields: tp/lp = truthful/liar plural (Tp capitalised), a_t/a_l = singular with article.
_INTROS = (
    "A very special island is inhabited only by {tp} and {lp}. "
    "{Tp} always tell the truth, and {lp} always lie.",
    "On this island every inhabitant is either {a_t} or {a_l}: "
    "{tp} always tell the truth, and {lp} always lie.",
    "You arrive on an island where each person is either {a_t}, who always tells the truth, "
    "or {a_l}, who always lies.",
)
_CLAIMS = ('{name} says: "{claim}."', '{name} claims: "{claim}."', '{name} tells you: "{claim}."')
_QUESTIONS = (
    "Who is {a_t} and who is {a_l}?",
    "Determine for each inhabitant whether they are {a_t} or {a_l}.",
    "Can you tell which of them are {tp} and which are {lp}?",
)
# Phrasings of the connectives; "and"/"or" of three or more operands are always "A, B and C".
_CONNECTIVES = (
    {
        "not": "it is not the case that {0}",
        "and": "{0} and {1}",
        "implies": "if {0}, then {1}",
        "iff": "{0} if and only if {1}",
    },
    {
        "not": "it is false that {0}",
        "and": "both {0} and {1}",
        "implies": "{0} only if {1}",
        "iff": "{0} exactly when {1}",
    },
)


def sample_style(rng: Random) -> Style:
    return Style(
        intro=rng.randrange(len(_INTROS)),
        claim=rng.randrange(len(_CLAIMS)),
        question=rng.randrange(len(_QUESTIONS)),
        connectives=rng.randrange(len(_CONNECTIVES)),
    )


def series(items: list[str], conjunction: str) -> str:
    """'A', 'A and B', 'A, B and C'."""
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def _is_clause(tree: Tree) -> bool:
    """A leaf or a negated leaf: one plain clause ("Bob is not a knave")."""
    return tree[0] in LEAF_OPS or (tree[0] == "not" and tree[1][0] in LEAF_OPS)


def _leaf(puzzle: Puzzle, speaker: int, leaf: Tree, negated: bool) -> str:
    person = leaf[1]
    subject = "I am" if person == speaker else f"{puzzle.names[person]} is"
    role = puzzle.role_pair.with_article(leaf[0] == "truthful")
    return f"{subject} {'not ' if negated else ''}{role}"


def _phrase(puzzle: Puzzle, speaker: int, tree: Tree) -> str:
    op = tree[0]
    if op in LEAF_OPS:
        return _leaf(puzzle, speaker, tree, negated=False)
    if _is_clause(tree):
        return _leaf(puzzle, speaker, tree[1], negated=True)
    operands = [_operand(puzzle, speaker, operand) for operand in tree[1:]]
    if op == "or" or len(operands) > 2:
        return series(operands, op)
    return _CONNECTIVES[puzzle.style.connectives][op].format(*operands)


def _operand(puzzle: Puzzle, speaker: int, tree: Tree) -> str:
    """A sub-statement, parenthesised unless it is one clause, so nesting stays unambiguous."""
    text = _phrase(puzzle, speaker, tree)
    return text if _is_clause(tree) else f"({text})"


def statement_text(puzzle: Puzzle, speaker: int) -> str:
    """What ``speaker`` says, as they say it ("I am..."), capitalised, without a full stop."""
    text = _phrase(puzzle, speaker, puzzle.statements[speaker])
    return text[0].upper() + text[1:]


def _role_fields(puzzle: Puzzle) -> dict[str, str]:
    pair = puzzle.role_pair
    return {
        "tp": pair.truthful_plural,
        "lp": pair.liar_plural,
        "Tp": pair.truthful_plural[0].upper() + pair.truthful_plural[1:],
        "a_t": pair.with_article(True),
        "a_l": pair.with_article(False),
    }


def render_prompt(puzzle: Puzzle) -> str:
    fields = _role_fields(puzzle)
    style = puzzle.style
    first = puzzle.names[0]
    lines = [
        _INTROS[style.intro].format(**fields),
        f"You meet {puzzle.n} inhabitants: {series(puzzle.names, 'and')}.",
        "",
        *(
            _CLAIMS[style.claim].format(name=name, claim=statement_text(puzzle, speaker))
            for speaker, name in enumerate(puzzle.names)
        ),
        "",
        _QUESTIONS[style.question].format(**fields),
        "Write one line per person, in the order they were introduced, in the form "
        f'"(1) {first} is {fields["a_t"]}" or "(1) {first} is {fields["a_l"]}".',
        ANSWER_INSTRUCTION,
    ]
    return "\n".join(lines)


def answer_lines(names: list[str], pair: RolePair) -> tuple[list[str], list[str]]:
    """Every person's answer line, '(1) Alice is a knight', as a liar and as truthful:
    ``answer_lines(...)[truthful][person]`` (each role's words made once, not per person)."""
    liar, truthful = (
        [f"({person}) {name} is {role}" for person, name in enumerate(names, 1)]
        for role in (pair.with_article(False), pair.with_article(True))
    )
    return liar, truthful


def render_answer(puzzle: Puzzle, assignment: list[bool]) -> str:
    """'(1) Alice is a knight' per person, in order of introduction."""
    lines = answer_lines(puzzle.names, puzzle.role_pair)
    return "\n".join([lines[truthful][person] for person, truthful in enumerate(assignment)])
