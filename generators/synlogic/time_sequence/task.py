"""Time sequence: the earliest meeting start that fits everyone's calendar and rules.

Every blocked stretch (appointments widened by break rules) is merged in one sweep over the
start-sorted intervals, so the earliest start is exact and unique; "none" when no gap fits.
Effort is the number of intervals and rules processed.
"""

from __future__ import annotations

from random import Random
from typing import Any, ClassVar

from generators.base import ANSWER_INSTRUCTION, Instance, Solution, Task
from generators.synlogic.time_sequence.clock import clock, earliest, parse_time
from generators.synlogic.time_sequence.config import LEVELS, TimeSequenceConfig
from generators.wordlists import load_words
from schemas.records import Problem

_ATTEMPTS = 200
_MAX_BREAK = 20
_SLOT_TRIES = 10_000

_INTROS = (
    "A team wants to schedule one meeting of {d} minutes today between {a} and {b}.",
    "Find a slot for a {d}-minute meeting within the working day ({a} to {b}).",
    "Everyone below must attend a single {d}-minute meeting, held between {a} and {b}.",
)
_QUESTIONS = (
    "What is the earliest start time that works for everyone?",
    "When is the earliest the meeting can start?",
    "Find the earliest possible start time.",
)
_FORMAT = (
    "Times are on a 24-hour clock. A meeting may start exactly when an appointment ends and "
    'end exactly when one begins. Answer with the start time as HH:MM (e.g. "09:30"), or '
    '"none" if no time works.'
)


class TimeSequence(Task[TimeSequenceConfig]):
    """Earliest common meeting start under busy slots, 'not before'/'done by' and break rules."""

    name: ClassVar[str] = "time_sequence"
    version: ClassVar[str] = "1.1.0"
    description: ClassVar[str] = (
        "Meeting scheduling: from several people's appointments and rules, find the earliest "
        "start time of a meeting of given length, or say that none exists."
    )
    Config = TimeSequenceConfig
    surface_fields = frozenset({"names", "style"})
    LEVELS = LEVELS

    def generate(self, config: TimeSequenceConfig, rng: Random, index: int) -> Instance:
        want_none = rng.random() < config.none_share
        for attempt in range(_ATTEMPTS):
            planted = not want_none or attempt >= _ATTEMPTS // 2
            payload = _draw(config, rng, planted)
            start, _ = _solve(payload)
            if start is None if want_none else start is not None and start > _bounds(payload)[0]:
                break
        else:
            raise RuntimeError("no instance in the attempt budget; loosen the knobs")
        payload["style"] = [rng.randrange(3), rng.randrange(3)]
        prompt = _prompt(payload, config.duration_phrasing)
        return Instance(prompt, "none" if start is None else clock(start), payload)

    def solve(self, problem: Problem) -> Solution:
        p = problem.payload
        start, notes = _solve(p)
        lo, hi = _bounds(p)
        blocked = _blocked(p)
        lines = [
            f"The meeting lasts {p['duration']} minutes. Considering the day and the rules, it "
            f"may start at {clock(lo)} at the earliest and must end by {clock(hi)}.",
            "Blocked stretches (appointments, widened by required breaks), sorted by start: "
            + ", ".join(f"{clock(a)}-{clock(b)} ({p['names'][k]})" for a, b, k in blocked)
            + ".",
            f"Scan from {clock(lo)}, moving past every stretch that overlaps the candidate:",
            *notes,
        ]
        if start is None:
            lines.append(f"No {p['duration']}-minute gap remains before {clock(hi)}.")
        else:
            lines.append(
                f"{clock(start)}-{clock(start + p['duration'])} is clear for everyone and ends "
                f"by {clock(hi)}."
            )
        answer = "none" if start is None else clock(start)
        return Solution(answer, "\n".join(lines), {"effort": len(blocked) + len(p["rules"])})

    def trivial_answers(self, problem: Problem) -> dict[str, str]:
        guesses = super().trivial_answers(problem)
        return {**guesses, "none": "none", "the start of the day": clock(problem.payload["day"][0])}

    def check_answer(self, problem: Problem, answer: str) -> tuple[float, str]:
        start, _ = _solve(problem.payload)
        first, sep, second = answer.replace("–", "-").partition("-")
        got = parse_time(first)
        if sep:  # a range "10:30 - 11:15": the end must match the meeting's length
            end = parse_time(second)
            if got is None or end is None or end - got != problem.payload["duration"]:
                return 0.0, "the range given is not the meeting's length"
        if got != start:
            return 0.0, f"the earliest start is {'none' if start is None else clock(start)}"
        return 1.0, "correct earliest start"


