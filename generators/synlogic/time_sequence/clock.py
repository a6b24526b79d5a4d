"""Clock arithmetic: formatting, parsing answers, and the earliest-gap sweep."""

from __future__ import annotations

import re

from generators.base import AnswerFormatError
from generators.synlogic.normalize import normalize_text

_NONE_WORDS = {"none", "no time", "impossible", "not possible", "no such time", "n/a", "never"}
_TIME = re.compile(r"(\d{1,2})(?:\s*[:.h]\s*(\d{2}))?\s*(a\.?m|p\.?m)?\.?")


def clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def earliest(
    blocked: list[tuple[int, int]], lo: int, hi: int, duration: int
) -> tuple[int | None, list[str]]:
    """Earliest s >= lo with [s, s+duration) clear of every interval and s+duration <= hi."""
    start, notes = lo, []
    for a, b in sorted(blocked):
        if start + duration > hi:
            break
        if a >= start + duration:
            break
        if b > start:
            notes.append(f"{clock(start)} is blocked by {clock(a)}-{clock(b)}; try {clock(b)}.")
            start = b
    return (start if start + duration <= hi else None), notes


def parse_time(text: str) -> int | None:
    """Minutes after midnight from '9:00', '09:00', '9am', '2:15 pm', '14.15'; None for 'none'."""
    cleaned = normalize_text(text)
    if cleaned in _NONE_WORDS:
        return None
    if cleaned == "noon":
        return 12 * 60
    match = _TIME.fullmatch(cleaned)
    if not match or (match.group(2) is None and match.group(3) is None):
        raise AnswerFormatError(f"{text.strip()[:40]!r} is not a time like 09:30 or 'none'")
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), match.group(3)
    if half:
        if not 1 <= hour <= 12:
            raise AnswerFormatError(f"{text.strip()[:40]!r} has an hour outside 1..12")
        hour = hour % 12 + (12 if half.startswith("p") else 0)
    if hour > 23 or minute > 59:
        raise AnswerFormatError(f"{text.strip()[:40]!r} is not a valid time of day")
    return hour * 60 + minute
