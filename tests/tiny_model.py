"""Build a tiny causal LM on disk for model-backend tests.

A BPE tokenizer is trained with `tokenizers` on generated puzzle text and saved
together with a randomly initialised `LlamaForCausalLM` (head_dim 64: vLLM's CPU
attention rejects smaller heads). The directory is loaded through the same code
paths a user's real model takes. Nothing is downloaded.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

CHAT_TEMPLATE = (
    "{% for m in messages %}<|{{ m['role'] }}|>{{ m['content'] }}<|end|>{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>{% endif %}"
)
SPECIAL_TOKENS = ["<|eos|>", "<|pad|>", "<|system|>", "<|user|>", "<|assistant|>", "<|end|>"]


CORPUS = Path(__file__).parent / "data" / "tiny_model_corpus.jsonl.gz"


def training_text() -> list[str]:
    """Prompts and reference traces of real tasks (knights_knaves, nlsat and game_of_24 at
    level 1, 100 each), frozen in a file: the vocabulary the tests will use. Frozen, so that
    a new generator version does not change the tiny model that every model test reads."""
    with gzip.open(CORPUS, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def build_tiny_model(
    directory: Path,
    *,
    chat_template: str | None = CHAT_TEMPLATE,
    seed: int = 0,
    vocab_size: int = 1000,
    logit_scale: float = 20.0,
) -> Path:
    """Write tokenizer + random Llama weights (float32, safetensors) to ``directory``."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    directory.mkdir(parents=True, exist_ok=True)
    bpe = Tokenizer(models.BPE(unk_token=None))
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    bpe.train_from_iterator(training_text(), trainer=trainer)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=bpe, eos_token="<|eos|>", pad_token="<|pad|>"
    )
    if chat_template is not None:
        tokenizer.chat_template = chat_template
    tokenizer.save_pretrained(directory)

    torch.manual_seed(seed)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=128,
        intermediate_size=256,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=2,
        head_dim=64,
        max_position_embeddings=2048,
        bos_token_id=None,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        tie_word_embeddings=False,
        torch_dtype="float32",
    )
    model = LlamaForCausalLM(config)
    # Random init gives near-uniform next-token distributions; a larger output scale
    # makes sampling and logprobs depend visibly on the weights and the seed.
    with torch.no_grad():
        model.lm_head.weight.mul_(logit_scale)
    model.save_pretrained(directory, safe_serialization=True)
    return directory


def perturbed_copy(source: Path, target: Path, noise: float, seed: int = 1) -> Path:
    """The same tokenizer and architecture with every weight nudged by Gaussian noise
    (relative scale ``noise``): a student that mostly agrees with its teacher."""
    import shutil

    import torch
    from transformers import LlamaForCausalLM

    shutil.copytree(source, target, dirs_exist_ok=True)
    model = LlamaForCausalLM.from_pretrained(source)
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for parameter in model.parameters():
            spread = parameter.std() if parameter.numel() > 1 else parameter.abs()
            parameter.add_(torch.randn(parameter.shape, generator=generator) * spread * noise)
    model.save_pretrained(target, safe_serialization=True)
    return target
