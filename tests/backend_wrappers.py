"""A real backend seen through a wrapper, so tests can watch or disturb its generate."""

from __future__ import annotations

from factory.backends.base import Backend


class WrappedBackend(Backend):
    """Delegates everything to ``backend``; subclasses override ``generate``."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.name = backend.name
        self.score_top_per_position = backend.score_top_per_position
        self.thread_safe = backend.thread_safe

    def generate(self, requests):
        return self.backend.generate(requests)

    def score(self, requests):
        return self.backend.score(requests)

    def score_top(self, requests, k):
        return self.backend.score_top(requests, k)

    def tokenizer(self):
        return self.backend.tokenizer()
