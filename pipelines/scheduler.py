"""Where a build's Luigi workers get their tasks: a scheduler inside this process, or a
central ``luigid`` that many worker processes on one or many machines share.

With ``luigid`` every invocation of the same build adds the same task graph; the
scheduler hands each task to one worker at a time, so each shard is built once. A worker
that runs out of tasks while others still run theirs (or while a dead worker's task
waits for the scheduler to notice the death) asks again after a pause, until the
version is published or a task fails under it.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections.abc import Callable

import luigi
import luigi.rpc
from luigi.execution_summary import LuigiRunResult

from factory.errors import BuildError

POLL_S = 2.0
PROBE_TIMEOUT_S = 10.0


def run_tasks(
    task: luigi.Task,
    *,
    workers: int,
    scheduler_url: str | None,
    finished: Callable[[], bool],
    poll_s: float = POLL_S,
) -> LuigiRunResult:
    """Build ``task``; with a ``scheduler_url`` keep asking for work until ``finished()``
    (another worker may hold the last tasks) or a task fails in this process."""
    if scheduler_url is None:
        return _build(task, workers, local_scheduler=True)
    while True:
        try:
            result = _build(task, workers, local_scheduler=False, scheduler_url=scheduler_url)
        except luigi.rpc.RPCError as error:
            raise BuildError(
                f"lost the Luigi scheduler at {scheduler_url} ({error}); finished shards are "
                "kept, start the workers again to resume"
            ) from None
        if not result.scheduling_succeeded or finished():
            return result
        time.sleep(poll_s)


def _build(task: luigi.Task, workers: int, **scheduler: object) -> LuigiRunResult:
    return luigi.build(
        [task], workers=workers, detailed_summary=True, log_level="WARNING", **scheduler
    )


def check_reachable(url: str) -> None:
    """Fail fast with a plain message, not after Luigi's minute of RPC retries."""
    try:
        with urllib.request.urlopen(url, timeout=PROBE_TIMEOUT_S):
            pass
    except urllib.error.HTTPError:
        return  # something answers HTTP there; Luigi reports it if it is not luigid
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        raise BuildError(
            f"--scheduler-url {url}: no Luigi scheduler answers there ({reason}); start one "
            "with `luigid --port 8082` on the scheduler machine"
        ) from None
