"""The real trainers on our data, on the tiny test model (CPU): TRL's GRPOTrainer on the online
stream with the curriculum, SFTTrainer on the SFT export, and verl 0.9.1's own config
composition (the overrides in docs/rl.md), reward loader and datasets.

They need the RL stack (``bash scripts/install_rl_stack.sh``): without it they skip, unless
``FACTORY_REQUIRE_MODEL_TESTS=1``, where that is an error.
"""

from __future__ import annotations

import importlib.util
import os
import re
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml

import factory
from factory import api
from factory.config import parse_build_config
from factory.curriculum import STATE_FILE, recording_reward, trl_callback
from factory.publish.export import ExportOptions, export_dataset
from factory.rewards import compute_score, format_reward, verifier_reward
from pipelines.build import run_build

pytestmark = [
    pytest.mark.models,
    pytest.mark.filterwarnings("ignore:TRL currently supports vLLM versions:UserWarning"),
]

FACTORY_DIR = Path(factory.__file__).resolve().parent
RL_DOC = FACTORY_DIR.parent / "docs" / "rl.md"
TASKS = [
    {"task": "knights_knaves", "count": 4, "levels": [1, 2]},
    {"task": "nlsat", "count": 2, "levels": [1]},
]


def require(module: str) -> None:
    if importlib.util.find_spec(module) is not None:
        return
    if os.environ.get("FACTORY_REQUIRE_MODEL_TESTS") == "1":
        pytest.fail(f"{module} is not installed but model tests are required")
    pytest.skip(f"needs {module}: bash scripts/install_rl_stack.sh")


