"""The answer-space audit: how much reward a policy gets without solving anything.

Per subset and level: the answer-space size (declared by the task where countable, else a
Chao1 estimate from the answers seen) and its uniform chance; the best constant answer
(the modal answer of the first half, scored on the second half); each trivial strategy
the task declares; another problem's answer (problem i's answer on problem i+1); label
balance for categorical answers; exact (same prompt) and structural (same structural key)
duplicates. Every guess is scored by the task's own verifier, the reward RL trains on.

Thresholds (:class:`AuditThresholds`): no constant or declared strategy wins more than
max(2 × chance, 5%), and each label of a categorical answer stays within 1/k ± 5%.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from factory.errors import FactoryError
from factory.markdown import markdown_table
from generators.base import AnswerFormatError, Task, make_problem
from generators.extract import MAX_ANSWER_CHARS, final_answer
from generators.registry import get_task
from schemas.arrow import gc_paused
from schemas.audit import AuditThresholds
from schemas.config import BuildConfig
from schemas.manifest import DatasetManifest
from schemas.records import Problem

AUDIT_PER_LEVEL = 1000  # problems per subset and level a build's audit looks at


class AuditFailed(FactoryError):
    """A threshold is broken; the message names the worst violation."""


@dataclass(frozen=True)
class Sample:
    """The problems of one subset at one level."""

    subset: str
    level: int | None
    task: Task
    problems: list[Problem]


@dataclass(frozen=True)
class Violation:
    subset: str
    level: int | None
    message: str
    excess: float = field(compare=False)
    """How far past its limit the figure is (share of problems), to rank violations."""

    def __str__(self) -> str:
        return f"{self.subset} level {_level(self.level)}: {self.message}"


@dataclass
class GroupAudit:
    """The audit figures of one subset and level; rates are shares of problems."""

    subset: str
    task: str
    level: int | None
    n: int
    chance: float
    estimated: bool
    limit: float
    constant: str | None
    constant_win: float
    trivial: dict[str, float]
    other_win: float
    labels: dict[str, float]
    exact_duplicates: int
    structural_duplicates: int | None
    """None where not counted: a build with dedup on has none by construction."""
    judged: bool
    """False for a group too small to tell a lean from chance (no violations then)."""
    violations: list[Violation]

    @property
    def space(self) -> float:
        """The effective answer-space size: 1 / mean uniform chance."""
        return 1 / self.chance if self.chance else float("inf")

    def worst_trivial(self) -> tuple[str, float] | None:
        return max(self.trivial.items(), key=lambda item: item[1], default=None)

    def to_json(self) -> dict[str, Any]:
        return {
            "subset": self.subset,
            "task": self.task,
            "level": self.level,
            "n": self.n,
            "answer_space": self.space if self.chance else None,
            "answer_space_estimated": self.estimated,
            "chance": self.chance,
            "win_limit": self.limit,
            "best_constant": {"answer": self.constant, "win_rate": self.constant_win},
            "trivial": self.trivial,
            "other_answer_win_rate": self.other_win,
            "labels": self.labels,
            "exact_duplicates": self.exact_duplicates,
            "structural_duplicates": self.structural_duplicates,
            "judged": self.judged,
            "violations": [str(v) for v in self.violations],
        }


def wins(task: Task, problem: Problem, guess: str) -> bool:
    """Whether the verifier gives ``guess`` full marks on ``problem``."""
    return task.verify(problem, f"<answer>\n{guess}\n</answer>").passed


class Scorer:
    """:func:`wins` on one task's problems, remembered per (problem, guess): an audit asks
    about one guess on one problem several times (a label is a trivial strategy, and often
    the best constant and the next problem's answer too), and the verifier's word on it
    never changes. Problems are told apart by identity: keep them alive while it is used.

    Where the task scores texts with the base ``Task.verify`` (the extracted answer's
    check), each guess's answer is extracted once (many problems share a guess) and each
    problem's checker (``answer_checker(problem)`` where offered, else ``check_answer``
    bound to it) is built once and asked about every answer, as ``verify`` would ask
    ``check_answer``, without the :class:`Verdict` it would build."""

    def __init__(self, task: Task) -> None:
        self.task = task
        self._seen: dict[tuple[int, str], bool] = {}
        self._checkers: dict[int, Callable[[str], tuple[float, str]]] = {}
        self._answers: dict[str, str | None] = {}
        self._checked = type(task).verify is Task.verify

    def __call__(self, problem: Problem, guess: str) -> bool:
        key = (id(problem), guess)
        found = self._seen.get(key)
        if found is None:
            found = self._seen[key] = self._wins(problem, guess)
        return found

    def _wins(self, problem: Problem, guess: str) -> bool:
        answer = self._answer(guess) if self._checked else None
        if answer is None:  # verify's own word: also the reason-giving zero of no answer
            return wins(self.task, problem, guess)
        checker = self._checkers.get(id(problem))
        if checker is None:
            checker = self._checker(problem)
        try:
            score, reason = checker(answer)
        except AnswerFormatError:
            return False
        except Exception:  # verify logs the verifier's failure (once) and scores 0
            return wins(self.task, problem, guess)
        if isinstance(score, (int, float)) and isinstance(reason, str):
            return score == 1.0  # verify's Verdict refuses a score outside [0, 1]
        return wins(self.task, problem, guess)

    def _answer(self, guess: str) -> str | None:
        """What ``verify`` extracts from the guess in answer tags. A guess without ``<``
        holds no tag, so the tags around it are the only pair: the answer is the guess
        stripped, as :func:`final_answer` finds it, without wrapping and scanning it."""
        if guess in self._answers:
            return self._answers[guess]
        if "<" in guess or len(guess) > MAX_ANSWER_CHARS:
            answer = final_answer(f"<answer>\n{guess}\n</answer>")
        else:
            answer = guess.strip()
        self._answers[guess] = answer
        return answer

    def _checker(self, problem: Problem) -> Callable[[str], tuple[float, str]]:
        """A new problem's checker, built and kept."""
        build = getattr(self.task, "answer_checker", None)
        checker = build(problem) if build else partial(self.task.check_answer, problem)
        self._checkers[id(problem)] = checker
        return checker


