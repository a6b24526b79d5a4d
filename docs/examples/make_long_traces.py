"""Write ``long_traces.jsonl``: long, redundant reasoning traces to try ``factory rewrite`` on.

Each row is one of our problems with its solver's reference trace plus redundant re-checks
(``factory.rewrite.corpus``): ``question``, ``trace``, ``answer``, and ``problem`` (the
Problem record, so the rewrite is verified by the task's own verifier).

    .venv/bin/python docs/examples/make_long_traces.py
"""

from __future__ import annotations

import json
from pathlib import Path

from factory.rewrite.corpus import long_trace_corpus

TRACES, SEED = 8, 0


def main() -> None:
    rows = [
        {
            "id": problem.problem_id,
            "question": problem.prompt,
            "trace": trace,
            "answer": problem.answer,
            "problem": problem.model_dump_json(),
        }
        for problem, trace in long_trace_corpus(TRACES, SEED)
    ]
    out = Path(__file__).with_name("long_traces.jsonl")
    out.write_text("".join(json.dumps(row, sort_keys=True) + "\n" for row in rows), "utf-8")
    print(f"wrote {len(rows)} traces → {out}")


if __name__ == "__main__":
    main()
