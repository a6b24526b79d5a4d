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

A late exception cannot escape the call: the call leaves the watch under the watchdog's
lock, and one fired but not yet delivered is withdrawn there.
"""

from __future__ import annotations

import ctypes
import itertools
import threading
import time
from collections.abc import Callable
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


# The calls being watched: token -> [thread id, deadline, fired]. Plain lists, as a call's
# bookkeeping is on every reward's path.
_THREAD, _DEADLINE, _FIRED = 0, 1, 2
_lock = threading.Lock()
_in_flight: dict[int, list] = {}
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
    _watch(token, [threading.get_ident(), time.monotonic() + seconds, False])
    try:
        try:
            return fn(*args, **kwargs)
        finally:
            _unwatch(token)
    except _Expired:
        _unwatch(token)  # if the exception landed before the first _unwatch took the call
        raise DeadlineExceeded(f"call exceeded its {seconds:g} s bound") from None


def _watch(token: int, call: list) -> None:
    global _watchdog
    with _lock:
        _in_flight[token] = call
        if _watchdog is None:
            _watchdog = threading.Thread(target=_run_watchdog, name="deadline", daemon=True)
            _watchdog.start()


def _unwatch(token: int) -> None:
    with _lock:
        call = _in_flight.pop(token, None)
        if call is not None and call[_FIRED]:  # fired, not delivered yet: withdraw it
            _ASYNC_EXC[1](call[_THREAD], None)  # type: ignore[index]


def _run_watchdog() -> None:
    global _watchdog
    idle_since: float | None = None
    while True:
        time.sleep(POLL_S)
        now = time.monotonic()
        with _lock:
            if not _in_flight:
                idle_since = idle_since or now
                if now - idle_since >= IDLE_STOP_S:
                    _watchdog = None
                    return
                continue
            idle_since = None
            for call in _in_flight.values():
                if not call[_FIRED] and now >= call[_DEADLINE]:
                    call[_FIRED] = True
                    _ASYNC_EXC[0](call[_THREAD], _Expired)  # type: ignore[index]
