"""Pipeline efficiency: the work a build's problems need, over the build's wall time.

Run: ``python bench/bench_efficiency.py [--sizes 20000] [--mix quickstart scale]
[--no-quickstart] [--rounds N] [--workers N] [--profile] [--sample] [--json]``.

For each config — the quick start (``configs/quickstart.yaml``) and, for each of
``--sizes``, model-free mixes of that many problems: the quick start's subsets scaled up
(``quickstart``, shards of 1000) and the eight fast generators of ``bench/bench_scale.py``
(``scale``, shards of 5000) — this measures:

- **work**: in this process, for every problem the build publishes, what the build's
  stages compute for it: ``make_problem`` for every candidate index the build generates
  (``0..count-1``, plus the further draws dedup made), the reference ``solve`` and the
  ``verify`` of its trace (``factory.stages``, no Luigi, no files);
- **build**: the wall time of a fresh ``factory build --workers 1`` subprocess into a
  temporary output root, interpreter start-up to published version (``--workers N``:
  with N workers instead, e.g. 2, the quick start's own setting, for its wall time),
  the project's modules cached as bytecode first as after a user's first build
  (:func:`compile_bytecode`);
- **efficiency** = work / build (target ≥ 0.85 on a 20,000-problem mix; the quick
  start's build ≤ 5 s on an idle 2-core machine), also in CPU seconds (the build's
  processes, the work in this one), which a loaded machine disturbs less.

Each round measures half the work (every other problem of each subset) right before its
build and the other half right after, so that a drift of the machine's speed during the
round moves both sides alike; an uncounted first build tells which problems a build
publishes (and leaves the page cache as after a user's previous build).

With ``--profile`` each build runs once more under cProfile (single worker: Luigi runs
the tasks in the build's own process) and the build's time is broken down by what it
spent it on (cumulative seconds; the rows overlap where one calls another). cProfile
inflates every Python call, so ``--sample`` gives the same rows in wall seconds from a
build run under ``bench/wall_sampler.py`` instead (a stack sample every 2 ms).
"""

from __future__ import annotations

import argparse
import compileall
import json
import pstats
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from bench_scale import write_config  # noqa: E402

from factory.config import load_build_config  # noqa: E402
from factory.stages import problem_maker, reference_trace, verify_trace  # noqa: E402
from factory.storage.layout import BuildLayout, is_data_file  # noqa: E402
from factory.storage.parquet_io import read_table  # noqa: E402
from schemas.config import BuildConfig  # noqa: E402

QUICKSTART = REPO / "configs" / "quickstart.yaml"
PACKAGES = ["cli", "factory", "generators", "pipelines", "schemas"]

# (label, where the profiled function lives, its name): cumulative seconds of each
BREAKDOWN = [
    ("interpreter imports", "<frozen importlib._bootstrap>", "_find_and_load"),
    ("luigi.build (all tasks)", "luigi/interface.py", "build"),
    ("  generate (make_problem)", "generators/base.py", "make_problem"),
    ("  solve + self-check", "factory/stages.py", "solve_and_self_check"),
    ("  dedup keys (structural_key64)", "factory/quality/problem_keys.py", "structural_key64"),
    ("  stage writes (Parquet, sha256)", "factory/storage/stage_files.py", "write_stage_table"),
    ("  stage reads (sha256, Parquet)", "factory/storage/stage_files.py", "read_stage_table"),
    ("  records -> Arrow", "schemas/arrow.py", "to_table"),
    ("  Arrow -> records", "schemas/arrow.py", "from_table"),
    ("  completeness checks", "factory/storage/stage_files.py", "stage_problem"),
    ("  progress display", "pipelines/build_progress.py", "tick"),
    ("  publish_version", "factory/publish/store.py", "publish_version"),
    ("    assemble shards", "factory/publish/assemble.py", "assemble_shard"),
    ("    re-verify rows", "factory/publish/reverify.py", "reference_failures"),
    ("    data file writes", "factory/storage/parquet_io.py", "write_table_atomic"),
    ("    audit", "factory/quality/audit.py", "audit"),
    ("    card + figures", "factory/publish/card.py", "write_card"),
    ("      figures", "factory/publish/card_figures.py", "write_figures"),
]


@dataclass
class Result:
    config: str
    problems: int
    work_s: float
    build_s: float
    work_cpu_s: float
    build_cpu_s: float
    generate_s: float
    solve_s: float
    verify_s: float
    rounds: list[float] = field(default_factory=list)
    """Each round's efficiency, its work (measured around its build) over its build: the
    machine's speed drifts, and these show how far the median ratio can move."""
    breakdown: dict[str, float] = field(default_factory=dict)
    profiled_build_s: float | None = None
    sampled: dict[str, float] = field(default_factory=dict)
    sampled_build_s: float | None = None

    @property
    def efficiency(self) -> float:
        return self.work_s / self.build_s

    @property
    def cpu_efficiency(self) -> float:
        """The same ratio in CPU seconds: steadier than wall time on a loaded machine."""
        return self.work_cpu_s / self.build_cpu_s