def _rate(hits: Iterable[bool], n: int) -> float:
    return sum(hits) / n if n else 0.0


def chao1(answers: list[str]) -> float:
    """Bias-corrected Chao1 estimate of how many distinct answers there are, seen or not."""
    counts = Counter(Counter(answers).values())
    f1, f2 = counts[1], counts[2]
    return len(set(answers)) + f1 * (f1 - 1) / (2 * (f2 + 1))


def uniform_chance(task: Task, problems: list[Problem]) -> tuple[float, bool]:
    """Mean chance of a uniform guess over the problems, and whether any space was
    estimated (problems without a declared space share one Chao1 estimate)."""
    spaces = [task.answer_space(p) for p in problems]
    unknown = [p.answer for p, space in zip(problems, spaces, strict=True) if space is None]
    estimate = chao1(unknown) if unknown else 0.0
    chances = [1 / (space if space is not None else estimate) for space in spaces]
    return _rate(chances, len(problems)), bool(unknown)


def best_constant(score: Scorer, problems: list[Problem]) -> tuple[str | None, float]:
    """The modal answer of the first half and its win rate on the second half.

    Where the task asks several kinds of question (``Task.question_kind``), the modal
    answer of each kind, each guessed on problems of its kind (shown "kind: answer; …"): a
    kind whose answer never changes would otherwise hide among the other kinds' answers."""
    half = len(problems) // 2
    learned, scored = problems[:half], problems[half:]
    if not learned:
        return None, 0.0
    kind_of = score.task.question_kind
    answers: dict[str | None, Counter[str]] = {}
    for problem in learned:
        answers.setdefault(kind_of(problem), Counter())[problem.answer] += 1
    constants = {kind: counts.most_common(1)[0][0] for kind, counts in answers.items()}
    hits = ((kind := kind_of(p)) in constants and score(p, constants[kind]) for p in scored)
    rate = _rate(hits, len(scored))
    if list(constants) == [None]:
        return constants[None], rate
    return "; ".join(f"{kind}: {constants[kind]}" for kind in sorted(constants, key=str)), rate


