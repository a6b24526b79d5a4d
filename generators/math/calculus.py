"""The config and prompt pieces the derivative and antiderivative tasks share."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from generators.base import TaskConfig

Kind = Literal["power", "exp", "trig", "log", "product", "chain", "quotient"]


class FunctionConfig(TaskConfig):
    kinds: list[Kind] = Field(
        default=["power"],
        min_length=1,
        max_length=7,
        description="blocks the function is built from (power, exp, trig, log, product, "
        "chain, quotient), used in turn",
    )
    terms: int = Field(default=2, ge=1, le=6, description="blocks summed")
    bound: int = Field(default=9, ge=2, le=30, description="largest |coefficient|")


EXPRESSION_FORMAT = (
    "Write the expression in x with ^ for powers, * or juxtaposition for products, and "
    "sin, cos, exp or e^, ln for functions; any equivalent form is accepted."
)