def compile_bytecode() -> None:
    """Cache the project's modules as bytecode, as a user's first build does by itself:
    where PYTHONDONTWRITEBYTECODE is set (as on our CI machines) nothing gets cached, and
    every measured build would compile them from source again (~0.15-0.2 s of start-up)."""
    for package in PACKAGES:
        compileall.compile_dir(REPO / package, quiet=1)


def quickstart_config(root: Path) -> Path:
    data = yaml.safe_load(QUICKSTART.read_text())
    data["output_root"] = str(root / "out")
    path = root / "quickstart.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def scale_mix_config(root: Path, size: int, shard_size: int) -> Path:
    """``bench/bench_scale.py``'s mix: eight fast generators at low and mid levels."""
    path = root / f"scale-mix-{size}.yaml"
    write_config(path, root / "out", size, shard_size)
    return path


def quickstart_mix_config(root: Path, size: int, shard_size: int) -> Path:
    """The quick start's subsets, levels and knobs with their counts scaled to ``size``
    (dedup off: its lowest levels hold fewer distinct problems than that)."""
    data = yaml.safe_load(QUICKSTART.read_text())
    total = sum(spec["count"] for spec in data["tasks"])
    counts = [spec["count"] * size // total for spec in data["tasks"]]
    counts[0] += size - sum(counts)
    for spec, count in zip(data["tasks"], counts, strict=True):
        spec["count"] = count
    data |= {"name": "quickstart-mix", "output_root": str(root / "out")}
    data |= {"shard_size": shard_size, "dedup": False}
    path = root / f"quickstart-mix-{size}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


MIXES = {"quickstart": (quickstart_mix_config, 1_000), "scale": (scale_mix_config, 5_000)}


def build_command(
    config: Path, workers: int, profile: Path | None = None, sample: Path | None = None
) -> list[str]:
    runner = ["-m", "cProfile", "-o", str(profile)] if profile else []
    if sample:
        runner = [str(REPO / "bench" / "wall_sampler.py"), str(sample)]
    build = ["build", str(config), "--workers", str(workers)]
    return [sys.executable, *runner, "-m", "cli.main", *build]


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_build(
    config: Path,
    out: Path,
    workers: int = 1,
    profile: Path | None = None,
    sample: Path | None = None,
) -> tuple[float, float]:
    """Wall and CPU seconds of one fresh ``factory build`` (start-up included); the output
    root is emptied first so that nothing is resumed."""
    shutil.rmtree(out, ignore_errors=True)
    cpu, start = children_cpu(), time.perf_counter()
    command = build_command(config, workers, profile, sample)
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"build of {config} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return seconds, children_cpu() - cpu


def published_indices(config: BuildConfig) -> dict[str, list[int]]:
    """Each subset's published problem indices, from the version's data files."""
    layout = BuildLayout.of(config)
    manifest = json.loads((Path(layout.version_dir) / "manifest.json").read_text())
    indices: dict[str, list[int]] = {}
    for entry in manifest["files"]:
        if is_data_file(entry["path"]):
            subset = entry["path"].split("/")[1]
            table = read_table(Path(layout.version_dir) / entry["path"], ["index"])
            indices.setdefault(subset, []).extend(table["index"].to_pylist())
    return {subset: sorted(found) for subset, found in indices.items()}


def measure_work(
    config: BuildConfig, published: dict[str, list[int]], part: int = 0, parts: int = 1
) -> tuple[float, ...]:
    """(generate, solve, verify, CPU) seconds for what the build computed per problem:
    every candidate index and further draw generated, every published problem solved and
    its trace verified; of each subset's indices, every ``parts``-th from the ``part``-th
    (the whole work is the sum over the parts)."""
    generate = solve = verify = 0.0
    clock = time.perf_counter
    cpu = time.process_time()
    for spec in config.tasks:
        make = problem_maker(config, spec)
        kept = set(published.get(spec.subset, []))
        indices = sorted(set(range(spec.count)) | kept)[part::parts]
        for index in indices:
            t0 = clock()
            problem = make(index)
            t1 = clock()
            generate += t1 - t0
            if index not in kept:
                continue
            trace = reference_trace(problem)
            t2 = clock()
            verdict = verify_trace(problem, trace)
            t3 = clock()
            solve += t2 - t1
            verify += t3 - t2
            if not verdict.passed:
                raise SystemExit(f"{problem.problem_id}: reference trace fails: {verdict.reason}")
    return generate, solve, verify, time.process_time() - cpu


def breakdown(profile: Path) -> dict[str, float]:
    stats = pstats.Stats(str(profile)).stats  # type: ignore[attr-defined]
    figures = {}
    for label, where, name in BREAKDOWN:
        total = sum(
            cumulative
            for (filename, _, function), (_, _, _, cumulative, _) in stats.items()
            if function == name and filename.endswith(where)
        )
        figures[label] = round(total, 3)
    return figures


def sampled_breakdown(samples: Path) -> tuple[float, dict[str, float]]:
    """The sampled build's wall seconds and, per ``BREAKDOWN`` row, its wall seconds."""
    data = json.loads(samples.read_text())
    wall, shares = data["wall_s"], data["shares"]
    figures = {}
    for label, where, name in BREAKDOWN:
        share = max(
            (s for key, s in shares.items() if key.endswith(f"{where}:{name}")), default=0.0
        )
        figures[label] = round(share * wall, 3)
    return wall, figures


def bench(
    name: str, path: Path, rounds: int, profile: bool, workers: int = 1, sample: bool = False
) -> Result:
    config = load_build_config(str(path))
    out = Path(config.output_root)
    run_build(path, out, workers)  # not counted: it tells which problems are published
    published = published_indices(config)
    builds, works = [], []
    for _ in range(rounds):  # half the work on either side of each build (see the top)
        before = measure_work(config, published, 0, 2)
        builds.append(run_build(path, out, workers))
        after = measure_work(config, published, 1, 2)
        works.append(tuple(a + b for a, b in zip(before, after, strict=True)))
    generate, solve, verify, work_cpu = (statistics.median(w[i] for w in works) for i in range(4))
    result = Result(
        config=name,
        problems=sum(len(found) for found in published.values()),
        work_s=generate + solve + verify,
        build_s=statistics.median(wall for wall, _ in builds),
        work_cpu_s=work_cpu,
        build_cpu_s=statistics.median(cpu for _, cpu in builds),
        generate_s=generate,
        solve_s=solve,
        verify_s=verify,
        rounds=[sum(w[:3]) / wall for (wall, _), w in zip(builds, works, strict=True)],
    )
    if profile:
        stats_file = path.with_suffix(".prof")
        result.profiled_build_s = run_build(path, out, 1, stats_file)[0]
        result.breakdown = breakdown(stats_file)
    if sample:
        samples = path.with_suffix(".samples.json")
        run_build(path, out, 1, sample=samples)
        result.sampled_build_s, result.sampled = sampled_breakdown(samples)
    shutil.rmtree(out, ignore_errors=True)
    return result


def report(result: Result) -> str:
    lines = [
        f"{result.config}: {result.problems} problems; work {result.work_s:.2f} s "
        f"(generate {result.generate_s:.2f}, solve {result.solve_s:.2f}, "
        f"verify {result.verify_s:.2f}); build {result.build_s:.2f} s wall; "
        f"efficiency {result.efficiency:.2f} (CPU: work {result.work_cpu_s:.2f} s, build "
        f"{result.build_cpu_s:.2f} s, {result.cpu_efficiency:.2f})"
    ]
    if len(result.rounds) > 1:
        lines.append("  efficiency per round: " + ", ".join(f"{e:.2f}" for e in result.rounds))
    if result.breakdown:
        lines.append(f"  under cProfile: build {result.profiled_build_s:.2f} s; cumulative s:")
        lines += [f"    {label:<36} {seconds:8.2f}" for label, seconds in result.breakdown.items()]
    if result.sampled:
        lines.append(f"  sampled (wall clock): build {result.sampled_build_s:.2f} s; inclusive s:")
        lines += [f"    {label:<36} {seconds:8.2f}" for label, seconds in result.sampled.items()]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="*", default=[20_000])
    parser.add_argument(
        "--mix",
        nargs="+",
        choices=list(MIXES),
        default=list(MIXES),
        help="the mixed configs: the quick start's tasks scaled up, or bench_scale.py's mix",
    )
    parser.add_argument(
        "--shard-size", type=int, help="of the mixed configs (default: 1000 / 5000)"
    )
    parser.add_argument("--no-quickstart", action="store_true")
    parser.add_argument("--rounds", type=int, default=1, help="builds and work runs, median")
    parser.add_argument(
        "--workers", type=int, default=1, help="the builds' Luigi workers (default: 1)"
    )
    parser.add_argument("--profile", action="store_true", help="a cProfile breakdown too")
    parser.add_argument(
        "--sample", action="store_true", help="a wall-clock breakdown too (bench/wall_sampler.py)"
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per config")
    args = parser.parse_args()
    compile_bytecode()
    work = Path(tempfile.mkdtemp(prefix="bench-efficiency-"))
    try:
        configs = [] if args.no_quickstart else [("quickstart", quickstart_config(work))]
        for mix in args.mix:
            write, shard_size = MIXES[mix]
            configs += [
                (f"{mix}-mix-{size}", write(work, size, args.shard_size or shard_size))
                for size in args.sizes
            ]
        for name, path in configs:
            result = bench(name, path, args.rounds, args.profile, args.workers, args.sample)
            if args.json:
                figures = {"efficiency": result.efficiency, "cpu_efficiency": result.cpu_efficiency}
                print(json.dumps(asdict(result) | figures), flush=True)
            else:
                print(report(result), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