def trivial_rates(score: Scorer, problems: list[Problem]) -> dict[str, float]:
    """Win rate of each declared strategy over all problems (a loss where not declared)."""
    hits: dict[str, int] = {}
    for problem in problems:
        for name, guess in score.task.trivial_answers(problem).items():
            hits[name] = hits.get(name, 0) + score(problem, guess)
    return {name: hits[name] / len(problems) for name in sorted(hits)}


def other_answer_rate(score: Scorer, problems: list[Problem]) -> float:
    """How often problem i+1's reference answer passes on problem i."""
    if len(problems) < 2:
        return 0.0
    shifted = problems[1:] + problems[:1]
    return _rate(
        (score(p, q.answer) for p, q in zip(problems, shifted, strict=True)), len(problems)
    )


def label_counts(task: Task, problems: list[Problem]) -> dict[tuple[str, ...], Counter[str]]:
    """Reference answers counted per declared label set (categorical problems only)."""
    counts: dict[tuple[str, ...], Counter[str]] = {}
    for problem in problems:
        labels = task.labels(problem)
        if labels:
            counts.setdefault(labels, Counter())[problem.answer] += 1
    return counts


def duplicates(keys: Iterable[Hashable]) -> int:
    """How many items repeat an earlier one's key."""
    keys = list(keys)
    return len(keys) - len(set(keys))


def structural_duplicates(task: Task, problems: list[Problem]) -> int:
    """How many problems repeat an earlier one's structural key.

    Where the task offers ``structural_invariant(problem)``, a cheap value equal whenever
    two keys are, problems are grouped by it first and keys are computed only inside
    groups of two or more: equal keys never fall in different groups, so the count is
    the same, without a key for each problem whose invariant is its own."""
    invariant = getattr(task, "structural_invariant", None)
    if invariant is None:
        return duplicates(map(task.structural_key, problems))
    groups: dict[Hashable, list[Problem]] = {}
    for problem in problems:
        groups.setdefault(invariant(problem), []).append(problem)
    return sum(
        duplicates(map(task.structural_key, group)) for group in groups.values() if len(group) > 1
    )


def audit_sample(
    sample: Sample, thresholds: AuditThresholds, structural: bool = True
) -> GroupAudit:
    task, problems = sample.task, sample.problems
    score = Scorer(task)
    chance, estimated = uniform_chance(task, problems)
    limit = thresholds.win_limit(chance)
    constant, constant_win = best_constant(score, problems)
    trivial = trivial_rates(score, problems)
    counts = label_counts(task, problems)
    violations = []
    judged = len(problems) >= thresholds.min_problems
    if judged:
        violations += _win_violations(sample, constant, constant_win, trivial, limit)
        violations += _label_violations(sample, counts, thresholds.label_tolerance)
    return GroupAudit(
        subset=sample.subset,
        task=task.name,
        level=sample.level,
        n=len(problems),
        chance=chance,
        estimated=estimated,
        limit=limit,
        constant=constant,
        constant_win=constant_win,
        trivial=trivial,
        other_win=other_answer_rate(score, problems),
        labels=_shares(counts),
        exact_duplicates=duplicates(p.prompt for p in problems),
        structural_duplicates=structural_duplicates(task, problems) if structural else None,
        judged=judged,
        violations=violations,
    )


