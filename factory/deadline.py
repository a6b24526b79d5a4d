"""A wall-clock cut-off for one call, on any thread: defence in depth for a trainer's reward loop.

This is not what bounds a verification's time: extraction and every verifier run in time
linear in their input (see :mod:`generators.extract` and ``bench/bench_verifiers.py``). The
cut-off is a second line against a future verifier bug.

One daemon watchdog thread, started on first use and gone after :data:`IDLE_STOP_S` with
nothing to watch, looks at the calls in flight every :data:`POLL_S` seconds. A call past its
bound gets an exception raised in its own thread (CPython's ``PyThreadState_SetAsyncExc``),
delivered at the thread's next bytecode boundary. So the bound holds on the main thread, in
a trainer's reward pool and inside an event loop alike, it costs no system call per call
(the ``SIGALRM`` timer this replaces cost five, about 40 % of a small reward), and it never
touches signal handlers or timers the caller set. Like a signal, it cannot stop one long C
call; the linear-time verifiers are what rule those out. Off CPython the call simply runs.

A late exception cannot escape the call. The watchdog claims a call (takes it off the watch)
before it fires, and fires under its lock; a call that finds itself claimed as it returns
waits for that lock and withdraws the exception if it is not delivered yet. Exactly one of
the two takes the call off (one ``dict.pop`` each, atomic), so a call's own bookkeeping,
on every reward's path, takes no lock and builds no list.
"""

from __future__ import annotations

import ctypes
import itertools
import threading
import time
from collections.abc import Callable
from threading import get_ident
from time import monotonic
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

POLL_S = 0.05
IDLE_STOP_S = 1.0


class DeadlineExceeded(Exception):
    """The call ran past its bound and was interrupted."""


class _Expired(BaseException):
    """Raised inside the call by the watchdog; a BaseException so ``except Exception`` in
    the interrupted code cannot swallow it."""


def _async_exc_functions() -> tuple[Callable[..., int], Callable[..., int]] | None:
    try:
        target = ("PyThreadState_SetAsyncExc", ctypes.pythonapi)
    except AttributeError:  # not CPython
        return None
    raise_in = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.c_ulong, ctypes.py_object)(target)
    withdraw = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p)(target)
    return raise_in, withdraw


_ASYNC_EXC = _async_exc_functions()


# The calls being watched: token -> (thread id, deadline), added and removed by the call
# itself without the lock; the watchdog claims an expired one by removing it, under the lock.
_lock = threading.Lock()
_in_flight: dict[int, tuple[int, float]] = {}
_tokens = itertools.count()
_watchdog: threading.Thread | None = None


def can_bound() -> bool:
    """Whether :func:`call_with_deadline` enforces its bound (on every thread, on CPython)."""
    return _ASYNC_EXC is not None


def call_with_deadline(seconds: float, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """``fn(*args, **kwargs)``, interrupted with :class:`DeadlineExceeded` after about
    ``seconds`` (plus at most :data:`POLL_S`)."""
    if _ASYNC_EXC is None:
        return fn(*args, **kwargs)
    token = next(_tokens)
    try:
        try:
            _in_flight[token] = (get_ident(), monotonic() + seconds)
            if _watchdog is None:  # looked at once the call is in: see _run_watchdog
                _start_watchdog()
            return fn(*args, **kwargs)
        finally:
            if _in_flight.pop(token, None) is None:  # the watchdog claimed the call
                _withdraw()
    except _Expired:
        raise DeadlineExceeded(f"call exceeded its {seconds:g} s bound") from None


def _withdraw() -> None:
    """Wait until the watchdog, which claimed this thread's call, has fired (it fires under
    the lock), and withdraw the exception if it is not delivered yet.

    The thread's id is read before the lock: a pending exception is delivered as a call
    returns, so ``get_ident()`` called after the firing would deliver it just before the
    withdrawal, and the call, already done, would end as cut."""
    thread = get_ident()
    with _lock:
        _ASYNC_EXC[1](thread, None)  # type: ignore[index]


def _start_watchdog() -> None:
    global _watchdog
    with _lock:
        if _watchdog is None:
            _watchdog = threading.Thread(target=_run_watchdog, name="deadline", daemon=True)
            _watchdog.start()


def _run_watchdog() -> None:
    global _watchdog
    idle_since: float | None = None
    while True:
        time.sleep(POLL_S)
        now = monotonic()
        with _lock:
            if _in_flight:
                idle_since = None
                _fire_expired(now)
                continue
            idle_since = idle_since or now
            if now - idle_since >= IDLE_STOP_S:
                # A call that came in since the look above may have seen this thread and
                # started none: stop only if none came, after saying so.
                _watchdog = None
                if not _in_flight:
                    return
                _watchdog = threading.current_thread()


def _fire_expired(now: float) -> None:
    """Claim every call past its deadline, then interrupt it (the caller holds the lock)."""
    for token, (thread, deadline) in _in_flight.copy().items():  # calls come and go meanwhile
        if now >= deadline and _in_flight.pop(token, None) is not None:
            _ASYNC_EXC[0](thread, _Expired)  # type: ignore[index]
