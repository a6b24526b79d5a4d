"""English for puzzles: item phrases, clues, the prompt, the answer and the reasoning trace."""

from __future__ import annotations

from random import Random

from generators.base import ANSWER_INSTRUCTION
from generators.synlogic.zebra_puzzle.puzzle import Clue, Item, Puzzle
from generators.synlogic.zebra_puzzle.solver import Event, Trail, bits

TRACE_LIMIT = 14_000

_PHRASES = {
    "nationality": "the {}",
    "colour": "the person in the {} house",
    "pet": "the {} owner",
    "drink": "the person who drinks {}",
    "job": "the {}",
    "hobby": "the person who enjoys {}",
    "food": "the person who likes {}",
    "sport": "the person who plays {}",
}
_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth")
# Two phrasings per clue kind; x, y, z are item phrases, h a 1-based house, o its ordinal.
_CLUES = {
    "same": ("{x} is {y}.", "{x} and {y} are the same person."),
    "not_same": ("{x} is not {y}.", "{x} and {y} are different people."),
    "position": ("{x} lives in house {h}.", "{x} lives in the {o} house."),
    "not_position": ("{x} does not live in house {h}.", "{x} does not live in the {o} house."),
    "at_end": ("{x} lives in one of the two end houses.", "{x} lives at one end of the row."),
    "next_to": ("{x} lives next to {y}.", "{x} and {y} live in neighbouring houses."),
    "right_after": (
        "{y} lives directly to the right of {x}.",
        "{x} lives immediately to the left of {y}.",
    ),
    "left_of": (
        "{x} lives somewhere to the left of {y}.",
        "{y} lives somewhere to the right of {x}.",
    ),
    "between": (
        "{y} lives somewhere between {x} and {z}.",
        "{y} lives in a house between those of {x} and {z}.",
    ),
}
_INTROS = (
    "{n} houses stand in a row, numbered 1 to {n} from left to right. Each house has one "
    "occupant, and every occupant has exactly one value of each attribute below; no value "
    "is shared by two houses.",
    "Consider {n} houses in a row (house 1 is the leftmost, house {n} the rightmost). Every "
    "value listed below belongs to exactly one of the houses.",
    "A logic puzzle: {n} neighbours live side by side in houses 1 to {n}, counted from the "
    "left. Each of them has a different value in every category below.",
)
_QUESTIONS = (
    "Work out the complete arrangement: which values belong to each house?",
    "Determine, for every house, all of its attributes.",
    "Who lives where, and with what? Fill in the whole table.",
)


def sample_style(rng: Random) -> list[int]:
    """[intro, clue phrasing, question] template indices."""
    return [rng.randrange(len(_INTROS)), rng.randrange(2), rng.randrange(len(_QUESTIONS))]


def phrase(puzzle: Puzzle, item: Item) -> str:
    return _PHRASES[puzzle.categories[item[0]]].format(puzzle.word(item))


def clue_text(puzzle: Puzzle, clue: Clue) -> str:
    names = dict(zip("xyz", (phrase(puzzle, item) for item in clue.items), strict=False))
    house = clue.house if clue.house is not None else 0
    text = _CLUES[clue.kind][puzzle.style[1]].format(**names, h=house + 1, o=_ORDINALS[house])
    return text[0].upper() + text[1:]


def _format_example(puzzle: Puzzle) -> str:
    return "House 1: " + ", ".join(f"<{name}>" for name in puzzle.categories)


def render_prompt(puzzle: Puzzle) -> str:
    intro, _, question = puzzle.style
    lines = [_INTROS[intro].format(n=puzzle.n), ""]
    for name, values in zip(puzzle.categories, puzzle.values, strict=True):
        lines.append(f"- {name.capitalize()}: {', '.join(values)}")
    lines += ["", "Clues:"]
    lines += [f"{k}. {clue_text(puzzle, clue)}" for k, clue in enumerate(puzzle.clues, start=1)]
    order = ", ".join(puzzle.categories)
    lines += [
        "",
        _QUESTIONS[question],
        f"Write one line per house, houses 1 to {puzzle.n} in order, in the form "
        f'"{_format_example(puzzle)}", giving the values in this category order: {order}.',
        ANSWER_INSTRUCTION,
    ]
    return "\n".join(lines)


def render_answer(puzzle: Puzzle) -> str:
    return "\n".join(
        f"House {h}: {', '.join(row)}" for h, row in enumerate(puzzle.solution_words(), start=1)
    )


def _houses(mask: int) -> str:
    houses = [str(h + 1) for h in bits(mask)]
    if len(houses) == 1:
        return f"house {houses[0]}"
    return f"houses {', '.join(houses[:-1])} or {houses[-1]}"


def _item(puzzle: Puzzle, item: int) -> str:
    category, value = divmod(item, puzzle.n)
    return f"{puzzle.values[category][value]} ({puzzle.categories[category]})"


