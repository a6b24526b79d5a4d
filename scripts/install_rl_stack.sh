#!/usr/bin/env bash
# Install the RL trainers into a venv that has the model stack (scripts/install_model_stack.sh):
# TRL through the `rl` extra, and verl 0.9.1 without its dependencies (they pin vLLM, torch
# and flash-attn builds that clash with the CPU stack) plus only the light packages its
# dataset, config and reward modules import.
set -euo pipefail
venv="${1:-.venv}"
"$venv/bin/pip" install -q -e '.[rl]'
"$venv/bin/pip" install -q --no-deps verl==0.9.1 tensordict==0.10.0
"$venv/bin/pip" install -q ray==2.60.0 hydra-core==1.3.8 codetiming==1.4.0 orjson==3.13.0 \
  pyvers==0.1.0 lazy-importer==0.1.0
"$venv/bin/python" -c "import trl, verl, verl.utils.dataset.rl_dataset; print('rl stack: trl', trl.__version__, '| verl', verl.__version__)"
