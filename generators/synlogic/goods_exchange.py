"""Goods exchange: people trade items through swaps, gifts and rotations; who holds what?

The answer is an exact simulation, so it is unique by construction. Moves are redrawn while
they leave the asked holdings as they started (or leave the one asked person empty-handed),
except at the fair share of such an answer, one in the size of the answer space: trades that
undo each other must not make "nothing changed" a winning guess. Effort is the number of
moves simulated.
"""

from __future__ import annotations

import re
from random import Random
from typing import Any, ClassVar

from pydantic import Field

from generators.base import (
    ANSWER_INSTRUCTION,
    AnswerFormatError,
    Instance,
    Solution,
    Task,
    TaskConfig,
)
from generators.synlogic.normalize import normalize_text, split_list
from generators.wordlists import load_words
from schemas.records import Problem

_NOTHING = "nothing"
# No \s* between the name (normalised later) and the verb: spaces could go to either,
# which backtracks quadratically on a long run of them.
_LINE = re.compile(r"^\s*(?:[-*]\s*)?([A-Za-z][A-Za-z' -]*?)(?::|holds|has)\s*(.*)$", re.I)


class GoodsExchangeConfig(TaskConfig):
    n_people: int = Field(default=4, ge=2, le=12, description="people, one item each at start")
    n_moves: int = Field(default=6, ge=1, le=200, description="moves to simulate")
    gives: bool = Field(default=False, description="allow 'gives everything to' moves")
    rotations: bool = Field(default=False, description="allow three-way rotations")
    ask_all: bool = Field(default=True, description="ask for everyone, not one person")


def _level(people: int, moves: int, gives: bool, rotations: bool, ask_all: bool) -> dict:
    return {
        "n_people": people,
        "n_moves": moves,
        "gives": gives,
        "rotations": rotations,
        "ask_all": ask_all,
    }


LEVELS: dict[int, dict[str, Any]] = {
    1: _level(3, 2, False, False, False),
    2: _level(3, 4, False, False, True),
    3: _level(4, 6, False, False, True),
    4: _level(4, 8, False, True, False),
    5: _level(5, 10, False, True, True),
    6: _level(5, 13, True, False, True),
    7: _level(6, 16, True, True, False),
    8: _level(6, 20, True, True, True),
    9: _level(7, 25, True, True, True),
    10: _level(8, 32, True, True, True),
}

_INTROS = (
    "{n} friends meet for a trading afternoon. At the start, {start}.",
    "At a village market, {n} people each bring one item: {start}.",
    "{n} colleagues play an exchange game. Initially {start}.",
)
_MOVE_HEADERS = (
    "Then these moves happen, in order:",
    "The trades take place one after another:",
    "Here is what happens, step by step:",
)
_ALL_FORMATS = (
    'Who holds what at the end? Answer with one line per person, e.g. "{a}: {x}", listing '
    'several items separated by commas and writing "nothing" for an empty-handed person.',
    'List the final holdings: one line per person in the form "{a}: {x}" (items separated '
    'by commas; "nothing" if the person holds no item).',
    'At the end, what does each person hold? Write one line per person like "{a}: {x}"; '
    'separate several items with commas and write "nothing" for no items.',
)
_ONE_FORMATS = (
    'What does {who} hold at the end? Answer with the item(s), separated by commas, or "nothing".',
    "At the end, which item(s) does {who} have? Give the item names separated by commas (or "
    '"nothing").',
    'Name everything {who} holds after the last move (comma-separated, or "nothing").',
)

Move = tuple[str, tuple[int, ...]]
_ATTEMPTS = 1000


def apply(holdings: list[list[str]], move: Move) -> None:
    """Apply one move in place: swap everything, give everything, or rotate along a cycle."""
    kind, who = move
    if kind == "give":
        giver, taker = who
        holdings[taker] = sorted(holdings[taker] + holdings[giver])
        holdings[giver] = []
    else:  # swap and rotate: each passes everything to the next in the cycle
        moved = [holdings[p] for p in who]
        for position, items in enumerate(moved):
            holdings[who[(position + 1) % len(who)]] = items


