"""Hostile model output for the verifiers, built from a problem's oracle answer.

Each input aims at a way parsing goes super-linear or raises: regex backtracking over a
long run of spaces or digits, ``int()`` of a 5000+ digit run, deep bracket nesting, a
stack description per character, thousands of unclosed ``<answer>`` tags. Shared by
``tests/test_verifier_fuzz.py`` (which also mutates them at random) and
``bench/bench_verifiers.py`` (which times them).
"""

from __future__ import annotations

from random import Random

TRICKY = [
    *"²١１İß\u0301\ud800\x00\u2028\x85−×÷()[]{}<>=:,;|#./-+*\n \t09",
    "is",
    "and",
    "none",
    "house",
    "step",
    "1/0",
    "<answer>",
    "</answer>",
    "</think>",
]
"""Characters and words verifiers trip on: digits that are not ASCII (``"²".isdigit()``
but ``int("²")`` raises), line separators ``splitlines`` knows, lone surrogates, tags."""

RUN_UNITS = ["9", "(", "[", "{", "<", "([{<", "(1+", ")", " ", "\t", "\n", "1 ", "1\n", ","]
RUN_UNITS += ["a ", "is ", "-", "=1 ", "house ", "#", "|", ":", "a1p"]
"""What a long run is made of: digits, openers, whitespace, list items, label words."""

LEADS = ["a", "=1", "-", "|", "(1", "1.", "Alice is", "house"]
"""What a long run of spaces follows: a name, a result, a bullet, a label."""

_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")  # str.isdigit() but not int()
_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")  # \d and int() both take these


def run_of(unit: str, size: int) -> str:
    """``unit`` repeated to exactly ``size`` characters."""
    return (unit * (size // len(unit) + 1))[: max(size, 0)]


def hostile_answers(answer: str, size: int) -> dict[str, str]:
    """Named answers of at most ``size`` characters, runs alone and around the answer."""
    first, _, rest = answer.partition("\n")
    half, spaces, rng = size // 2, run_of(" ", size - len(answer) - 10), Random(size)
    cases = {f"run of {unit!r}": run_of(unit, size) for unit in RUN_UNITS}
    cases.update({f"{lead!r}, spaces": f"{lead}{spaces}x" for lead in LEADS})
    cases.update(
        {
            "negative digits": "-" + run_of("9", size - 1),
            "fraction digits": "1/" + run_of("7", size - 2),
            "decimal digits": "0." + run_of("5", size - 2),
            "digits after the answer": answer + run_of("9", size - len(answer)),
            "nested ()": "(" * half + ")" * half,
            "nested [] around the answer": "[" * (half - len(answer)) + answer + "]" * half,
            "label, spaces, '#', spaces": f"house{spaces[: half // 2]}#{spaces[: half // 2]}x",
            "spaces inside the first line": f"{first}{spaces}x\n{rest}",
            "answer, its spaces widened": answer.replace(" ", " " * (size // (len(answer) + 1))),
            "answer repeated": run_of(answer + "\n", size),
            "answer, superscript digits": answer.translate(_SUPERSCRIPTS),
            "answer, fullwidth digits": answer.translate(_FULLWIDTH),
            "random unicode": "".join(chr(rng.randrange(32, 0x30000)) for _ in range(size)),
            "tricky characters": "".join(rng.choice(TRICKY) for _ in range(size // 4)),
        }
    )
    return {name: text[:size] for name, text in cases.items()}


def hostile_completions(answer: str, size: int) -> dict[str, str]:
    """Named completions of about ``size`` characters ending with ``answer``'s block."""
    block = f"<answer>{answer}</answer>"
    fill = size - len(block)
    return {
        "ascii padding": run_of("x", fill) + block,
        "unicode padding": run_of("é漢😀", fill) + block,
        "unclosed <answer> tags after": block + run_of("<answer>", fill),
        "unclosed <ANSWER> tags before": run_of("<ANSWER>", fill) + block,
        "thinking full of tags": f"<think>{run_of('<answer>x</think', fill - 15)}</think>{block}",
    }
