"""The shared-token map between a teacher's and a student's tokenizer, built once.

RSD appends every emitted token to both models' contexts, so only tokens that exist
with the same string in both vocabularies can be proposed or emitted. Tokenizers of one
family share (nearly) everything; if they share less than ``min_share`` of the
teacher's vocabulary, decoding is refused before it starts.
"""

from __future__ import annotations

from dataclasses import dataclass

from factory.backends.base import BackendError


@dataclass(frozen=True)
class SharedVocab:
    teacher_to_student: dict[int, int]
    student_to_teacher: dict[int, int]
    share: float  # of the teacher's vocabulary

    @classmethod
    def build(
        cls,
        teacher_vocab: dict[str, int],
        student_vocab: dict[str, int],
        min_share: float,
        names: tuple[str, str] = ("teacher", "student"),
    ) -> SharedVocab:
        pairs = {
            teacher_id: student_vocab[token]
            for token, teacher_id in teacher_vocab.items()
            if token in student_vocab
        }
        share = len(pairs) / max(len(teacher_vocab), 1)
        if share < min_share:
            raise BackendError(
                f"tokenizers of {names[0]} and {names[1]} share {share:.1%} of the teacher's "
                f"{len(teacher_vocab)} tokens, below rsd.params.min_shared_vocab = "
                f"{min_share:.0%}: RSD needs models of one tokenizer family"
            )
        return cls(pairs, {s: t for t, s in pairs.items()}, share)