def describe(move: Move, names: list[str]) -> str:
    kind, who = move
    n = [names[p] for p in who]
    if kind == "swap":
        return f"{n[0]} and {n[1]} swap everything they hold."
    if kind == "give":
        return f"{n[0]} gives everything they hold to {n[1]}."
    return f"{n[0]} passes everything to {n[1]}, {n[1]} to {n[2]}, and {n[2]} to {n[0]}."


def _holding_text(items: list[str]) -> str:
    return ", ".join(items) if items else _NOTHING


def answer_space(n_people: int, asked: int | None) -> int:
    """Any set of the items for one asked person; an owner for every item when all are."""
    return 2**n_people if asked is not None else n_people**n_people


def _unchanged(holdings: list[list[str]], items: list[str], asked: int | None) -> bool:
    """Whether the asked holdings are the starting ones (or the asked person has nothing)."""
    if asked is None:
        return all(held == [item] for held, item in zip(holdings, items, strict=True))
    return holdings[asked] in ([items[asked]], [])


def _play(
    config: GoodsExchangeConfig, rng: Random, items: list[str]
) -> tuple[list[list[str]], list[Move]]:
    """Random moves from the starting holdings, and the holdings they end with."""
    holdings = [[item] for item in items]
    moves: list[Move] = []
    while len(moves) < config.n_moves:
        move = _draw_move(config, rng)
        if move[0] == "give" and not holdings[move[1][0]]:
            continue  # an empty-handed giver would make a dull move
        apply(holdings, move)
        moves.append(move)
    return holdings, moves


def _draw_move(config: GoodsExchangeConfig, rng: Random) -> Move:
    kinds = ["swap"] * 3 + ["give"] * config.gives + ["rotate"] * 2 * config.rotations
    kind = rng.choice(kinds)
    if kind == "rotate" and config.n_people < 3:
        kind = "swap"
    size = 3 if kind == "rotate" else 2
    return kind, tuple(rng.sample(range(config.n_people), size))


