"""Run a Python module under a wall-clock stack sampler: where a process's time goes,
waits and C calls included, at a few percent of overhead (cProfile inflates every Python
call, so it overstates pure-Python work such as generation against I/O and C).

Run: ``python bench/wall_sampler.py OUT.json -m MODULE [ARG ...]`` — runs ``MODULE`` as
``python -m MODULE ARG ...`` would, in this process, while a thread reads the main
thread's stack every ``INTERVAL`` seconds; ``OUT.json`` gets the wall seconds and, per
``"file:function"``, the share of samples whose stack held that function (each function
counted once a sample, so the shares are inclusive, like cProfile's cumulative time).
"""

from __future__ import annotations

import collections
import json
import runpy
import sys
import threading
import time
from pathlib import Path

INTERVAL = 0.002


class StackSampler:
    def __init__(self, thread_id: int) -> None:
        self.thread_id = thread_id
        self.samples = 0
        self.counts: collections.Counter[str] = collections.Counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> StackSampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(INTERVAL):
            frame = sys._current_frames().get(self.thread_id)
            seen = set()
            while frame is not None:
                seen.add(f"{frame.f_code.co_filename}:{frame.f_code.co_name}")
                frame = frame.f_back
            self.samples += 1
            self.counts.update(seen)


def main() -> None:
    out, flag, module, *args = sys.argv[1:]
    if flag != "-m":
        raise SystemExit("usage: wall_sampler.py OUT.json -m MODULE [ARG ...]")
    sys.argv = [module, *args]
    start = time.perf_counter()
    with StackSampler(threading.get_ident()) as sampler:
        try:
            runpy.run_module(module, run_name="__main__", alter_sys=True)
        except SystemExit as stop:
            if stop.code not in (None, 0):
                raise
    wall = time.perf_counter() - start
    shares = {where: count / max(sampler.samples, 1) for where, count in sampler.counts.items()}
    Path(out).write_text(json.dumps({"wall_s": wall, "samples": sampler.samples, "shares": shares}))


if __name__ == "__main__":
    main()
