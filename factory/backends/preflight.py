"""Before any shard runs: every model a build will ask can be reached and is served.

A dead endpoint, a wrong served model name, refused credentials or a missing model
directory would otherwise surface only inside the first shard (and again in every
other one); checked here, they stop the build in seconds with one line.
"""

from __future__ import annotations

from factory.backends.base import BackendError, FatalBackendError
from factory.backends.local_model import require_model_dir
from schemas.config import ModelSpec


def preflight(spec: ModelSpec, role: str) -> list[str]:
    """Raise ``FatalBackendError`` naming ``role`` when ``spec`` cannot serve; return
    warnings (an endpoint down while others answer)."""
    try:
        if spec.backend != "openai":
            require_model_dir(spec.model)
            return []
        from factory.backends.openai import OpenAIBackend

        backend = OpenAIBackend(
            spec.model,
            spec.endpoints,
            api_key_env=spec.api_key_env,
            timeout_s=spec.timeout_s,
            max_retries=0,
        )
        try:
            return [f"{role}: {line}" for line in backend.check_served()]
        finally:
            backend.close()
    except BackendError as error:
        raise FatalBackendError(f"{role}: {error}") from None