def _shares(counts: dict[tuple[str, ...], Counter[str]]) -> dict[str, float]:
    return {label: c[label] / c.total() for labels, c in counts.items() for label in labels}


def _win_violations(
    sample: Sample,
    constant: str | None,
    constant_win: float,
    trivial: dict[str, float],
    limit: float,
) -> list[Violation]:
    guesses = [(f"the constant answer {constant!r}", constant_win)]
    guesses += [(f"the trivial strategy {name!r}", rate) for name, rate in trivial.items()]
    return [
        Violation(
            sample.subset, sample.level, f"{what} wins {rate:.1%} (limit {limit:.1%})", rate - limit
        )
        for what, rate in guesses
        if rate > limit
    ]


def _label_violations(
    sample: Sample, counts: dict[tuple[str, ...], Counter[str]], tolerance: float
) -> list[Violation]:
    shares, found = _shares(counts), []
    for labels in counts:
        fair = 1 / len(labels)
        for label in labels:
            excess = abs(shares[label] - fair) - tolerance
            if excess > 0:
                message = (
                    f"label {label!r} is {shares[label]:.1%} of answers "
                    f"(allowed {fair - tolerance:.1%}–{fair + tolerance:.1%})"
                )
                found.append(Violation(sample.subset, sample.level, message, excess))
    return found


def audit(
    samples: Iterable[Sample], thresholds: AuditThresholds, structural: bool = True
) -> list[GroupAudit]:
    """``structural``: count structural duplicates (a build with dedup on skips it).

    The garbage collector is paused: a group's checkers and verdicts (one or more objects
    per problem, no cycles) live until the group is done, and each batch of them would
    set off a collection walking every object of the process again."""
    with gc_paused():
        return [audit_sample(sample, thresholds, structural) for sample in samples]


def build_audit(collector: SampleCollector, config: BuildConfig) -> list[GroupAudit]:
    """The audit a build publishes: of the problems ``collector`` holds, under the config's
    thresholds, structural duplicates counted unless dedup removed them."""
    return audit(collector.samples(), config.audit, structural=not config.dedup)


def worst_violation(audits: list[GroupAudit]) -> Violation | None:
    return max((v for a in audits for v in a.violations), key=lambda v: v.excess, default=None)


# --- where the problems come from -------------------------------------------------------


def build_indices(position: int, n_levels: int, per_level: int) -> range:
    """The indices a build gives a level: levels go round-robin over problem indices."""
    return range(position, position + n_levels * per_level, n_levels)


def config_samples(
    config: BuildConfig, per_level: int, levels: list[int] | None = None
) -> list[Sample]:
    """``per_level`` problems per subset and level, made as the build would make them
    (same seed, subset stream and indices), without building. ``levels`` overrides the
    config's levels."""
    samples = []
    for spec in config.tasks:
        task = get_task(spec.task)
        spec_levels: list[int | None] = list(levels or spec.levels or [None])
        for position, level in enumerate(spec_levels):
            knobs = task.config_for_level(level, spec.knobs)
            problems = [
                make_problem(task, knobs, config.seed, index, level, spec.subset)
                for index in build_indices(position, len(spec_levels), per_level)
            ]
            samples.append(Sample(spec.subset, level, task, problems))
    return samples


class SampleCollector:
    """The first ``per_level`` problems of each subset and level of a build, collected as
    its shards are assembled (so the audit of a large build stays in bounded memory)."""

    def __init__(self, per_level: int) -> None:
        self.per_level = per_level
        self.groups: dict[tuple[str, int | None], list[Problem]] = {}

    def add(self, subset: str, problems: Iterable[Problem]) -> None:
        for problem in problems:
            group = self.groups.setdefault((subset, problem.level), [])
            if len(group) < self.per_level:
                group.append(problem)

    def samples(self) -> list[Sample]:
        return [
            Sample(subset, level, get_task(problems[0].task), problems)
            for (subset, level), problems in sorted(
                self.groups.items(), key=lambda item: (item[0][0], item[0][1] or 0)
            )
        ]


