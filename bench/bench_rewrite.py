"""Rule-based concise rewrite on the long-trace corpus: token reduction, accuracy, speed.

Run: ``python bench/bench_rewrite.py [--traces N] [--seed S] [--tokenizer DIR]``.

The corpus (``factory.rewrite.corpus``) is our solvers' reference traces with 1–3
redundant re-checks appended (some inside ``<think>``); every trace verifies before the
cut. For ``confirmations`` 1 (cut after the first correct answer) and 2 (SBT: after the
second) it prints, per trace, the token reduction ``1 - tokens(cut) / tokens(original)``
(mean and median; an uncut trace counts as 0), the reduction of the corpus' total
tokens, the retained verified accuracy (share of cut traces the task verifier still
accepts; uncut traces are unchanged and so still correct) and the throughput of the cut
including the answer checks and the re-verification, in traces/s. Tokens are whitespace
words unless ``--tokenizer`` names a local Hugging Face tokenizer directory. The
reduction depends on how much redundancy the corpus appends (drawn per trace); the cut
point, the accuracy and the speed are what this measures.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--traces", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--tokenizer", help="local tokenizer directory (default: whitespace)")
    args = parser.parse_args()

    from factory.rewrite.corpus import long_trace_corpus
    from factory.rewrite.rule_cut import cut_after_first_correct
    from factory.scoring.answers import (
        external_redundancy,
        first_correct_answer,
        task_checker,
        whitespace_tokens,
    )
    from generators.registry import get_task

    count_tokens = whitespace_tokens
    tokenizer_name = "whitespace words"
    if args.tokenizer:
        from factory.backends.hf_tokenizer import load_hf_tokenizer

        tokenizer = load_hf_tokenizer(args.tokenizer, args.tokenizer)

        def count_tokens(text: str) -> int:
            return len(tokenizer.encode(text))

        tokenizer_name = f"tokenizer {args.tokenizer}"

    started = time.perf_counter()
    corpus = long_trace_corpus(args.traces, args.seed)
    built = time.perf_counter() - started
    tasks = sorted({problem.task for problem, _ in corpus})
    correct_before = sum(get_task(p.task).verify(p, text).passed for p, text in corpus)
    original_tokens = [count_tokens(text) for _, text in corpus]
    erd = [
        external_redundancy(text, first_correct_answer(text, task_checker(p)), count_tokens)
        for p, text in corpus
    ]
    print(
        f"corpus: {len(corpus)} traces, seed {args.seed}, {len(tasks)} tasks, built in "
        f"{built:.2f} s; tokens = {tokenizer_name}"
    )
    print(
        f"  verified correct before the cut: {correct_before}/{len(corpus)}; tokens per "
        f"trace mean {statistics.mean(original_tokens):.0f}, "
        f"ERD mean {statistics.mean(erd):.3f}"
    )

    for confirmations in (1, 2):
        started = time.perf_counter()
        cuts, passed = [], []
        for problem, text in corpus:
            result = cut_after_first_correct(
                text, task_checker(problem), confirmations=confirmations, count_tokens=count_tokens
            )
            passed.append(get_task(problem.task).verify(problem, result.text).passed)
            cuts.append(result)
        elapsed = time.perf_counter() - started
        cut_tokens = [count_tokens(result.text) for result in cuts]
        reductions = [
            1 - after / before for after, before in zip(cut_tokens, original_tokens, strict=True)
        ]
        n_cut = sum(result.cut for result in cuts)
        retained = sum(ok for ok, result in zip(passed, cuts, strict=True) if result.cut)
        print(f"confirmations={confirmations}: cut {n_cut}/{len(cuts)} traces")
        print(
            f"  token reduction per trace: mean {statistics.mean(reductions):.1%}, "
            f"median {statistics.median(reductions):.1%}, min {min(reductions):.1%}; "
            f"corpus total {1 - sum(cut_tokens) / sum(original_tokens):.1%}"
        )
        print(
            f"  retained verified accuracy: {retained}/{n_cut} cut traces "
            f"({retained / max(n_cut, 1):.1%}); all traces {sum(passed)}/{len(cuts)}"
        )
        print(
            f"  throughput (cut + checks + re-verification): "
            f"{len(cuts) / elapsed:,.0f} traces/s ({elapsed:.2f} s)"
        )


if __name__ == "__main__":
    main()
