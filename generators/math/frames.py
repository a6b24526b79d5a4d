"""A number task's prompt split around its statement, once per intro, for tasks whose
whole generation costs a few µs: ``head + statement + tail`` is :func:`compose`'s prompt
with that intro, without its rng call."""

from __future__ import annotations

from collections.abc import Sequence
from random import Random

from generators.math.common import compose

_MARK = "\x00"


def statement_frames(intros: Sequence[str], answer_format: str) -> tuple[tuple[str, str], ...]:
    """(head, tail) around the statement of :func:`compose`'s prompt, for each intro."""
    frames = []
    for intro in intros:
        head, tail = compose(Random(0), (intro,), _MARK, answer_format).split(_MARK)
        frames.append((head, tail))
    return tuple(frames)
