"""``factory rewrite``: long traces in, a versioned dataset of verified, shorter traces out.

For every input trace:

1. Its checker: the task's own verifier when the ``problem`` column holds one of our
   Problem records, else the reference answer compared after normalisation.
2. The source trace is verified: its final answer (the last ``<answer>`` block after any
   thinking, else the last answer statement of the response, see
   :mod:`factory.scoring.answers`) must pass the checker. A source that does not verify
   is not rewritten: compression must not turn a wrong trace into a right one.
3. The rewrite (``rule``: cut after the first correct answer; ``teacher``: DAP) is
   verified the same way and kept only if it verifies and has fewer tokens; otherwise
   the source trace is kept, and ``reason`` says why.

Output columns: ``rewritten_trace`` is the trace the dataset offers (the rewrite if kept,
else the source); ``tokens_after`` and ``verified_after`` describe it; ``reason`` says
what happened to the rewrite, including a rejected one's verdict. Lineage: ``id`` (the
source row id), ``source_sha256`` (of the source trace text) and ``method``.

The dataset is written to ``<output_root>/<name>/<version>/`` in one rename from a
hidden staging directory; nothing in it depends on time or machine, so the same config
gives byte-identical files.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import statistics
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from factory.backends.base import Backend
from factory.config import describe_validation_error, inline_chat_template, read_yaml
from factory.errors import ConfigError, FactoryError
from factory.models.request_cache import RequestCache
from factory.progress import current as current_display
from factory.publish.reverify import refuse_if_any
from factory.rewrite.inputs import ColumnMapping, LongTrace, load_long_traces
from factory.rewrite.rule_cut import cut_after_first_correct
from factory.rewrite.teacher_rewrite import RewriteItem, TeacherRewrite, teacher_rewrites
from factory.scoring.answers import Checker, candidate_spans, reference_checker, task_checker
from factory.scoring.verbosity import WHITESPACE, count_tokens, load_named_tokenizer
from factory.storage.atomic import remove_stale_staging, staging_dir_for
from factory.storage.hashing import sha256_file
from generators.extract import extract_answer, split_thinking
from generators.registry import UnknownTaskError
from schemas.config import NAME_PATTERN, ModelSpec, TeacherConfig
from schemas.records import Problem

DATA_FILE = "data/train-00000.parquet"
BackendOpener = Callable[[ModelSpec, int], Backend]


class RewriteConfig(BaseModel):
    """A rewrite job: the YAML a user passes to ``factory rewrite``."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=NAME_PATTERN)
    version: str = Field(default="0.1.0", pattern=NAME_PATTERN)
    output_root: str = Field(default="out", min_length=1)
    input: str = Field(min_length=1, description="Parquet, JSON Lines or saved datasets dir")
    columns: ColumnMapping
    method: Literal["rule", "teacher"] = "rule"
    confirmations: int = Field(
        default=1, ge=1, le=10, description="rule: cut after this many correct answers"
    )
    teacher: TeacherConfig | None = Field(default=None, description="teacher: the rewriter")
    tokenizer: str = Field(
        default=WHITESPACE, min_length=1, description="tokenizer for token counts"
    )
    seed: int = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _teacher_for_teacher_method(self) -> RewriteConfig:
        if self.method == "teacher" and self.teacher is None:
            raise ValueError("teacher: method 'teacher' needs a teacher model")
        return self


@dataclass(frozen=True)
class RewriteResult:
    version_dir: Path
    manifest: dict[str, Any]


_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("question", pa.string()),
        ("answer", pa.string()),
        ("source_trace", pa.string()),
        ("rewritten_trace", pa.string()),
        ("method", pa.string()),
        ("difficulty", pa.string()),
        ("tokens_before", pa.int64()),
        ("tokens_after", pa.int64()),
        ("verified_before", pa.bool_()),
        ("verified_after", pa.bool_()),
        ("kept_rewrite", pa.bool_()),
        ("reason", pa.string()),
        ("source_sha256", pa.string()),
    ]
)


def load_rewrite_config(path: str | Path) -> RewriteConfig:
    """The config at ``path``; errors name the file and the field."""
    path = Path(path)
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level")
    try:
        config = RewriteConfig.model_validate(data)
    except ValidationError as error:
        raise ConfigError(f"{path}: {describe_validation_error(error)}") from None
    if config.teacher is not None:
        config = config.model_copy(
            update={"teacher": inline_chat_template(config.teacher, path, "teacher")}
        )
    return config


def final_answer(text: str) -> str | None:
    """The answer a trace ends with: last ``<answer>`` block after the thinking, else the
    last answer statement of the response; None if the thinking never ends."""
    extraction = extract_answer(text)
    if extraction.answer is not None:
        return extraction.answer
    _, response = split_thinking(text)
    spans = candidate_spans(response) if response is not None else []
    return spans[-1].candidate if spans else None


def verify(text: str, is_correct: Checker) -> tuple[bool, str]:
    answer = final_answer(text)
    if answer is None:
        return False, "no final answer"
    shown = answer if len(answer) <= 40 else answer[:40] + "…"
    return (True, "correct") if is_correct(answer) else (False, f"wrong final answer {shown!r}")