def _event_line(puzzle: Puzzle, event: Event) -> str:
    what = _item(puzzle, event.item)
    kind = event.reason[0]
    result = f"{what} is in {_houses(event.after)}" if event.after else f"{what} has no house left"
    if kind == "clue":
        k = event.reason[1]
        return f"Clue {k + 1}: {result}."
    if kind == "taken":
        return f"{_item(puzzle, event.reason[1])} is placed, so {what} is not there: {result}."
    category, house = event.reason[1], event.reason[2]  # type: ignore[misc]
    return (
        f"Only {what} can still be in house {house + 1} among the "
        f"{puzzle.categories[category]} values: {result}."
    )


def _tag(entry: object) -> str:
    """'event' for an Event, else the marker's tag: 'guess', 'dead' or 'solved'."""
    return "event" if isinstance(entry, Event) else entry[0]  # type: ignore[index]


def _is_placement(event: Event) -> bool:
    return bool(event.after) and not event.after & (event.after - 1)


def _skipped(count: int) -> str:
    return f"(… {count} further elimination{'s' if count > 1 else ''} …)"


def _collapse_dead_ends(entries: list[object]) -> list[object]:
    """Replace each case that fails (with everything under it) by one ("refuted", ...) entry.

    A case is the stretch after a guess at depth d up to the next guess at depth <= d; it
    stays expanded only if the solution is found inside it.
    """
    out: list[object] = []
    i = 0
    while i < len(entries):
        entry = entries[i]
        if _tag(entry) != "guess":
            out.append(entry)
            i += 1
            continue
        depth = entry[3]  # type: ignore[index]
        j = i + 1
        while j < len(entries) and _tag(entries[j]) != "solved":
            if _tag(entries[j]) == "guess" and entries[j][3] <= depth:  # type: ignore[index]
                break
            j += 1
        if j < len(entries) and _tag(entries[j]) == "solved":
            out.append(entry)
            i += 1
            continue
        steps = sum(1 for e in entries[i + 1 : j] if _tag(e) == "event")
        out.append(("refuted", entry[1], entry[2], steps))  # type: ignore[index]
        i = j
    return out


def _lines(puzzle: Puzzle, entries: list[object], placements_only: bool) -> list[str]:
    lines: list[str] = []
    skipped = 0
    for entry in entries:
        if isinstance(entry, Event):
            if placements_only and not _is_placement(entry) and entry.after:
                skipped += 1
                continue
            if skipped:
                lines.append(_skipped(skipped))
                skipped = 0
            lines.append(_event_line(puzzle, entry))
            continue
        if skipped:
            lines.append(_skipped(skipped))
            skipped = 0
        tag = _tag(entry)
        if tag == "guess":
            _, item, house, depth = entry  # type: ignore[misc]
            lines.append(
                f"No deduction is left, so we try a case (depth {depth}): suppose "
                f"{_item(puzzle, item)} is in house {house + 1}."
            )
        elif tag == "refuted":
            _, item, house, steps = entry  # type: ignore[misc]
            lines.append(
                f"Case: suppose {_item(puzzle, item)} is in house {house + 1}. Following it "
                f"through ({steps} deductions) ends in a contradiction, so it is not."
            )
        elif tag == "dead":
            lines.append("Contradiction: this case is impossible; back up.")
        else:
            lines.append("Every value now has exactly one house.")
    return lines


def _size(lines: list[str]) -> int:
    return sum(len(line) + 1 for line in lines)


def render_trace(puzzle: Puzzle, trail: Trail) -> str:
    """The search narrated; long ones are shortened step by step (failed cases summarised,
    then only placements shown, then the middle cut), always saying what was left out."""
    entries = trail.entries
    solved_at = next(k for k, entry in enumerate(entries) if _tag(entry) == "solved")
    head = [
        f"Each of the {puzzle.n * len(puzzle.categories)} values can be in any of houses 1 to "
        f"{puzzle.n} at first. Apply the clues and the rule that every value has exactly one "
        "house (so a placed value rules that house out for the rest of its category, and a "
        "house only one value can take gets that value).",
        "",
    ]
    after = entries[solved_at + 1 :]
    tail = [""]
    if after:
        guesses = sum(1 for entry in after if _tag(entry) == "guess")
        tail.append(
            f"To be sure the solution is unique, the {guesses} remaining case(s) were also "
            "checked: each leads to a contradiction."
        )
    tail += ["Solution:", render_answer(puzzle)]
    path = entries[: solved_at + 1]
    body = _lines(puzzle, path, placements_only=False)
    for placements_only in (False, True):
        if _size(head + body + tail) <= TRACE_LIMIT:
            break
        body = _lines(puzzle, _collapse_dead_ends(path), placements_only)
    budget = TRACE_LIMIT - _size(head + tail) - 100
    if _size(body) > budget:
        keep_head, keep_tail = body[: len(body) // 3], body[-len(body) // 3 :]
        while _size(keep_head + keep_tail) > budget:
            keep_head, keep_tail = keep_head[:-1], keep_tail[1:]
        omitted = len(body) - len(keep_head) - len(keep_tail)
        body = [*keep_head, f"(… {omitted} more lines of deductions omitted …)", *keep_tail]
    return "\n".join(head + body + tail)
