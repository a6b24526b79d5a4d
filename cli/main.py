"""The ``factory`` command line.

A failure the user can fix prints one line on stderr and exits 2; Ctrl-C exits 130.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from cli import audit as cli_audit
from cli import export as cli_export
from cli import hub as cli_hub
from cli import scale as cli_scale
from cli import versions as cli_versions
from cli.args import Parser, add_quiet, bounded_int, non_negative, progress_mode
from cli.args import workers as args_workers
from factory import __version__
from factory.config import describe_validation_error, load_build_config, resolve_task
from factory.errors import ConfigError, FactoryError, one_line
from factory.progress import default_mode_as

INTERRUPTED = "interrupted — rerun the same command to resume"
ANSWER_HINT = (
    "hint: the response is scored as a model's whole output: put the final answer inside "
    "<answer></answer>, e.g. --answer '<answer>…</answer>', or pass --bare"
)
INTERRUPTED_EXIT = 130


def _parse_knobs(pairs: list[str]) -> dict[str, Any]:
    knobs: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ConfigError(f"--knob {pair!r}: expected NAME=VALUE")
        knobs[key] = yaml.safe_load(value)
    return knobs


def cmd_tasks(args: argparse.Namespace) -> None:
    from cli.describe import by_family, describe_task, task_record, task_summary
    from generators.registry import family_names, task_names

    if args.family is not None and args.family not in by_family(task_names()):
        known = ", ".join(family_names())
        raise ConfigError(f"--family: unknown family '{args.family}'; known families: {known}")
    names = [resolve_task(name, "factory tasks").name for name in args.names] or task_names()
    if args.family is not None:
        names = by_family(names).get(args.family, [])
    if args.json:
        from generators.registry import get_task

        print(json.dumps([task_record(get_task(name)) for name in names], indent=2, default=str))
    elif args.names:
        print("\n\n".join(describe_task(resolve_task(name)) for name in names))
    else:
        print(task_summary(names))


def cmd_sample(args: argparse.Namespace) -> None:
    from factory.stages import reference_trace, verify_trace
    from generators.base import GenerationError, make_problem

    task = resolve_task(args.task)
    try:
        config = task.config_for_level(args.level, _parse_knobs(args.knob))
    except ValidationError as error:
        raise ConfigError(describe_validation_error(error, ("knobs",))) from None
    except ValueError as error:
        raise ConfigError(f"--level: {error}") from None
    try:
        problem = make_problem(task, config, args.seed, args.index, args.level)
    except GenerationError as error:
        raise FactoryError(
            f"{task.name} seed={args.seed} index={args.index}: {error} "
            "(another --seed or --index may work)"
        ) from None
    trace = reference_trace(problem)
    if args.json:
        record = problem.model_dump(mode="json")
        record["reference_trace"] = trace.model_dump(
            mode="json", include={"text", "answer", "solver_stats"}
        )
        print(json.dumps(record, indent=2))
        return
    verdict = verify_trace(problem, trace)
    print(f"# {task.name} level={args.level} seed={args.seed} index={args.index}")
    print(f"# problem_id={problem.problem_id}\n\n## Prompt\n{problem.prompt}")
    print(f"\n## Answer\n{problem.answer}\n\n## Reference trace\n{trace.text}")
    print(f"\n## Verifier\nscore={verdict.score} ({verdict.reason}); solver {trace.solver_stats}")


def cmd_build(args: argparse.Namespace) -> None:
    from cli.scale import build_report
    from pipelines.build import run_build

    config = load_build_config(args.config)
    result = run_build(
        config,
        workers=args.workers,
        overwrite=args.overwrite,
        scheduler_url=args.scheduler_url,
        progress=progress_mode(args),
        retry_failed=args.retry_failed,
    )
    print(build_report(result))


def cmd_rewrite(args: argparse.Namespace) -> None:
    from factory.rewrite.job import load_rewrite_config, run_rewrite

    if args.source.endswith((".yaml", ".yml")):
        config = load_rewrite_config(args.source)
    else:
        config = rewrite_config_from_flags(args)
    from factory.progress import ProgressDisplay

    unit = "traces" if config.teacher is None else "requests"  # a teacher's rounds share it
    with ProgressDisplay(f"rewrite {config.name} {config.version}", unit=unit):
        result = run_rewrite(config, overwrite=args.overwrite)
    figures = result.manifest["figures"]
    print(
        f"rewrote {result.manifest['name']} {result.manifest['version']}: "
        f"{figures['kept_rewrites']}/{figures['traces']} rewrites kept, "
        f"mean {figures['mean_token_reduction']:.1%} fewer tokens, verified "
        f"{figures['verified_before']} before / {figures['verified_after']} after "
        f"→ {result.version_dir}"
    )


def rewrite_config_from_flags(args: argparse.Namespace) -> Any:
    """``factory rewrite INPUT --question COL ...``: a rule rewrite without a config file."""
    from factory.rewrite.job import RewriteConfig

    columns = {
        key: getattr(args, key)
        for key in ("question", "trace", "answer", "problem", "id")
        if getattr(args, key) is not None
    }
    data = {
        "name": args.name or Path(args.source).stem.replace(".", "-"),
        "version": args.version,
        "output_root": args.output_root,
        "input": args.source,
        "columns": columns,
        "confirmations": args.confirmations,
        "tokenizer": args.tokenizer,
    }
    try:
        return RewriteConfig.model_validate(data)
    except ValidationError as error:
        raise ConfigError(f"factory rewrite: {describe_validation_error(error)}") from None


def cmd_inspect(args: argparse.Namespace) -> None:
    from factory.publish.inspect import inspect_version

    print(inspect_version(args.dataset_dir))


def _read_answer(args: argparse.Namespace) -> str:
    if args.answer is not None:
        return args.answer
    if args.answer_file is not None:
        try:
            return Path(args.answer_file).read_text(encoding="utf-8")
        except OSError as error:
            raise FactoryError(f"--answer-file {args.answer_file}: {error.strerror}") from None
    return sys.stdin.read()


def cmd_verify(args: argparse.Namespace) -> None:
    from factory.publish.lookup import find_problem, problem_from_record_file

    task = resolve_task(args.task)
    if args.record:
        problem = problem_from_record_file(Path(args.record))
    else:
        problem = find_problem(Path(args.dataset), args.problem_id)
    if problem.task != task.name:
        raise FactoryError(f"the problem is a '{problem.task}' problem, not '{task.name}'")
    response = _read_answer(args)
    if args.bare:
        response = f"<answer>{response.strip()}</answer>"
    verdict = task.verify(problem, response)
    print(verdict.model_dump_json(indent=2))
    if "<answer>" not in response.lower():
        print(ANSWER_HINT, file=sys.stderr)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="factory", description=__doc__.replace("``", ""))
    parser.add_argument(
        "--version", action="version", version=f"factory {__version__}", help="print the version"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    tasks = commands.add_parser(
        "tasks", help="list tasks by family; with TASK names, their knobs, bounds and levels"
    )
    tasks.add_argument(
        "names", nargs="*", metavar="TASK", help="tasks to describe in full, e.g. sudoku nlsat"
    )
    tasks.add_argument(
        "--family",
        default=None,
        help="only this family's tasks, e.g. synlogic (see: factory tasks)",
    )
    tasks.add_argument(
        "--json",
        action="store_true",
        help="a JSON list: name, family, version, description, levels, knobs",
    )
    tasks.set_defaults(func=cmd_tasks)

    sample = commands.add_parser("sample", help="print a problem, its answer and reference trace")
    sample.add_argument("task", help="a task name, e.g. knights_knaves (see: factory tasks)")
    sample.add_argument(
        "--level",
        type=int,
        default=None,
        help="difficulty level 1..10, e.g. 4 (default: the knobs' defaults)",
    )
    sample.add_argument(
        "--seed", type=non_negative, default=0, help="generation seed >= 0, e.g. 7 (default: 0)"
    )
    sample.add_argument(
        "--index", type=non_negative, default=0, help="problem index >= 0, e.g. 3 (default: 0)"
    )
    sample.add_argument(
        "--knob",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a task knob, e.g. n_people=6 (repeatable; VALUE is read as YAML)",
    )
    sample.add_argument(
        "--json", action="store_true", help="print the problem record and reference trace as JSON"
    )
    sample.set_defaults(func=cmd_sample)

    build = commands.add_parser("build", help="run the build workflow for a config")
    build.add_argument("config", help="a build config, e.g. configs/quickstart.yaml")
    build.add_argument(
        "--workers",
        type=args_workers,
        default=None,
        help="Luigi worker processes, 1..256, e.g. 4 (default: the config's workers)",
    )
    build.add_argument(
        "--overwrite", action="store_true", help="discard an existing version and rebuild it"
    )
    build.add_argument(
        "--retry-failed",
        action="store_true",
        help="ask the model again for the requests that failed (answered ones come from "
        "the request cache) and publish the version again; no --overwrite needed",
    )
    cli_scale.add_build_arguments(build)
    add_quiet(build)
    build.set_defaults(func=cmd_build)

    rewrite = commands.add_parser("rewrite", help="rewrite long traces into verified, shorter ones")
    rewrite.add_argument(
        "source",
        help="a rewrite config (.yaml), or the traces (.parquet, .jsonl, datasets dir), "
        "e.g. configs/rewrite.yaml",
    )
    rewrite.add_argument("--overwrite", action="store_true", help="replace an existing version")
    add_quiet(rewrite)
    flags = rewrite.add_argument_group("without a config file (rule method)")
    flags.add_argument(
        "--name", help="dataset name, e.g. short-traces (default: the input's file name)"
    )
    flags.add_argument(
        "--version", default="0.1.0", help="version to write, e.g. 0.2.0 (default: 0.1.0)"
    )
    flags.add_argument(
        "--output-root", default="out", help="where versions go, e.g. out (default: out)"
    )
    for column, example in [
        ("question", "prompt"),
        ("trace", "reference_trace"),
        ("answer", "answer"),
        ("problem", "problem"),
        ("id", "problem_id"),
    ]:
        flags.add_argument(f"--{column}", help=f"column holding the {column}, e.g. {example}")
    flags.add_argument(
        "--confirmations",
        type=bounded_int(1, 10),
        default=1,
        help="cut a trace after this many correct answers, 1..10, e.g. 2 (default: 1)",
    )
    flags.add_argument(
        "--tokenizer",
        default="whitespace",
        help="tokenizer that counts trace lengths, e.g. Qwen/Qwen3-0.6B (default: whitespace)",
    )
    rewrite.set_defaults(func=cmd_rewrite)

    inspect = commands.add_parser("inspect", help="counts, levels and sizes of a built dataset")
    inspect.add_argument("dataset_dir", help="a built version, e.g. out/quickstart/0.1.0")
    inspect.set_defaults(func=cmd_inspect)

    verify = commands.add_parser("verify", help="score an answer for a problem")
    verify.add_argument("task", help="the task the problem belongs to, e.g. knights_knaves")
    source = verify.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--record",
        help="a JSON file with one problem: `factory sample --json` output, a dataset row, or "
        "one row of `factory export` (jsonl, verl, trl), e.g. row.json",
    )
    source.add_argument(
        "--problem-id",
        help="look the problem up by id in --dataset, e.g. 3f2a…",
    )
    verify.add_argument(
        "--dataset",
        help="with --problem-id: a built version or an exported file (jsonl, verl, trl), "
        "e.g. out/quickstart/0.1.0",
    )
    answer = verify.add_mutually_exclusive_group()
    answer.add_argument(
        "--answer",
        help="the response text, e.g. '<answer>42</answer>' (default: read stdin)",
    )
    answer.add_argument("--answer-file", help="read the response text from this file, e.g. out.txt")
    verify.add_argument(
        "--bare",
        action="store_true",
        help="the response is a bare answer (as `factory sample` prints it): wrap it in "
        "<answer></answer> before scoring",
    )
    verify.set_defaults(func=cmd_verify)
    for module in (cli_versions, cli_export, cli_hub, cli_audit):
        module.add_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "problem_id", None) and not args.dataset:
        parser.error("--problem-id needs --dataset")
    try:
        with default_mode_as(progress_mode(args)):  # model runs, forked workers read it
            args.func(args)
    except FactoryError as error:
        print(f"error: {one_line(str(error))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(INTERRUPTED, file=sys.stderr)
        return INTERRUPTED_EXIT
    except BrokenPipeError:
        # The reader (e.g. `| head`) stopped early: not an error of ours, and no traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    return 0


def run() -> None:
    """The ``factory`` executable: :func:`main`, then an exit whose teardown walks nothing.

    What is garbage now is collected (finalizers of cyclic garbage run as usual) and the
    rest frozen: the interpreter's teardown collects again and again as it clears the
    modules, each time walking every object still alive (~0.1 s after a build), to free
    what clearing the modules frees by reference counting anyway."""
    code = main()
    gc.collect()
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":
    run()