def _checker(path: Path, mapping: ColumnMapping, row: LongTrace) -> tuple[Checker, str]:
    """The row's checker and the correct answer to show a teacher."""
    if row.problem is not None:
        try:
            problem = Problem.model_validate(row.problem)
            return task_checker(problem), problem.answer
        except ValidationError as error:
            detail = describe_validation_error(error)
            raise FactoryError(
                f"{path}: row {row.id}, column '{mapping.problem}': not a Problem record ({detail})"
            ) from None
        except UnknownTaskError as error:
            raise FactoryError(
                f"{path}: row {row.id}, column '{mapping.problem}': {error}"
            ) from None
    if row.answer is None:
        raise FactoryError(f"{path}: row {row.id}, column '{mapping.answer}': no reference answer")
    return reference_checker(row.answer), row.answer


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def run_rewrite(
    config: RewriteConfig,
    *,
    overwrite: bool = False,
    open_backend: BackendOpener | None = None,
) -> RewriteResult:
    """Rewrite, verify and publish. ``open_backend`` (default: the configured backend)
    opens the teacher; it is called only when some request is not cached."""
    version_dir = Path(config.output_root).resolve() / config.name / config.version
    if version_dir.exists() and not overwrite:
        raise FactoryError(f"{version_dir} exists; pass --overwrite to replace it")
    path = Path(config.input)
    rows = load_long_traces(path, config.columns)
    checkers = [_checker(path, config.columns, row) for row in rows]
    tokenizer = load_named_tokenizer(config.tokenizer)

    def tokens(text: str) -> int:
        return count_tokens(text, tokenizer)

    before = [verify(row.trace, check) for row, (check, _) in zip(rows, checkers, strict=True)]
    todo = [i for i, (ok, _) in enumerate(before) if ok]
    difficulties: dict[int, str] = {}
    candidates: dict[int, tuple[str | None, str]] = {}  # rewrite text, or None and why
    if config.method == "rule":
        display = current_display()
        if display is not None:
            display.start("rewrite", total=len(todo), unit="traces")
        for i in todo:
            cut = cut_after_first_correct(
                rows[i].trace,
                checkers[i][0],
                confirmations=config.confirmations,
                count_tokens=tokens,
            )
            candidates[i] = (cut.text, cut.reason) if cut.cut else (None, cut.reason)
            if display is not None:
                display.advance("rewrite")
    else:
        outcomes = _teacher(
            config, [rows[i] for i in todo], [checkers[i][1] for i in todo], open_backend
        )
        for i, outcome in zip(todo, outcomes, strict=True):
            difficulties[i] = outcome.difficulty
            why = f"difficulty: {outcome.difficulty_reason}; " if outcome.difficulty_reason else ""
            if outcome.text is None:
                candidates[i] = (None, f"{why}rewrite request failed: {outcome.error}")
            else:
                candidates[i] = (outcome.text, f"{why}teacher rewrite ({outcome.difficulty})")

    records = []
    for i, row in enumerate(rows):
        check, answer = checkers[i]
        ok_before, why_before = before[i]
        tokens_before = tokens(row.trace)
        output, kept, reason = (
            row.trace,
            False,
            f"source not verified ({why_before}); not rewritten",
        )
        if ok_before:
            text, reason = candidates[i]
            if text is None:
                reason = f"no rewrite: {reason}; source kept"
            else:
                ok, why = verify(text, check)
                shorter = tokens(text) < tokens_before
                if ok and shorter:
                    output, kept = text, True
                elif not ok:
                    reason = f"{reason}; rewrite rejected: not verified ({why}); source kept"
                else:
                    reason = (
                        f"{reason}; rewrite rejected: not shorter ({tokens(text)} >= "
                        f"{tokens_before} tokens); source kept"
                    )
        records.append(
            {
                "id": row.id,
                "question": row.question,
                "answer": answer,
                "source_trace": row.trace,
                "rewritten_trace": output,
                "method": config.method,
                "difficulty": difficulties.get(i),
                "tokens_before": tokens_before,
                "tokens_after": tokens(output),
                "verified_before": ok_before,
                "verified_after": verify(output, check)[0],
                "kept_rewrite": kept,
                "reason": reason,
                "source_sha256": _sha256(row.trace),
            }
        )
    return _publish(config, path, records, version_dir, [check for check, _ in checkers])


def _teacher(
    config: RewriteConfig,
    rows: list[LongTrace],
    answers: list[str],
    open_backend: BackendOpener | None,
) -> list[TeacherRewrite]:
    from factory.backends import open_backend as configured_backend
    from factory.backends import teacher_identity
    from factory.storage.layout import request_cache_dir

    teacher = config.teacher
    assert teacher is not None  # the config validator requires it for this method
    cache_dir = request_cache_dir(teacher.cache_dir, config.output_root)
    opener = open_backend or configured_backend
    items = [
        RewriteItem(_sha256(row.trace), row.question, row.trace, answer)
        for row, answer in zip(rows, answers, strict=True)
    ]
    opened: list[Backend] = []

    def backend() -> Backend:
        opened.append(opener(teacher, config.seed))
        return opened[-1]

    try:
        with RequestCache(cache_dir) as cache:
            return teacher_rewrites(
                items,
                teacher,
                config.seed,
                identity=teacher_identity(teacher, cache_dir),
                cache=cache,
                open_backend=backend,
            )
    finally:
        for each in opened:
            each.close()