@pytest.fixture(scope="module")
def build_config(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("trainers")
    path = root / "config.yaml"
    config = {"name": "rl", "seed": 2, "output_root": str(root / "out"), "tasks": TASKS}
    path.write_text(yaml.safe_dump(config))
    return path


@pytest.fixture(scope="module")
def version_dir(build_config) -> Path:
    config = parse_build_config(yaml.safe_load(build_config.read_text()))
    return Path(run_build(config, workers=1).layout.version_dir)


def cpu_args(tmp_path: Path) -> dict:
    return {
        "output_dir": str(tmp_path / "run"),
        "max_steps": 2,
        "per_device_train_batch_size": 2,
        "learning_rate": 1e-4,
        "report_to": "none",
        "bf16": False,
        "fp16": False,
        "use_cpu": True,
        "logging_steps": 1,
        "seed": 0,
    }


def test_grpo_trains_on_the_online_stream_with_the_curriculum(tiny_model_dir, tmp_path):
    require("trl")
    from trl import GRPOConfig, GRPOTrainer

    source = api.dataset("knights_knaves", levels=[1, 2, 3], seed=1, endless=True)
    curriculum = source.curriculum(window=4, min_samples=2)
    stream = source.stream(levels=curriculum)
    args = GRPOConfig(
        **cpu_args(tmp_path),
        num_generations=2,
        max_completion_length=8,
        use_vllm=False,
        shuffle_dataset=False,
        ignore_data_skip=True,
        save_strategy="steps",
        save_steps=2,
    )
    trainer = GRPOTrainer(
        model=str(tiny_model_dir),
        reward_funcs=[recording_reward(curriculum, verifier_reward), format_reward],
        train_dataset=api.trainer_dataset(stream),
        args=args,
        callbacks=[trl_callback(curriculum, stream)],
    )
    trainer.train()
    assert trainer.state.global_step == 2
    assert stream.draws >= 2
    assert [d.step for d in curriculum.decisions][:1] == [1], "the callback updated it"
    assert (tmp_path / "run" / "checkpoint-2" / STATE_FILE).is_file()


@pytest.mark.parametrize("layout", ["prompt-completion", "messages"])
def test_sft_trains_on_the_sft_export(tiny_model_dir, version_dir, tmp_path, layout):
    require("trl")
    from datasets import load_dataset
    from trl import SFTConfig, SFTTrainer

    options = ExportOptions(system_prompt="Answer in tags.", layout=layout, think=True)
    result = export_dataset(version_dir, "sft", tmp_path / "sft.parquet", options=options)
    dataset = load_dataset("parquet", data_files=str(result.path), split="train")
    args = SFTConfig(**cpu_args(tmp_path), max_length=1024)
    trainer = SFTTrainer(model=str(tiny_model_dir), train_dataset=dataset, args=args)
    trainer.train()
    assert trainer.state.global_step == 2
    assert all(log["loss"] > 0 for log in trainer.state.log_history if "loss" in log)


def readme_commands() -> list[list[str]]:
    """The ``key=value`` overrides of every ``verl.trainer.main_ppo`` command in docs/rl.md,
    its ``/path/to/factory/`` made this checkout's."""
    commands = re.findall(
        r"python -m verl\.trainer\.main_ppo (.*?)(?:\.\.\.|```)", RL_DOC.read_text(), re.S
    )
    return [
        [
            word.replace("/path/to/factory/", f"{FACTORY_DIR}/")
            for word in text.split()
            if "=" in word
        ]
        for text in commands
    ]


def compose_verl(overrides: list[str]):
    """verl's ppo_trainer config as ``main_ppo`` composes it, with ``overrides``."""
    import verl
    from hydra import compose, initialize_config_dir

    config_dir = Path(verl.__file__).parent / "trainer" / "config"
    with initialize_config_dir(config_dir=str(config_dir), version_base=None):
        return compose(config_name="ppo_trainer", overrides=overrides)


def replaced(overrides: list[str], **values: str) -> list[str]:
    """``overrides`` with the value of each key in ``values`` (dots as ``__``) replaced."""
    keys = {key.replace("__", "."): value for key, value in values.items()}
    return [
        f"{key}={keys[key]}" if key in keys else word
        for word in overrides
        for key in [word.split("=", 1)[0]]
    ]


def test_the_readme_verl_commands_resolve_to_our_reward(version_dir, tmp_path):
    require("verl")
    from verl.trainer.ppo.reward import get_custom_reward_fn

    export = export_dataset(version_dir, "verl", tmp_path / "verl.parquet")
    row = pq.read_table(export.path).to_pylist()[0]
    truth = row["reward_model"]["ground_truth"]
    first = version_dir / "data" / "knights_knaves" / "train-00000.parquet"
    trace = pq.read_table(first, columns=["reference_trace"]).column(0)[0].as_py()
    commands = readme_commands()
    assert len(commands) == 2
    for overrides in commands:
        config = compose_verl(overrides)
        assert config.reward.custom_reward_function.path == str(FACTORY_DIR / "rewards.py")
        assert config.reward.custom_reward_function.name == "compute_score"
        reward = get_custom_reward_fn(config)
        args = (row["data_source"], trace, truth, row["extra_info"])
        assert reward(*args) == compute_score(*args) == 1.0
        assert reward(row["data_source"], "<answer>no</answer>", truth, row["extra_info"]) == 0.0


def tiny_tokenizer(tiny_model_dir: Path):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(tiny_model_dir)


def test_verl_rlhf_dataset_keeps_every_prompt_at_the_printed_length(
    version_dir, tiny_model_dir, tmp_path
):
    require("verl")
    from omegaconf import OmegaConf
    from verl.utils.dataset.rl_dataset import RLHFDataset

    options = ExportOptions(system_prompt="Be brief.", tokenizer=str(tiny_model_dir))
    export = export_dataset(version_dir, "verl", tmp_path / "verl.parquet", options=options)
    rows = pq.read_table(export.path).to_pylist()

    def dataset(max_prompt_length: int) -> RLHFDataset:
        settings = {
            "max_prompt_length": max_prompt_length,
            "filter_overlong_prompts": True,
            "filter_overlong_prompts_workers": 1,
            "cache_dir": str(tmp_path / "cache"),
        }
        config = OmegaConf.create(settings)
        return RLHFDataset([str(export.path)], tiny_tokenizer(tiny_model_dir), config)

    kept = dataset(export.longest_prompt)
    assert [kept[i]["raw_prompt"] for i in range(len(kept))] == [r["prompt"] for r in rows]
    assert kept[0]["extra_info"]["subset"] == rows[0]["extra_info"]["subset"]
    assert len(dataset(export.longest_prompt - 1)) < len(rows)


def test_verl_loads_our_dataset_class_and_it_serves_our_stream(
    build_config, tiny_model_dir, tmp_path
):
    require("verl")
    from verl.utils.dataset.rl_dataset import get_dataset_class

    overrides = replaced(readme_commands()[1], data__train_files=str(build_config))
    config = compose_verl(overrides)
    dataset_class = get_dataset_class(config.data)
    assert dataset_class.__name__ == "VerlDataset"
    dataset = dataset_class(config.data.train_files, tiny_tokenizer(tiny_model_dir), config.data)
    source = api.from_config(build_config, endless=True)
    expected = api.rows(source.stream(source.curriculum()), "verl")
    for _ in range(4):
        served, row = dataset[0], next(expected)
        assert served["raw_prompt"] == row["prompt"]
        assert served["extra_info"]["subset"] == row["extra_info"]["subset"]
    assert dataset.policy is not None, "+data.reasoning_factory.curriculum=true reached it"
