"""Load an RSD teacher/student pair and decode problems with the configured engine.

The tokenizers are loaded and the shared vocabulary checked before any model is, so
mismatched tokenizers are refused in seconds, not after loading two models.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from factory.backends.base import BackendError
from factory.backends.hf_tokenizer import HFTokenizer, load_hf_tokenizer
from factory.backends.loaded import load_once
from factory.models.prompting import styled_request
from factory.rsd.decoding import RSDSample
from factory.rsd.vocab import SharedVocab
from schemas.config import ModelSpec, PromptStyle, RSDConfig


def local_tokenizer(spec: ModelSpec, role: str) -> HFTokenizer:
    """RSD needs each vocabulary, so an HTTP model needs a local tokenizer directory."""
    if spec.backend == "openai" and spec.tokenizer is None:
        raise BackendError(
            f"rsd.{role}.tokenizer: RSD needs the {role}'s vocabulary; give a local tokenizer "
            f"directory for the served model {spec.model}"
        )
    return load_hf_tokenizer(spec.tokenizer or spec.model, spec.model, spec.chat_template)


def prompt_ids(tokenizer: HFTokenizer, style: PromptStyle, prompt: str) -> list[int]:
    """The token ids a model sees for ``prompt``: the request annotation would send,
    rendered with this model's chat template."""
    return tokenizer.prompt_ids(styled_request(style, prompt))


class RSDRunner:
    """Both models loaded, ready to decode one sample at a time."""

    def __init__(self, rsd: RSDConfig, seed: int) -> None:
        self.rsd = rsd
        self.teacher_tokenizer = local_tokenizer(rsd.teacher, "teacher")
        self.student_tokenizer = local_tokenizer(rsd.student, "student")
        self.vocab = SharedVocab.build(
            self.teacher_tokenizer.vocab(),
            self.student_tokenizer.vocab(),
            rsd.params.min_shared_vocab,
            (rsd.teacher.model, rsd.student.model),
        )
        if rsd.engine == "token":
            from factory.rsd.token_engine import StepModel

            self._models = tuple(
                StepModel(spec.model, **spec.engine_args) for spec in (rsd.teacher, rsd.student)
            )
        else:
            from factory.backends import open_backend

            self._models = (open_backend(rsd.teacher, seed), open_backend(rsd.student, seed))

    def decode(self, prompt: str, seed: int) -> RSDSample:
        from factory.rsd.chunked import decode_chunked
        from factory.rsd.token_engine import decode_token_by_token

        teacher, student = self._models
        arguments = (
            teacher,
            student,
            self.vocab,
            self.rsd.params,
            prompt_ids(self.teacher_tokenizer, self.rsd, prompt),
            prompt_ids(self.student_tokenizer, self.rsd, prompt),
            self.student_tokenizer.eos_token_id,
            seed,
        )
        if self.rsd.engine == "token":
            return decode_token_by_token(*arguments)
        return decode_chunked(*arguments, sampled=self.rsd.engine == "sampled")

    def decode_many(
        self, units: Sequence[tuple[str, int]], in_flight: int = 1
    ) -> Iterator[tuple[int, RSDSample]]:
        """``(index, sample)`` for each (prompt, seed) as it finishes; the chunked engine
        and sampled engines keep up to ``in_flight`` samples decoding at once, the token
        engine one."""
        if self.rsd.engine == "token":
            for index, (prompt, seed) in enumerate(units):
                yield index, self.decode(prompt, seed)
            return
        from factory.rsd.chunked import Job, decode_chunked_many

        eos = self.student_tokenizer.eos_token_id
        jobs = [
            Job(
                tuple(prompt_ids(self.teacher_tokenizer, self.rsd, prompt)),
                tuple(prompt_ids(self.student_tokenizer, self.rsd, prompt)),
                eos,
                seed,
            )
            for prompt, seed in units
        ]
        teacher, student = self._models
        sampled = self.rsd.engine == "sampled"
        yield from decode_chunked_many(
            teacher, student, self.vocab, self.rsd.params, jobs, in_flight, sampled
        )

    def close(self) -> None:
        for model in self._models:
            close = getattr(model, "close", None)
            if close is not None:
                close()


def shared_runner(rsd: RSDConfig, seed: int) -> RSDRunner:
    """One loaded pair per config per process (``factory.backends.loaded``)."""
    return load_once(f"rsd:{seed}:{rsd.model_dump_json()}", lambda: RSDRunner(rsd, seed))