def _draw(config: TimeSequenceConfig, rng: Random, planted: bool) -> dict[str, Any]:
    """Random calendars; when ``planted``, one gap is kept clear so that some start works."""
    step, day = config.step, (config.day_start * 60, config.day_end * 60)
    duration = rng.randrange(max(step, 15), config.max_meeting + 1, step)
    gap = rng.randrange(day[0] + 60, day[1] - duration - 59, step) if planted else -(10**4)
    guard = (gap - _MAX_BREAK, gap + duration + _MAX_BREAK)
    names = rng.sample(load_words("names"), config.n_people)
    busy: list[list[list[int]]] = []
    for _ in names:
        slots: list[list[int]] = []
        for _ in range(_SLOT_TRIES):
            length = rng.randrange(max(step, 15), config.max_length + 1, step)
            a = rng.randrange(day[0], day[1] - length + 1, step)
            taken = [*slots, list(guard)]
            if all(a + length <= s or e <= a for s, e in taken):
                slots.append([a, a + length])
            if len(slots) == config.appointments:
                break
        else:
            raise RuntimeError("could not place the appointments; lower appointments/max_length")
        busy.append(sorted(slots))
    rules = []
    latest_after = min(12 * 60, gap) if planted else 12 * 60
    earliest_by = max(13 * 60, -(-(gap + duration) // step) * step)
    for person in rng.sample(range(config.n_people), config.n_rules):
        if rng.random() < 0.5 and latest_after > day[0] + step:
            rules.append(["after", person, rng.randrange(day[0] + step, latest_after + 1, step)])
        else:
            rules.append(
                ["by", person, rng.randrange(earliest_by, max(earliest_by, day[1] - 30) + 1, step)]
            )
    breaks = [
        [p, rng.choice((10, 15, _MAX_BREAK))]
        for p in rng.sample(range(config.n_people), config.n_breaks)
    ]
    return {
        "names": names,
        "busy": busy,
        "rules": rules,
        "breaks": sorted(breaks),
        "day": list(day),
        "duration": duration,
    }


def _bounds(p: dict[str, Any]) -> tuple[int, int]:
    lo = max([p["day"][0], *(t for kind, _, t in p["rules"] if kind == "after")])
    hi = min([p["day"][1], *(t for kind, _, t in p["rules"] if kind == "by")])
    return lo, hi


def _blocked(p: dict[str, Any]) -> list[tuple[int, int, int]]:
    """(start, end, person) of every appointment, widened by that person's break."""
    pad = {person: minutes for person, minutes in p["breaks"]}
    return sorted(
        (a - pad.get(k, 0), b + pad.get(k, 0), k)
        for k, slots in enumerate(p["busy"])
        for a, b in slots
    )


def _solve(p: dict[str, Any]) -> tuple[int | None, list[str]]:
    lo, hi = _bounds(p)
    return earliest([(a, b) for a, b, _ in _blocked(p)], lo, hi, p["duration"])


def _slot(a: int, b: int, phrased: bool) -> str:
    return f"from {clock(a)} for {b - a} minutes" if phrased else f"{clock(a)}-{clock(b)}"


def _prompt(p: dict[str, Any], phrased: bool) -> str:
    intro, question = p["style"]
    day, names = p["day"], p["names"]
    lines = [_INTROS[intro].format(d=p["duration"], a=clock(day[0]), b=clock(day[1])), ""]
    for name, slots in zip(names, p["busy"], strict=True):
        lines.append(f"- {name} is busy " + ", ".join(_slot(a, b, phrased) for a, b in slots) + ".")
    for kind, person, t in p["rules"]:
        if kind == "after":
            lines.append(f"- {names[person]} cannot meet before {clock(t)}.")
        else:
            lines.append(f"- {names[person]} must be done with the meeting by {clock(t)}.")
    for person, minutes in p["breaks"]:
        lines.append(
            f"- {names[person]} needs at least {minutes} minutes free between the meeting and "
            "any of their appointments."
        )
    lines += ["", _QUESTIONS[question], _FORMAT, ANSWER_INSTRUCTION]
    return "\n".join(lines)