def _reduction(record: dict[str, Any]) -> float:
    return 1 - record["tokens_after"] / record["tokens_before"]


def _figures(records: list[dict[str, Any]]) -> dict[str, Any]:
    total = len(records)
    kept = [r for r in records if r["kept_rewrite"]]
    reductions = [_reduction(r) for r in kept]
    return {
        "traces": total,
        "verified_before": sum(r["verified_before"] for r in records),
        "verified_after": sum(r["verified_after"] for r in records),
        "kept_rewrites": len(kept),
        "accuracy_before": sum(r["verified_before"] for r in records) / total if total else 0.0,
        "accuracy_after": sum(r["verified_after"] for r in records) / total if total else 0.0,
        "mean_token_reduction": statistics.fmean(reductions) if reductions else 0.0,
        "median_token_reduction": statistics.median(reductions) if reductions else 0.0,
        "tokens_before": sum(r["tokens_before"] for r in records),
        "tokens_after": sum(r["tokens_after"] for r in records),
    }


def _card(config: RewriteConfig, figures: dict[str, Any]) -> str:
    total = figures["traces"]
    return (
        f"# {config.name} {config.version}\n\n"
        f"Concise rewrites of the long traces in `{config.input}` (method: {config.method}).\n"
        "A rewrite is kept only if it verifies and has fewer tokens; otherwise the source "
        "trace is kept and `reason` says why.\n\n"
        f"| figure | value |\n|---|---|\n"
        f"| traces | {total} |\n"
        f"| rewrites kept | {figures['kept_rewrites']} |\n"
        f"| verified before | {figures['verified_before']}/{total} "
        f"({figures['accuracy_before']:.1%}) |\n"
        f"| verified after | {figures['verified_after']}/{total} "
        f"({figures['accuracy_after']:.1%}) |\n"
        f"| mean token reduction (kept) | {figures['mean_token_reduction']:.1%} |\n"
        f"| median token reduction (kept) | {figures['median_token_reduction']:.1%} |\n"
        f"| tokens before / after | {figures['tokens_before']} / {figures['tokens_after']} |\n"
        f"\nTokens are counted with `{config.tokenizer}`.\n"
    )


def _publish(
    config: RewriteConfig,
    source: Path,
    records: list[dict[str, Any]],
    version_dir: Path,
    checkers: list[Checker],
) -> RewriteResult:
    """Stage the dataset in a hidden sibling directory, re-verify every trace it offers from
    the written file, then rename it into place."""
    version_dir.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_staging(version_dir.parent)
    staging = staging_dir_for(version_dir)
    try:
        data = staging / DATA_FILE
        data.parent.mkdir(parents=True)
        table = pa.Table.from_pylist(records, schema=_SCHEMA)
        pq.write_table(table, data, compression="zstd")
        refuse_if_any(_unverified(pq.read_table(data), checkers), f"{config.name} {config.version}")
        figures = _figures(records)
        card = staging / "README.md"
        card.write_text(_card(config, figures), encoding="utf-8")
        manifest = {
            "name": config.name,
            "version": config.version,
            "config": config.model_dump(mode="json"),
            "source": {
                "path": str(source),
                "sha256": sha256_file(source) if source.is_file() else None,
            },
            "figures": figures,
            "files": {name: sha256_file(staging / name) for name in (DATA_FILE, "README.md")},
        }
        text = json.dumps(manifest, indent=2, sort_keys=True) + "\n"
        (staging / "manifest.json").write_text(text, encoding="utf-8")
        _replace_dir(staging, version_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return RewriteResult(version_dir, manifest)


def _unverified(table: pa.Table, checkers: list[Checker]) -> list[str]:
    """``id: why`` for each published row whose offered trace does not verify although the
    row says it does."""
    failures = []
    rows = table.select(["id", "rewritten_trace", "verified_after"]).to_pylist()
    for row, check in zip(rows, checkers, strict=True):
        ok, why = verify(row["rewritten_trace"], check)
        if row["verified_after"] and not ok:
            failures.append(f"{row['id']}: {why}")
    return failures


def _replace_dir(staging: Path, target: Path) -> None:
    """Put ``staging`` at ``target``; an existing ``target`` is moved aside first and
    removed only once the new one is in place."""
    if not target.exists():
        os.replace(staging, target)
        return
    old = target.parent / f".old-{target.name}-{uuid.uuid4().hex[:8]}"
    os.replace(target, old)
    os.replace(staging, target)
    shutil.rmtree(old, ignore_errors=True)
