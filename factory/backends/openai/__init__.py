"""A backend over OpenAI-compatible HTTP servers (vLLM ``serve``, OpenAI, and the like).

One job per module: ``endpoints`` (base URLs, keep-alive connections, health and
rotation), ``retries`` (which failures a retry can fix, backoff, ``Retry-After``),
``encoding`` (request bodies and response parsing), ``coalesce`` (calls from several
threads merged into one request), ``backend`` (``OpenAIBackend``: the worker pool and the
retry loop), ``server_tokenizer`` (vLLM's ``/tokenize``),
``preflight`` (every endpoint serves the model, checked before any work).
"""

from factory.backends.openai.backend import OpenAIBackend
from factory.backends.openai.endpoints import DOWN_AFTER, DOWN_FOR_S
from factory.backends.openai.server_tokenizer import ServerTokenizer

__all__ = ["DOWN_AFTER", "DOWN_FOR_S", "OpenAIBackend", "ServerTokenizer"]
