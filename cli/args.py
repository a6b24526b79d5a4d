"""Argument parsing shared by every ``factory`` subcommand: one-line errors and the
argparse types that hold numbers to their bounds."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import NoReturn

from schemas.config import BuildConfig


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line (``error: factory build: ...``), like
    every other failure of the CLI, instead of a usage block and a second line."""

    def error(self, message: str) -> NoReturn:
        print(f"error: {self.prog}: {message} (see: {self.prog} --help)", file=sys.stderr)
        raise SystemExit(2)


def bounded_int(low: int, high: int | None = None) -> Callable[[str], int]:
    """An argparse type: a whole number in ``low..high`` (no upper bound when None)."""
    expected = f"an integer >= {low}" if high is None else f"an integer in {low}..{high}"

    def parse(text: str) -> int:
        try:
            number = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {expected}") from None
        if number < low:
            why = "negative" if low == 0 else f"below {low}"
            raise argparse.ArgumentTypeError(f"{number} is {why}; expected {expected}")
        if high is not None and number > high:
            raise argparse.ArgumentTypeError(f"{number} is above {high}; expected {expected}")
        return number

    parse.__name__ = "integer"  # argparse names the type in some messages
    return parse


non_negative = bounded_int(0)
positive = bounded_int(1)


def _field_bounds(name: str) -> tuple[int, int | None]:
    """The ``ge``/``le`` bounds of an integer field of the build config."""
    low, high = 0, None
    for item in BuildConfig.model_fields[name].metadata:
        low = getattr(item, "ge", low)
        high = getattr(item, "le", high)
    return low, high


workers = bounded_int(*_field_bounds("workers"))


def add_quiet(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="no progress display (default: a live panel on a terminal, a plain line every "
        "few seconds otherwise)",
    )


def progress_mode(args: argparse.Namespace) -> str:
    """The progress mode a command asked for: ``quiet`` with --quiet, else ``auto``
    (``cli.main.main`` makes it the default of displays while the command runs)."""
    return "quiet" if getattr(args, "quiet", False) else "auto"