class GoodsExchange(Task[GoodsExchangeConfig]):
    """Simulate a sequence of trades; the verifier compares final holdings as sets of items."""

    name: ClassVar[str] = "goods_exchange"
    version: ClassVar[str] = "1.1.0"
    description: ClassVar[str] = (
        "People each start with one item and trade by swaps, gifts and three-way rotations; "
        "say who holds what at the end."
    )
    Config = GoodsExchangeConfig
    LEVELS = LEVELS
    surface_fields = frozenset({"names", "items"})

    def generate(self, config: GoodsExchangeConfig, rng: Random, index: int) -> Instance:
        names = rng.sample(load_words("names"), config.n_people)
        items = rng.sample(load_words("goods_exchange_items"), config.n_people)
        asked = None if config.ask_all else rng.randrange(config.n_people)
        fair = rng.random() < 1 / answer_space(config.n_people, asked)
        for _ in range(_ATTEMPTS):
            holdings, moves = _play(config, rng, items)
            if fair or not _unchanged(holdings, items, asked):
                break
        else:
            raise RuntimeError("every draw of moves left the holdings as they were")
        style = [rng.randrange(3) for _ in range(3)]
        payload: dict[str, Any] = {
            "names": names,
            "items": items,
            "moves": [[kind, list(who)] for kind, who in moves],
            "asked": asked,
        }
        start = ", ".join(f"{n} has the {i}" for n, i in zip(names, items, strict=True))
        lines = [_INTROS[style[0]].format(n=config.n_people, start=start), _MOVE_HEADERS[style[1]]]
        lines += [f"{k}. {describe(m, names)}" for k, m in enumerate(moves, start=1)]
        if asked is None:
            lines.append(_ALL_FORMATS[style[2]].format(a=names[0], x=items[0]))
        else:
            lines.append(_ONE_FORMATS[style[2]].format(who=names[asked]))
        lines.append(ANSWER_INSTRUCTION)
        return Instance("\n".join(lines), _answer(payload, holdings), payload)

    def solve(self, problem: Problem) -> Solution:
        p = problem.payload
        names, items = p["names"], p["items"]
        holdings = [[item] for item in items]
        lines = ["Start: " + "; ".join(f"{n}: {i}" for n, i in zip(names, items, strict=True))]
        for number, (kind, who) in enumerate(p["moves"], start=1):
            move = (kind, tuple(who))
            apply(holdings, move)
            changed = ", ".join(f"{names[w]} now holds {_holding_text(holdings[w])}" for w in who)
            lines.append(f"Move {number}: {describe(move, names)} So {changed}.")
        answer = _answer(p, holdings)
        final = "; ".join(f"{n}: {_holding_text(h)}" for n, h in zip(names, holdings, strict=True))
        lines.append(f"Final holdings: {final}.")
        return Solution(answer, "\n".join(lines), {"effort": len(p["moves"])})

    def answer_space(self, problem: Problem) -> int:
        return answer_space(len(problem.payload["items"]), problem.payload["asked"])

    def trivial_answers(self, problem: Problem) -> dict[str, str]:
        p = problem.payload
        start = _answer(p, [[item] for item in p["items"]])
        guesses = super().trivial_answers(problem)
        return {**guesses, "nothing": _NOTHING, "the starting holdings": start}

    def check_answer(self, problem: Problem, answer: str) -> tuple[float, str]:
        p = problem.payload
        final = _simulate(p)
        if p["asked"] is not None:
            stated = _LINE.match(answer.strip())  # "Carol holds the ball" / "Carol: ball"
            if stated and normalize_text(stated.group(1)) == normalize_text(p["names"][p["asked"]]):
                answer = stated.group(2)
            got = _parse_items(answer, p["items"])
            want = set(final[p["asked"]])
            if got != want:
                return 0.0, f"{p['names'][p['asked']]} holds {_holding_text(sorted(want))}"
            return 1.0, "correct holdings"
        keys = {normalize_text(name): k for k, name in enumerate(p["names"])}
        seen: dict[int, set[str]] = {}
        for line in answer.replace(";", "\n").splitlines():
            if not line.strip():
                continue
            match = _LINE.match(line)
            if not match or normalize_text(match.group(1)) not in keys:
                raise AnswerFormatError(f"line {line.strip()[:40]!r} is not 'Name: items'")
            person = keys[normalize_text(match.group(1))]
            if person in seen:
                raise AnswerFormatError(f"{p['names'][person]} is listed twice")
            seen[person] = _parse_items(match.group(2), p["items"])
        if not seen:
            raise AnswerFormatError("no 'Name: items' lines")
        for person in range(len(p["names"])):  # a person left out is read as holding nothing
            got = seen.get(person, set())
            if got != set(final[person]):
                want = _holding_text(final[person])
                return 0.0, f"{p['names'][person]} holds {want}, not {_holding_text(sorted(got))}"
        return 1.0, "every holding is correct"


def _simulate(payload: dict[str, Any]) -> list[list[str]]:
    holdings = [[item] for item in payload["items"]]
    for kind, who in payload["moves"]:
        apply(holdings, (kind, tuple(who)))
    return holdings


def _answer(payload: dict[str, Any], final: list[list[str]]) -> str:
    if payload["asked"] is not None:
        return _holding_text(final[payload["asked"]])
    return "\n".join(
        f"{n}: {_holding_text(h)}" for n, h in zip(payload["names"], final, strict=True)
    )


def _parse_items(text: str, known: list[str]) -> set[str]:
    """Item names (articles 'the'/'a' dropped) from a list; 'nothing' means the empty set."""
    parts = [re.sub(r"^(?:the|a|an)\s+", "", part) for part in split_list(text)]
    if parts == [_NOTHING] or parts == ["none"]:
        return set()
    lookup = {item.casefold(): item for item in known}
    if not parts or any(part not in lookup for part in parts):
        raise AnswerFormatError(f"{text.strip()[:40]!r} is not a list of the puzzle's items")
    if len(set(parts)) != len(parts):
        raise AnswerFormatError("an item is listed twice")
    return {lookup[part] for part in parts}
