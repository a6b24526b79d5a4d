"""Difficulty knobs of cryptarithms, their bounds and the level table."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from generators.base import TaskConfig

Operation = Literal["add", "sub", "mul"]


class CryptarithmConfig(TaskConfig):
    """Knobs: which operations, how many addends and how many digits per operand."""

    operations: tuple[Operation, ...] = Field(
        default=("add",), min_length=1, description="operations to draw from per puzzle"
    )
    n_addends: int = Field(
        default=2,
        ge=2,
        le=6,
        description="terms of an addition or subtraction; also lengthens multiplicands",
    )
    min_digits: int = Field(default=3, ge=2, le=8, description="fewest digits of an operand")
    max_digits: int = Field(default=4, ge=2, le=8, description="most digits of an operand")

    @model_validator(mode="after")
    def _ordered(self) -> CryptarithmConfig:
        if self.min_digits > self.max_digits:
            raise ValueError("min_digits must not exceed max_digits")
        return self


_ALL: list[Operation] = ["add", "sub", "mul"]
LEVELS: dict[int, dict[str, Any]] = {
    1: {"operations": ["add"], "n_addends": 2, "min_digits": 2, "max_digits": 3},
    2: {"operations": ["add"], "n_addends": 2, "min_digits": 3, "max_digits": 3},
    3: {"operations": _ALL, "n_addends": 2, "min_digits": 3, "max_digits": 4},
    4: {"operations": _ALL, "n_addends": 2, "min_digits": 4, "max_digits": 4},
    5: {"operations": _ALL, "n_addends": 3, "min_digits": 4, "max_digits": 4},
    6: {"operations": _ALL, "n_addends": 3, "min_digits": 4, "max_digits": 5},
    7: {"operations": _ALL, "n_addends": 3, "min_digits": 5, "max_digits": 5},
    8: {"operations": _ALL, "n_addends": 4, "min_digits": 5, "max_digits": 5},
    9: {"operations": _ALL, "n_addends": 4, "min_digits": 5, "max_digits": 6},
    10: {"operations": _ALL, "n_addends": 5, "min_digits": 5, "max_digits": 6},
}
