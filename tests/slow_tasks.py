"""A toy task whose generation can be held and watched, so a test can kill a worker
process while it is inside a shard and see which process built which problem.

Environment (read on every call; unset: behaves exactly like ``toy_sum``):
``SLOW_SUM_LOG``  a file that gets one ``<pid> <index>`` line per generated problem;
``SLOW_SUM_HOLD`` while this file exists, generation waits.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from random import Random

from generators.base import Instance
from tests.toy_tasks import ToySum, ToySumConfig

HOLD_POLL_S = 0.05


class SlowSum(ToySum):
    name = "toy_slow_sum"

    def generate(self, config: ToySumConfig, rng: Random, index: int) -> Instance:
        log = os.environ.get("SLOW_SUM_LOG")
        if log:
            with open(log, "a", encoding="utf-8") as handle:
                handle.write(f"{os.getpid()} {index}\n")
        hold = os.environ.get("SLOW_SUM_HOLD")
        while hold and Path(hold).exists():
            time.sleep(HOLD_POLL_S)
        return super().generate(config, rng, index)
