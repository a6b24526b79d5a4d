"""Export a built, verified dataset version as trainer input: verl, TRL, plain JSONL or SFT.

The RL formats carry the ground truth that :mod:`factory.rewards` decodes (the problem
record as canonical JSON), so the reward a trainer computes is the dataset's own verifier.

- ``verl``: Parquet with ``data_source`` (``reasoning_factory/<task>``), ``prompt`` (chat
  messages: the system turn if given, one user turn), ``ability`` (``logic``),
  ``reward_model`` (``{"style": "rule", "ground_truth": ...}``) and ``extra_info`` (split,
  index, problem_id, task, subset, level).
- ``trl``: Parquet with ``prompt`` as chat messages (TRL's conversational format, so the
  trainer applies the model's chat template), ``ground_truth`` (what
  :func:`factory.rewards.verifier_reward` reads) and problem_id, task, subset, level.
- ``jsonl``: one JSON object (sorted keys) per problem: problem_id, task, subset, level,
  prompt (text), answer, ground_truth.
- ``sft``: Parquet of verified traces for supervised fine-tuning, in TRL's conversational
  ``prompt``/``completion`` layout or as one ``messages`` list, with problem_id, task,
  subset, split, level. The traces are the solver's (``reference``), the passing teacher
  samples (``teacher``), the samples RSD kept (``rsd``), or a ``factory rewrite``
  version's verified ones (``rewritten``); ``think`` puts each trace's reasoning (all
  before its final ``<answer>``) inside ``<think>…</think>``.

The version is checked against its manifest first (a corrupt file is refused by name);
shards are read one at a time in manifest order and written as they come (one Parquet
row group per shard), into a temporary file renamed into place: same dataset, same bytes.
While writing, the longest prompt (and, for SFT, prompt plus completion) is measured in a
named tokenizer's tokens, as trainers count them, for their length settings.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from factory.backends.base import BackendError, Message
from factory.errors import FactoryError, os_error_text
from factory.publish.integrity import IntegrityError, load_verified_manifest
from factory.publish.lookup import problem_from_row
from factory.rewards import encode_ground_truth
from factory.scoring.verbosity import WHITESPACE, count_tokens, load_named_tokenizer
from factory.storage.atomic import atomic_path
from factory.storage.hashing import sha256_file
from factory.storage.layout import PRODUCERS, is_data_file, split_of, subset_of, traces_file
from schemas.arrow import canonical_json
from schemas.records import Problem

FORMATS = ("verl", "trl", "jsonl", "sft")
TRACES = ("reference", *PRODUCERS, "rewritten")
LAYOUTS = ("prompt-completion", "messages")
DATA_SOURCE_PREFIX = "reasoning_factory/"
ABILITY = "logic"
REWRITE_DATA = "data/train-00000.parquet"
"""The one data file of a ``factory rewrite`` version (see :mod:`factory.rewrite.job`)."""

_MESSAGES = pa.list_(pa.struct([("role", pa.string()), ("content", pa.string())]))
_IDS = [("problem_id", pa.string()), ("task", pa.string()), ("subset", pa.string())]
_EXTRA_INFO = pa.struct(
    [("split", pa.string()), ("index", pa.int64()), *_IDS, ("level", pa.int64())]
)
VERL_SCHEMA = pa.schema(
    [
        ("data_source", pa.string()),
        ("prompt", _MESSAGES),
        ("ability", pa.string()),
        ("reward_model", pa.struct([("style", pa.string()), ("ground_truth", pa.string())])),
        ("extra_info", _EXTRA_INFO),
    ]
)
TRL_SCHEMA = pa.schema(
    [("prompt", _MESSAGES), ("ground_truth", pa.string()), *_IDS, ("level", pa.int64())]
)
_RL_SCHEMAS = {"verl": VERL_SCHEMA, "trl": TRL_SCHEMA}
_SFT_IDS = [*_IDS, ("split", pa.string()), ("level", pa.int64())]
SFT_SCHEMAS = {
    "prompt-completion": pa.schema([("prompt", _MESSAGES), ("completion", _MESSAGES), *_SFT_IDS]),
    "messages": pa.schema([("messages", _MESSAGES), *_SFT_IDS]),
}
_ANSWER_TAG = re.compile("<answer>", re.IGNORECASE)

Shards = list[tuple[str, str]]
"""(subset, path relative to the version directory) of each data file to export."""
Batches = Iterator[list[dict[str, Any]]]
"""The rows of one shard after another."""


@dataclass(frozen=True)
class ExportOptions:
    """What an export adds to its format: a system turn before every prompt; for ``sft``,
    whose traces, in which layout, with ``<think>`` or not; the tokenizer that measures."""

    system_prompt: str | None = None
    traces: str = "reference"
    layout: str = "prompt-completion"
    think: bool = False
    tokenizer: str = WHITESPACE

    def check(self, fmt: str) -> None:
        _check_choice("--format", fmt, FORMATS)
        _check_choice("--traces", self.traces, TRACES)
        _check_choice("--layout", self.layout, LAYOUTS)
        sft_only = (self.traces, self.layout, self.think) != ("reference", LAYOUTS[0], False)
        if fmt != "sft" and sft_only:
            raise FactoryError(f"--traces, --layout, --think: only with --format sft, not {fmt}")
        if fmt == "jsonl" and self.system_prompt is not None:
            raise FactoryError("--system-prompt: jsonl holds the prompt text alone; use verl/trl")


@dataclass(frozen=True)
class ExportResult:
    path: Path
    format: str
    rows: int
    tokenizer: str
    longest_prompt: int
    longest_sequence: int
    """Prompt plus completion (``sft``; 0 for the RL formats)."""


def default_output(name: str, version: str, fmt: str) -> Path:
    """``<name>-<version>-<format>.parquet``, or ``<name>-<version>.jsonl``, in the working
    directory."""
    if fmt == "jsonl":
        return Path(f"{name}-{version}.jsonl")
    return Path(f"{name}-{version}-{fmt}.parquet")


def export_dataset(
    version_dir: Path,
    fmt: str,
    output: Path | None = None,
    subsets: list[str] | None = None,
    split: str | None = None,
    options: ExportOptions | None = None,
) -> ExportResult:
    """Write ``version_dir`` (all subsets, or ``subsets``; every split, or ``split``) in
    ``fmt``; returns where, how many rows and the longest prompt."""
    options = options or ExportOptions()
    options.check(fmt)
    meter = PromptMeter(options.tokenizer)
    rewrite = _rewrite_manifest(version_dir)
    if rewrite is not None:
        name, version, shards = _verified_rewrite(version_dir, rewrite, fmt, options)
    else:
        manifest = load_verified_manifest(version_dir)
        name, version = manifest.name, manifest.version
        paths = [entry.path for entry in manifest.files]
        _check_traces(options.traces, paths, f"{name} {version}")
        shards = [(subset_of(p), p) for p in paths if is_data_file(p)]
    shards = _select(shards, subsets, split, f"{name} {version}")
    path = output if output is not None else default_output(name, version, fmt)
    if path.resolve().is_relative_to(version_dir.resolve()):
        raise FactoryError(
            f"{path}: inside the dataset version {version_dir}, whose files must all be "
            "listed in its manifest; write the export elsewhere"
        )
    batches = _batches(version_dir, shards, fmt, options, rewrite is not None)
    try:
        rows = _write(path, fmt, options.layout, meter.measured(batches))
    except OSError as error:
        raise FactoryError(f"cannot write {path} ({os_error_text(error)})") from None
    return ExportResult(path, fmt, rows, meter.name, meter.prompt, meter.sequence)


def _check_choice(flag: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise FactoryError(f"{flag} {value!r}: expected one of {', '.join(choices)}")


def _check_traces(traces: str, paths: list[str], label: str) -> None:
    """A build version has reference traces, and model traces if its build made them."""
    present = ["reference", *(p for p in PRODUCERS if any(_is_traces(x, p) for x in paths))]
    if traces not in present:
        raise FactoryError(
            f"--traces {traces}: {label} has no {traces} traces (there: {', '.join(present)})"
        )


def _is_traces(path: str, producer: str) -> bool:
    return path.startswith(f"{producer}_traces/")


def _select(shards: Shards, subsets: list[str] | None, split: str | None, label: str) -> Shards:
    """The shards of ``subsets`` and ``split``, in manifest order; unknown names refused."""
    _refuse_unknown("--subset", subsets or [], [s for s, _ in shards], label)
    _refuse_unknown("--split", [split] if split else [], [split_of(p) for _, p in shards], label)
    return [
        (s, p)
        for s, p in shards
        if (not subsets or s in subsets) and (split is None or split_of(p) == split)
    ]


def _refuse_unknown(flag: str, asked: list[str], present: list[str], label: str) -> None:
    known = list(dict.fromkeys(present))
    unknown = [name for name in asked if name not in known]
    if unknown:
        raise FactoryError(
            f"{flag} {', '.join(unknown)}: not in {label} (there: {', '.join(known)})"
        )


def _rewrite_manifest(version_dir: Path) -> dict[str, Any] | None:
    """The manifest of a ``factory rewrite`` version (its ``files`` a name → sha256
    mapping, where a build's is a list); None for anything else, which the build
    manifest's loader then judges."""
    try:
        manifest = json.loads((version_dir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    is_rewrite = isinstance(manifest, dict) and isinstance(manifest.get("files"), dict)
    return manifest if is_rewrite else None


def _verified_rewrite(
    version_dir: Path, manifest: dict[str, Any], fmt: str, options: ExportOptions
) -> tuple[str, str, Shards]:
    """Name, version and the data shard of a rewrite version whose files match."""
    name, version = manifest["name"], manifest["version"]
    if (fmt, options.traces) != ("sft", "rewritten"):
        raise FactoryError(
            f"{version_dir}: a `factory rewrite` version ({name} {version}) holds rewritten "
            "traces only: export it with --format sft --traces rewritten"
        )
    for relative, digest in manifest["files"].items():
        if not (version_dir / relative).is_file() or sha256_file(version_dir / relative) != digest:
            raise IntegrityError(
                f"{version_dir}: {relative}: missing or sha256 mismatch; the dataset does not "
                "match its manifest"
            )
    return name, version, [(name, REWRITE_DATA)]


def _read(path: Path, columns: list[str]) -> list[dict[str, Any]]:
    try:
        return pq.read_table(path, columns=columns).to_pylist()
    except (pa.ArrowException, OSError) as error:
        raise FactoryError(f"{path}: not a readable data file ({error})") from None


def _batches(
    version_dir: Path, shards: Shards, fmt: str, options: ExportOptions, rewrite: bool
) -> Batches:
    if fmt != "sft":
        return _rl_batches(version_dir, shards, fmt, options.system_prompt)
    if rewrite:
        return _rewritten_batches(version_dir, shards, options)
    return _sft_batches(version_dir, shards, options)


def _rl_batches(version_dir: Path, shards: Shards, fmt: str, system_prompt: str | None) -> Batches:
    """Per shard, its problems as rows of ``fmt``; ``index`` counts rows across shards."""
    make_row = ROW_MAKERS[fmt]
    columns = list(Problem.model_fields)
    start = 0
    for subset, relative in shards:
        where, split = version_dir / relative, split_of(relative)
        rows = _read(where, columns)
        problems = [problem_from_row(row, f"{where} row {i}") for i, row in enumerate(rows)]
        yield [make_row(subset, p, start + i, split, system_prompt) for i, p in enumerate(problems)]
        start += len(problems)


def _sft_batches(version_dir: Path, shards: Shards, options: ExportOptions) -> Batches:
    columns = ["problem_id", "task", "subset", "split", "level", "prompt", "reference_trace"]
    for subset, relative in shards:
        rows = _read(version_dir / relative, columns)
        if options.traces != "reference":
            rows = _model_traces(version_dir, options.traces, subset, relative, rows)
        yield [
            sft_row(_row_ids(row), row["prompt"], row["reference_trace"], options) for row in rows
        ]


def _row_ids(row: dict[str, Any]) -> dict[str, Any]:
    return {name: row[name] for name in ("problem_id", "task", "subset", "split", "level")}


def _model_traces(
    version_dir: Path, producer: str, subset: str, relative: str, rows: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The shard's rows, once per verified sample of ``producer`` (teacher: passed; rsd:
    kept by its filter), the sample's text as ``reference_trace``; problem, sample order."""
    by_id = {row["problem_id"]: row for row in rows}
    shard = int(relative.rsplit("-", 1)[-1].split(".", 1)[0])
    verified = "kept" if producer == "rsd" else "passed"
    where = version_dir / traces_file(producer, subset, shard)
    samples = _read(where, ["problem_id", "text", verified])
    return [
        {**by_id[s["problem_id"]], "reference_trace": s["text"]}
        for s in samples
        if s[verified] and s["problem_id"] in by_id
    ]


def _rewritten_batches(version_dir: Path, shards: Shards, options: ExportOptions) -> Batches:
    """A rewrite version's verified traces; ``id`` is the problem id, the version's name
    the subset (its rows name no task or level)."""
    for subset, relative in shards:
        columns = ["id", "question", "rewritten_trace", "verified_after"]
        rows = [r for r in _read(version_dir / relative, columns) if r["verified_after"]]
        ids = {"task": None, "subset": subset, "split": split_of(relative), "level": None}
        yield [
            sft_row({"problem_id": r["id"], **ids}, r["question"], r["rewritten_trace"], options)
            for r in rows
        ]


def _messages(prompt: str, system_prompt: str | None) -> list[dict[str, str]]:
    system = [{"role": "system", "content": system_prompt}] if system_prompt is not None else []
    return [*system, {"role": "user", "content": prompt}]


def _ids(subset: str, problem: Problem) -> dict[str, Any]:
    return {
        "problem_id": problem.problem_id,
        "task": problem.task,
        "subset": subset,
        "level": problem.level,
    }


def verl_row(
    subset: str, problem: Problem, index: int, split: str, system_prompt: str | None = None
) -> dict[str, Any]:
    return {
        "data_source": DATA_SOURCE_PREFIX + problem.task,
        "prompt": _messages(problem.prompt, system_prompt),
        "ability": ABILITY,
        "reward_model": {"style": "rule", "ground_truth": encode_ground_truth(problem)},
        "extra_info": {"split": split, "index": index, **_ids(subset, problem)},
    }


def trl_row(
    subset: str, problem: Problem, index: int, split: str, system_prompt: str | None = None
) -> dict[str, Any]:
    return {
        "prompt": _messages(problem.prompt, system_prompt),
        "ground_truth": encode_ground_truth(problem),
        **_ids(subset, problem),
    }


def jsonl_row(
    subset: str, problem: Problem, index: int, split: str, system_prompt: str | None = None
) -> dict[str, Any]:
    """(``system_prompt`` is refused for jsonl by :meth:`ExportOptions.check`.)"""
    return {
        **_ids(subset, problem),
        "prompt": problem.prompt,
        "answer": problem.answer,
        "ground_truth": encode_ground_truth(problem),
    }


ROW_MAKERS: dict[str, Callable[..., dict[str, Any]]] = {
    "verl": verl_row,
    "trl": trl_row,
    "jsonl": jsonl_row,
}


def sft_row(ids: dict[str, Any], prompt: str, trace: str, options: ExportOptions) -> dict[str, Any]:
    """One SFT example: the prompt (after the system turn) and the trace as the
    assistant's answer, in ``options.layout``."""
    messages = _messages(prompt, options.system_prompt)
    answer = [{"role": "assistant", "content": with_think(trace) if options.think else trace}]
    if options.layout == "messages":
        return {"messages": messages + answer, **ids}
    return {"prompt": messages, "completion": answer, **ids}


def with_think(trace: str) -> str:
    """``trace`` with its reasoning (all before its last ``<answer>``) inside
    ``<think>…</think>``; a trace that already has ``</think>`` is kept as it is."""
    if "</think>" in trace.lower():
        return trace
    answers = [match.start() for match in _ANSWER_TAG.finditer(trace)]
    cut = answers[-1] if answers else len(trace)
    return f"<think>\n{trace[:cut].strip()}\n</think>\n{trace[cut:]}"


class PromptMeter:
    """The longest prompt, and prompt plus completion, in ``name``'s tokens: chat prompts
    rendered with its chat template (generation prompt added) as verl and TRL count them;
    message contents alone when it has none, and for the default, whitespace words."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.prompt = self.sequence = 0
        self._tokenizer = None if name == WHITESPACE else load_named_tokenizer(name)
        self._chat = self._tokenizer is not None and self._renders_chat()

    def _renders_chat(self) -> bool:
        try:
            self._tokenizer.apply_chat_template([Message(role="user", content="")])
        except BackendError:
            return False
        return True

    def measured(self, batches: Batches) -> Batches:
        """``batches`` unchanged, each row measured as it passes."""
        for batch in batches:
            for row in batch:
                self.add(*_prompt_and_completion(row))
            yield batch

    def add(self, messages: list[dict[str, str]], completion: str | None) -> None:
        prompt = self._prompt_tokens(messages)
        self.prompt = max(self.prompt, prompt)
        if completion is not None:
            self.sequence = max(self.sequence, prompt + self._count(completion))

    def _count(self, text: str) -> int:
        return count_tokens(text, self._tokenizer)

    def _prompt_tokens(self, messages: list[dict[str, str]]) -> int:
        if not self._chat:
            return sum(self._count(m["content"]) for m in messages)
        rendered = self._tokenizer.apply_chat_template([Message(**m) for m in messages])
        return self._count(rendered)


def _prompt_and_completion(row: dict[str, Any]) -> tuple[list[dict[str, str]], str | None]:
    """A row's prompt as messages and its completion text (SFT rows only)."""
    if "messages" in row:
        return row["messages"][:-1], row["messages"][-1]["content"]
    prompt = row["prompt"]
    messages = [{"role": "user", "content": prompt}] if isinstance(prompt, str) else prompt
    completion = row.get("completion")
    return messages, completion[0]["content"] if completion else None


def _write(path: Path, fmt: str, layout: str, batches: Batches) -> int:
    """Rows written; JSON Lines for ``jsonl``, else one Parquet row group per shard."""
    rows = 0
    with atomic_path(path) as tmp:
        if fmt == "jsonl":
            with tmp.open("w", encoding="utf-8", newline="\n") as handle:
                for batch in batches:
                    handle.writelines(canonical_json(row) + "\n" for row in batch)
                    rows += len(batch)
            return rows
        schema = SFT_SCHEMAS[layout] if fmt == "sft" else _RL_SCHEMAS[fmt]
        with pq.ParquetWriter(tmp, schema, compression="zstd") as writer:
            for batch in batches:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                rows += len(batch)
    return rows