def audit_bars(audits: list[GroupAudit]) -> list[tuple[str, float, float, float]]:
    """(subset/level, best constant's win, worst trivial strategy's win, limit) per group,
    for the card's figure."""
    return [
        (
            f"{a.subset} {_level(a.level)}",
            a.constant_win,
            (a.worst_trivial() or ("", 0.0))[1],
            a.limit,
        )
        for a in audits
    ]


def thresholds_of(config: dict[str, Any]) -> AuditThresholds:
    """The ``audit:`` section of a build config (as a dict), defaults where there is none."""
    return AuditThresholds.model_validate(config.get("audit") or {})


def dataset_samples(
    version_dir: Path,
    manifest: DatasetManifest,
    per_level: int | None = None,
    levels: list[int] | None = None,
) -> list[Sample]:
    """The problems of a built version (whose files matched ``manifest``), grouped by
    subset and level, at most ``per_level`` of each (lowest indices first)."""
    import polars as pl  # a published version's audit only: the build never loads it

    from factory.publish.lookup import problem_from_row
    from factory.storage.layout import is_data_file, subset_of

    files: dict[str, list[Path]] = {}
    for entry in manifest.files:
        if is_data_file(entry.path):
            files.setdefault(subset_of(entry.path), []).append(version_dir / entry.path)
    samples = []
    for subset, paths in files.items():
        rows = pl.scan_parquet(paths).select(list(Problem.model_fields)).sort("index").collect()
        for (level,), group in rows.group_by("level", maintain_order=True):
            if levels and level not in levels:
                continue
            chosen = group.head(per_level) if per_level else group
            problems = [
                problem_from_row(row, f"{version_dir}:{subset}")
                for row in chosen.iter_rows(named=True)
            ]
            samples.append(Sample(subset, level, get_task(problems[0].task), problems))
    return sorted(samples, key=lambda s: (s.subset, s.level or 0))


# --- output ------------------------------------------------------------------------------

COLUMNS = [
    "subset",
    "level",
    "n",
    "space",
    "chance",
    "best constant",
    "worst trivial",
    "other answer",
    "labels",
    "exact dups",
    "struct dups",
    "verdict",
]


def _level(level: int | None) -> str:
    return "-" if level is None else str(level)


def _share(rate: float) -> str:
    return f"{rate:.1%}"


def _row(a: GroupAudit) -> list[object]:
    worst = a.worst_trivial()
    shares = a.labels.values()
    return [
        a.subset,
        _level(a.level),
        a.n,
        ("~" if a.estimated else "") + f"{a.space:.3g}",
        _share(a.chance),
        _share(a.constant_win),
        "-" if worst is None else f"{worst[0]}: {_share(worst[1])}",
        _share(a.other_win),
        f"{_share(min(shares))}–{_share(max(shares))}" if shares else "-",
        a.exact_duplicates,
        a.structural_duplicates,
        _verdict(a),
    ]


def _verdict(a: GroupAudit) -> str:
    if a.violations:
        return f"FAIL ({len(a.violations)})"
    return "ok" if a.judged else "too few to judge"


def render_audit(audits: list[GroupAudit]) -> str:
    """The audit table, then every violation."""
    lines = [markdown_table(COLUMNS, [_row(a) for a in audits])]
    broken = [str(v) for a in audits for v in a.violations]
    if broken:
        lines += ["", f"{len(broken)} violation(s):", *(f"  {v}" for v in broken)]
    return "\n".join(lines)


def audit_json(audits: list[GroupAudit], thresholds: AuditThresholds) -> dict[str, Any]:
    worst = worst_violation(audits)
    return {
        "ok": worst is None,
        "thresholds": thresholds.model_dump(),
        "worst_violation": None if worst is None else str(worst),
        "groups": [a.to_json() for a in audits],
    }
