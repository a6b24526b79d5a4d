"""A wall-clock cut-off for one call: defence in depth for a trainer's reward loop.

This is not what bounds a verification's time: extraction and every verifier run in time
linear in their input (see :mod:`generators.extract` and ``bench/bench_verifiers.py``),
which holds on every thread. The cut-off is a second line against a future verifier bug,
and only works in some places.

The cut-off is a one-shot ``ITIMER_REAL`` whose ``SIGALRM`` handler raises inside the
call. Python only lets the main thread of the main interpreter handle signals, and
``setitimer`` is POSIX-only; elsewhere (trainer threads such as verl's reward pool,
sub-interpreters, Windows) the call simply runs, without a cut-off. A timer someone else
already armed is never replaced: the call then runs without one too.
"""

from __future__ import annotations

import _signal  # the C functions behind ``signal``, whose wrappers convert to enums: ~20 µs
import signal
import threading
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


class DeadlineExceeded(Exception):
    """The call ran past its bound and was interrupted."""


class _Expired(BaseException):
    """Raised by the alarm inside the call; a BaseException so ``except Exception`` in the
    interrupted code cannot swallow it."""


_armed = False


def _on_alarm(signum: int, frame: object) -> None:
    if _armed:
        raise _Expired


def can_bound() -> bool:
    """Whether :func:`call_with_deadline` can enforce its bound on this thread."""
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


def call_with_deadline(seconds: float, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """``fn(*args, **kwargs)``, interrupted with :class:`DeadlineExceeded` after ``seconds``
    where :func:`can_bound`; otherwise simply called."""
    global _armed
    if not can_bound() or signal.getitimer(signal.ITIMER_REAL)[0] > 0:
        return fn(*args, **kwargs)
    try:
        previous = _signal.signal(signal.SIGALRM, _on_alarm)
    except ValueError:  # the main thread of a sub-interpreter
        return fn(*args, **kwargs)
    try:
        try:
            _armed = True
            signal.setitimer(signal.ITIMER_REAL, seconds)
            return fn(*args, **kwargs)
        finally:
            _armed = False  # first: an alarm from here on is a no-op
            signal.setitimer(signal.ITIMER_REAL, 0)
    except _Expired:
        raise DeadlineExceeded(f"call exceeded its {seconds:g} s bound") from None
    finally:
        _signal.signal(signal.SIGALRM, signal.SIG_DFL if previous is None else previous)
