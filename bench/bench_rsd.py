"""RSD engines against plain teacher decoding: model calls per emitted token and tokens/s.

Run: ``python bench/bench_rsd.py [--teacher DIR --student DIR] [--prompts N] [--max-tokens T]``.
Without models it builds the tests' tiny random Llama as teacher and a copy with every
weight nudged by ``--noise`` (5%) as the student, so acceptance is high. On the same
prompts and seeds, in one process, on CPU:

- plain: the teacher alone, RSD's sampling distribution and draws (``decode_plain``);
- token: token-by-token RSD, both models in process on KV caches (one teacher and one
  student forward per token);
- chunked: the teacher drafts ``draft_tokens`` tokens per call (more after a round that
  kept its whole draft) and the student scores a draft in one call (transformers backends
  here; any backend works).

With ``--in-flight N`` it also compares the ``chunked`` and ``sampled`` engines (the
teacher samples its own draft) with 1 and N samples in flight against plain teacher
sampling of every prompt at once, on the same backends (``--serve``: both models behind
one ``vllm serve``): ``--repeat R`` interleaves R rounds of plain and RSD runs (each RSD
run right after a plain one, its reference) and prints each engine's median ratio to
plain, ``--engines`` picks the engines, ``--skip-engines`` skips the in-process table.
One untimed run of each kind comes first (a fresh server's first requests pay one-time
costs).

"student ok" is the share of teacher candidates the student accepted (p >= p_th); "draft
acc." is the speculative-decoding acceptance: the share of drafted tokens the rule
emitted as drafted. A "call" is one request to a model: a forward pass for plain and
token, a generate (draft) or score request for chunked — each draft call runs up to
``draft_tokens`` decode steps inside the engine, which batches and caches them well.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teacher")
    parser.add_argument("--student")
    parser.add_argument("--noise", type=float, default=0.05)
    parser.add_argument(
        "--logit-scale", type=float, default=20.0, help="tiny teacher's confidence (tests: 20)"
    )
    parser.add_argument("--prompts", type=int, default=12)
    parser.add_argument("--max-tokens", type=int, default=128)
    parser.add_argument("--draft-tokens", type=int, default=8)
    parser.add_argument(
        "--in-flight",
        type=int,
        default=0,
        help="also compare samples in flight (1 vs this many) against plain teacher sampling "
        "of all prompts at once, on the same backends",
    )
    parser.add_argument(
        "--serve",
        action="store_true",
        help="with --in-flight: teacher and student behind one `vllm serve` of the teacher "
        "(HTTP), instead of transformers in process",
    )
    parser.add_argument(
        "--engines",
        default="chunked,sampled",
        help="with --in-flight: the engines to compare (comma-separated: chunked, sampled)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="with --in-flight: rounds of plain and RSD runs, interleaved; the median ratio "
        "of each is printed",
    )
    parser.add_argument(
        "--skip-engines",
        action="store_true",
        help="skip the in-process table (plain, token-by-token, chunked) before --in-flight",
    )
    args = parser.parse_args()

    from factory.backends.hf_tokenizer import load_hf_tokenizer
    from factory.backends.transformers_backend import TransformersBackend
    from factory.rsd.chunked import decode_chunked
    from factory.rsd.runner import prompt_ids
    from factory.rsd.token_engine import StepModel, decode_plain, decode_token_by_token
    from factory.rsd.vocab import SharedVocab
    from factory.stages import generate_shard
    from schemas.config import BuildConfig, PromptStyle, RSDParams

    teacher_dir, student_dir = args.teacher, args.student
    if teacher_dir is None:
        from tests.tiny_model import build_tiny_model, perturbed_copy

        work = Path(tempfile.mkdtemp(prefix="bench-rsd-"))
        teacher_dir = str(build_tiny_model(work / "teacher", logit_scale=args.logit_scale))
        student_dir = str(perturbed_copy(Path(teacher_dir), work / "student", args.noise))
    params = RSDParams(max_tokens=args.max_tokens, draft_tokens=args.draft_tokens)
    teacher_tokenizer = load_hf_tokenizer(teacher_dir, teacher_dir)
    student_tokenizer = load_hf_tokenizer(student_dir, student_dir)
    vocab = SharedVocab.build(
        teacher_tokenizer.vocab(), student_tokenizer.vocab(), params.min_shared_vocab
    )
    build = BuildConfig.model_validate(
        {"name": "b", "tasks": [{"task": "knights_knaves", "count": args.prompts}]}
    )
    problems = generate_shard(build, build.tasks[0], 0)
    prompts = [
        (
            prompt_ids(teacher_tokenizer, PromptStyle(), p.prompt),
            prompt_ids(student_tokenizer, PromptStyle(), p.prompt),
        )
        for p in problems
    ]
    eos = student_tokenizer.eos_token_id
    teacher_steps, student_steps = StepModel(teacher_dir), StepModel(student_dir)
    teacher_backend = TransformersBackend(teacher_dir, batch_size=1)
    student_backend = TransformersBackend(student_dir, batch_size=1)

    def plain():
        tokens, start = 0, teacher_steps.calls
        for seed, (teacher_prompt, _) in enumerate(prompts):
            tokens += len(decode_plain(teacher_steps, params, teacher_prompt, eos, seed, 0))
        return tokens, teacher_steps.calls - start, 0, None, None

    def rsd(decode, teacher, student):
        tokens = teacher_calls = student_calls = 0
        accepted, drafts = [], []
        for seed, (teacher_prompt, student_prompt) in enumerate(prompts):
            sample = decode(
                teacher, student, vocab, params, teacher_prompt, student_prompt, eos, seed
            )
            tokens += len(sample.token_ids)
            teacher_calls += sample.teacher_calls
            student_calls += sample.student_calls
            accepted.append(sample.acceptance_rate)
            drafts.append(sample.draft_acceptance)
        mean_draft = None if None in drafts else sum(drafts) / len(drafts)
        return tokens, teacher_calls, student_calls, sum(accepted) / len(accepted), mean_draft

    if args.skip_engines:
        in_flight(args, params, vocab, prompts, eos, teacher_dir, student_dir)
        return
    runs = {
        "plain teacher": plain,
        "RSD token-by-token": lambda: rsd(decode_token_by_token, teacher_steps, student_steps),
        "RSD chunked": lambda: rsd(decode_chunked, teacher_backend, student_backend),
    }
    print(
        f"{len(prompts)} prompts, max_tokens={params.max_tokens}, draft_tokens="
        f"{params.draft_tokens}, p_th={params.p_th}, k={params.k}, trials={params.trials}"
    )
    header = f"{'engine':<20} {'tokens':>7} {'teacher calls/tok':>18} {'student calls/tok':>18}"
    print(header + f" {'tokens/s':>9} {'student ok':>11} {'draft acc.':>11}")
    results = {}
    for name, run in runs.items():
        start = time.perf_counter()
        tokens, teacher_calls, student_calls, acceptance, draft_kept = run()
        seconds = time.perf_counter() - start
        results[name] = teacher_calls / tokens
        shown = ["-" if v is None else f"{v:.1%}" for v in (acceptance, draft_kept)]
        print(
            f"{name:<20} {tokens:>7} {teacher_calls / tokens:>18.3f} "
            f"{student_calls / tokens:>18.3f} {tokens / seconds:>9.1f} {shown[0]:>11} "
            f"{shown[1]:>11}"
        )
    ratio = results["RSD chunked"] / results["RSD token-by-token"]
    print(f"chunked / token-by-token teacher calls per token: {ratio:.3f} (target <= 0.333)")
    if args.in_flight:
        in_flight(args, params, vocab, prompts, eos, teacher_dir, student_dir)


def in_flight(args, params, vocab, prompts, eos, teacher_dir, student_dir) -> None:
    """RSD tokens/s with 1 and with ``--in-flight`` samples in flight, against plain teacher
    sampling of every prompt at once (batched / concurrent) on the same backends."""
    from factory.backends.base import GenerationRequest, SamplingParams
    from factory.rsd.chunked import Job, decode_chunked_many

    server = None
    if args.serve:
        from factory.backends.hf_tokenizer import load_hf_tokenizer
        from factory.backends.openai import OpenAIBackend
        from tests.model_fixtures import start_vllm_server

        log = Path(tempfile.mkdtemp(prefix="bench-rsd-serve-")) / "log.txt"
        server = start_vllm_server(Path(teacher_dir), log)
        tokenizer = load_hf_tokenizer(teacher_dir, teacher_dir)

        def connect():
            return OpenAIBackend(
                teacher_dir,
                [server.base_url],
                api_key_env=None,
                concurrency=max(args.in_flight, 1),
                tokenizer=tokenizer,
            )

        teacher, student, where = connect(), connect(), "HTTP (vllm serve, student = teacher)"
    else:
        from factory.backends.transformers_backend import TransformersBackend

        batch = max(args.in_flight, 1)
        teacher = TransformersBackend(teacher_dir, batch_size=batch)
        student = TransformersBackend(student_dir, batch_size=batch)
        where = "transformers in process"
    try:
        jobs = [Job(tuple(t), tuple(s), eos, seed) for seed, (t, s) in enumerate(prompts)]
        plain = SamplingParams(
            temperature=params.temperature,
            top_p=params.top_p,
            max_tokens=params.max_tokens,
            seed=0,
        )
        requests = [GenerationRequest(prompt_token_ids=tuple(t), params=plain) for t, _ in prompts]
        print(f"\n{where}: {len(prompts)} prompts, max_tokens={params.max_tokens}")
        print(
            f"{'run':<28} {'in flight':>9} {'tokens':>7} {'tokens/s':>9} {'teacher calls/tok':>18}"
            f" {'student calls/tok':>18}"
        )
        engines, count_max = args.engines.split(","), max(args.in_flight, 1)
        # A fresh server's first requests of a kind pay one-time costs (seconds on the CPU
        # engine, more than a whole run): one untimed run of each kind first.
        list(teacher.generate(requests))
        for engine in engines:
            sampled = engine == "sampled"
            list(decode_chunked_many(teacher, student, vocab, params, jobs, count_max, sampled))
        ratios: dict[tuple[str, int], list[float]] = {}

        def plain_rate() -> float:
            """Plain teacher sampling, run just before each RSD run it is compared with
            (this shared machine's load drifts within seconds)."""
            start = time.perf_counter()
            tokens = sum(g.samples[0].num_tokens for _, g in teacher.generate(requests))
            rate = tokens / (time.perf_counter() - start)
            print(
                f"{'plain teacher sampling':<28} {len(requests):>9} {tokens:>7} "
                f"{rate:>9.1f} {'-':>18} {'-':>18}"
            )
            return rate

        for _ in range(args.repeat):
            for engine in engines:
                for count in sorted({1, args.in_flight}):
                    reference = plain_rate()
                    start = time.perf_counter()
                    decoded = decode_chunked_many(
                        teacher, student, vocab, params, jobs, count, engine == "sampled"
                    )
                    samples = [sample for _, sample in decoded]
                    rate = sum(len(s.token_ids) for s in samples) / (time.perf_counter() - start)
                    ratios.setdefault((engine, count), []).append(rate / reference)
                    print(rsd_line(engine, count, samples, rate, reference))
        for (engine, count), values in ratios.items():
            shown = " ".join(f"{v:.2f}" for v in values)
            print(
                f"RSD {engine}, {count} in flight: median {statistics.median(values):.2f}x plain"
                f" ({shown})"
            )
    finally:
        teacher.close()
        student.close()
        if server is not None:
            server.stop()


def rsd_line(engine: str, count: int, samples: list, rate: float, plain_rate: float) -> str:
    """One RSD run's row: tokens, tokens/s, calls per token, ratio to plain."""
    tokens = sum(len(sample.token_ids) for sample in samples)
    teacher = sum(sample.teacher_calls for sample in samples) / tokens
    student = sum(sample.student_calls for sample in samples) / tokens
    return (
        f"{'RSD ' + engine:<28} {count:>9} {tokens:>7} {rate:>9.1f} {teacher:>18.3f} "
        f"{student:>18.3f}  ({rate / plain_rate:.2f}x plain)"
    )


if __name__ == "__main__":
    main()
