"""The RSD token rule, as a pure function of model outputs and explicit random draws.

At each position: the teacher's top-k tokens (restricted to the shared vocabulary) are
turned into a sampling distribution (temperature, then top_p, renormalised); up to
``trials`` candidates are drawn from it; the first whose *raw* student probability
(softmax at temperature 1, what an independent re-scoring reports) is ≥ ``p_th`` is
emitted. Otherwise a token is drawn from the student's own top-k distribution (same
temperature and top_p, shared tokens only).

Choices (documented because the paper leaves them open):
- the student fallback uses the student's top-k, like the teacher side: vLLM and HTTP
  servers only report top-k logprobs, and with this definition the chunked engine can
  reproduce token-by-token decoding exactly;
- every random number is ``draw(seed, position, trial)`` — a hash, not a stream — so
  any engine, calling the models in any order, makes the same decisions;
- candidates are laid out by token id for inverse-CDF sampling, so float noise that
  swaps two near-equal logprobs cannot change which token a draw picks;
- an engine may supply the first candidate itself (``first_candidate``: the token the
  teacher sampled with the rule's temperature, top_p and top-k, see the ``sampled``
  engine): one draw from the same distribution, used when it is shared; an unshared one
  is replaced by the rule's own draws (sampling the restricted distribution by rejection).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from factory.backends.base import BackendError
from schemas.config import RSDParams

TokenLogprobs = Sequence[tuple[int, float]]  # (token id, raw logprob)


def draw(seed: int, position: int, trial: int) -> float:
    """A uniform number in [0, 1) fixed by (seed, position, trial)."""
    digest = hashlib.blake2b(f"{seed}:{position}:{trial}".encode(), digest_size=8).digest()
    return (int.from_bytes(digest, "big") >> 11) / float(1 << 53)


def round_seed(seed: int, position: int) -> int:
    """A 31-bit sampler seed fixed by (seed, position): the ``sampled`` engine seeds the
    teacher's draft that starts at ``position`` with it."""
    digest = hashlib.blake2b(f"round:{seed}:{position}".encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big") >> 1


def sampling_distribution(
    top: TokenLogprobs, temperature: float, top_p: float
) -> list[tuple[int, float]]:
    """(id, probability) sorted by id: temperature over ``top``, then the top_p nucleus."""
    ranked = sorted(top, key=lambda entry: (-entry[1], entry[0]))
    if not ranked:
        return []
    if temperature == 0:
        return [(ranked[0][0], 1.0)]
    best = ranked[0][1]
    weights = [math.exp((logprob - best) / temperature) for _, logprob in ranked]
    total = sum(weights)
    kept: list[tuple[int, float]] = []
    mass = 0.0
    for (token, _), weight in zip(ranked, weights, strict=True):
        kept.append((token, weight))
        mass += weight / total
        if mass >= top_p:
            break
    norm = sum(weight for _, weight in kept)
    return sorted((token, weight / norm) for token, weight in kept)


def pick(distribution: Sequence[tuple[int, float]], u: float) -> int:
    """Inverse-CDF sampling of ``u`` in [0, 1)."""
    cumulative = 0.0
    for token, probability in distribution:
        cumulative += probability
        if u < cumulative:
            return token
    return distribution[-1][0]


@dataclass(frozen=True)
class Step:
    teacher_id: int
    student_id: int
    from_teacher: bool
    trials: int  # candidates drawn at this position


def accepts(params: RSDParams, student_logprob: Callable[[int], float], student_id: int) -> bool:
    if params.p_th <= 0:
        return True
    if params.p_th > 1:
        return False
    return student_logprob(student_id) >= math.log(params.p_th)


def rsd_step(
    params: RSDParams,
    seed: int,
    position: int,
    teacher_top: Callable[[], TokenLogprobs],
    student_top: Callable[[], TokenLogprobs],
    student_logprob: Callable[[int], float],
    teacher_to_student: dict[int, int],
    student_to_teacher: dict[int, int],
    first_candidate: int | None = None,
) -> Step:
    """One emitted token. ``teacher_top()``/``student_top()`` give the models' raw top-k at
    this position in their own ids (each asked only when needed); ``student_logprob`` gives
    the student's raw logprob of a student token id here (it may answer an upper bound when
    that already decides). ``first_candidate``: a teacher token the engine drew from the
    candidate distribution (the teacher's own sampler with the rule's temperature, top_p
    and top-k), the first candidate when it is shared."""
    draws = 0
    if first_candidate in teacher_to_student:
        draws = 1
        student_id = teacher_to_student[first_candidate]
        if accepts(params, student_logprob, student_id):
            return Step(first_candidate, student_id, True, 1)
    shared_teacher = [(t, lp) for t, lp in teacher_top() if t in teacher_to_student]
    candidates = sampling_distribution(shared_teacher, params.temperature, params.top_p)
    if candidates:
        for trial in range(draws, params.trials):
            teacher_id = pick(candidates, draw(seed, position, trial))
            student_id = teacher_to_student[teacher_id]
            if accepts(params, student_logprob, student_id):
                return Step(teacher_id, student_id, True, trial + 1)
        draws = max(draws, params.trials)
    shared_student = [(s, lp) for s, lp in student_top() if s in student_to_teacher]
    fallback = sampling_distribution(shared_student, params.temperature, params.top_p)
    if not fallback:
        raise BackendError(f"RSD position {position}: no shared token in the student's top-k")
    student_id = pick(fallback, draw(seed, position, params.trials))
    return Step(student_to_teacher[student_id], student_id, False, draws)
