"""Random elementary functions of x for the calculus tasks, built from named blocks.

Each block is a kind and integer parameters; its text and its derivative's text follow
from rules written out here (power, chain, product, quotient), with integer arithmetic
only, so that generation needs no computer algebra. The tests differentiate the text
with sympy as an independent check.
"""

from __future__ import annotations

from collections.abc import Sequence
from random import Random

from generators.math.common import nonzero

BLOCKS = ("power", "exp", "trig", "log", "product", "chain", "quotient")
WEIGHTS = {"power": 1, "exp": 2, "trig": 2, "log": 2, "product": 4, "chain": 4, "quotient": 5}
"""Rules a block's derivative needs, roughly: the effort figure of the calculus tasks."""
RULES = {
    "power": "power rule",
    "exp": "exponential with the chain factor",
    "trig": "sin/cos with the chain factor",
    "log": "d/dx ln x = 1/x",
    "product": "product rule",
    "chain": "chain rule",
    "quotient": "quotient rule",
}

Block = list
"""[kind, variant, *integers] (JSON-friendly, stored in payloads)."""

CALCULUS_LEVELS: dict[int, dict] = {
    1: {"kinds": ["power"], "terms": 2, "bound": 9},
    2: {"kinds": ["power"], "terms": 3, "bound": 9},
    3: {"kinds": ["power", "exp"], "terms": 3, "bound": 7},
    4: {"kinds": ["power", "trig", "exp"], "terms": 3, "bound": 7},
    5: {"kinds": ["power", "trig", "log", "exp"], "terms": 4, "bound": 7},
    6: {"kinds": ["product", "power", "trig"], "terms": 3, "bound": 6},
    7: {"kinds": ["product", "chain", "power"], "terms": 3, "bound": 6},
    8: {"kinds": ["chain", "product", "exp", "trig"], "terms": 4, "bound": 6},
    9: {"kinds": ["quotient", "chain", "product"], "terms": 3, "bound": 6},
    10: {"kinds": ["quotient", "chain", "product", "trig"], "terms": 4, "bound": 6},
}


def kinds_for(kinds: Sequence[str], terms: int) -> list[str]:
    return [kinds[i % len(kinds)] for i in range(terms)]


def effort(kinds: Sequence[str], terms: int) -> int:
    return sum(WEIGHTS[kind] for kind in kinds_for(kinds, terms))


# --- text ---------------------------------------------------------------------------------


def scaled(c: int, body: str) -> str:
    """``c·body`` as text: ``3*x^2``, ``-exp(x)``, ``5``."""
    if not body:
        return str(c)
    return body if c == 1 else f"-{body}" if c == -1 else f"{c}*{body}"


def join(parts: Sequence[str]) -> str:
    """Signed terms joined with + and -: ``["3*x", "-2"]`` → ``3*x - 2``."""
    text = ""
    for part in parts:
        if not text:
            text = part
        elif part.startswith("-"):
            text += f" - {part[1:]}"
        else:
            text += f" + {part}"
    return text or "0"


def _power(n: int) -> str:
    return "" if n == 0 else "x" if n == 1 else f"x^{n}"


def _linear(a: int) -> str:
    return scaled(a, "x")


def _trig(name: str, a: int) -> str:
    return f"{name}({_linear(a)})"


def _qtext(q: Sequence[int]) -> str:
    """A quadratic with explicit products (``3*x^2 - 2*x + 1``)."""
    parts = [scaled(c, _power(2 - i)) for i, c in enumerate(q) if c]
    return join(parts)


def _dq(q: Sequence[int]) -> list[int]:
    return [2 * q[0], q[1]]


def _ltext(coeffs: Sequence[int]) -> str:
    parts = [scaled(c, _power(len(coeffs) - 1 - i)) for i, c in enumerate(coeffs) if c]
    return join(parts)


def text(block: Block) -> str:
    kind, variant, *k = block
    if kind == "power":
        c, n = k
        return scaled(c, _power(n))
    if kind == "exp":
        c, a = k
        return scaled(c, f"exp({_linear(a)})")
    if kind == "trig":
        c, a = k
        return scaled(c, _trig(variant, a))
    if kind == "log":
        return scaled(k[0], "ln(x)")
    if kind == "product":
        if variant == "exp":
            n, b, a = k
            return f"({join([_power(n), str(b)])})*exp({_linear(a)})"
        c, n, a, name = k[0], k[1], k[2], ("sin", "cos")[k[3]]
        return scaled(c, f"{_power(n)}*{_trig(name, a)}")
    if kind == "chain":
        c, q = k[0], k[1:4]
        if variant == "power":
            return scaled(c, f"({_qtext(q)})^{k[4]}")
        return scaled(c, f"{variant}({_qtext(q)})")
    if kind == "quotient":
        p, r, s = k
        bottom = f"x^2 + {s}" if variant == "square" else f"x + {s}"
        return f"({_ltext([p, r])})/({bottom})"
    raise ValueError(kind)


def derivative(block: Block) -> str:
    """The derivative's text, by the rule the block's kind names."""
    kind, variant, *k = block
    if kind == "power":
        c, n = k
        return scaled(c * n, _power(n - 1))
    if kind == "exp":
        c, a = k
        return scaled(c * a, f"exp({_linear(a)})")
    if kind == "trig":
        c, a = k
        other, sign = ("cos", 1) if variant == "sin" else ("sin", -1)
        return scaled(sign * c * a, _trig(other, a))
    if kind == "log":
        return f"{k[0]}/x"
    if kind == "product":
        if variant == "exp":
            n, b, a = k
            # (xⁿ + b)' e^(ax) + a(xⁿ + b) e^(ax)
            coeffs = [a, n] + [0] * (n - 1)
            coeffs[-1] += a * b
            return f"({_ltext(coeffs)})*exp({_linear(a)})"
        c, n, a, which = k
        name, other, sign = ("sin", "cos", 1) if which == 0 else ("cos", "sin", -1)
        lead = _power(n - 1)
        first = scaled(c * n, f"{lead}*{_trig(name, a)}" if lead else _trig(name, a))
        second = scaled(sign * c * a, f"{_power(n)}*{_trig(other, a)}")
        return join([first, second])
    if kind == "chain":
        c, q = k[0], k[1:4]
        dq = f"({_ltext(_dq(q))})"
        if variant == "power":
            m = k[4]
            rest = f"({_qtext(q)})" + (f"^{m - 1}" if m > 2 else "")
            return scaled(c * m, f"{dq}*{rest}")
        outer = "cos" if variant == "sin" else "exp"
        return scaled(c, f"{dq}*{outer}({_qtext(q)})")
    if kind == "quotient":
        p, r, s = k
        if variant == "square":
            return f"({_ltext([-p, -2 * r, p * s])})/(x^2 + {s})^2"
        return f"{p * s - r}/(x + {s})^2"
    raise ValueError(kind)


# --- drawing ------------------------------------------------------------------------------


def draw_block(kind: str, rng: Random, bound: int) -> Block:
    c, a = nonzero(rng, bound), nonzero(rng, min(bound, 5))
    if kind == "power":
        return [kind, "", c, rng.randint(1, 6)]
    if kind == "exp":
        return [kind, "", c, a]
    if kind == "trig":
        return [kind, rng.choice(("sin", "cos")), c, a]
    if kind == "log":
        return [kind, "", c]
    if kind == "product":
        if rng.random() < 0.5:
            return [kind, "exp", rng.randint(1, 3), nonzero(rng, bound), a]
        return [kind, "trig", c, rng.randint(1, 3), a, rng.randint(0, 1)]
    if kind == "chain":
        small = min(bound, 5)
        q = [rng.randint(1, small), nonzero(rng, small), nonzero(rng, small)]
        variant = rng.choice(("sin", "exp", "power"))
        return [kind, variant, c, *q] + ([rng.randint(2, 4)] if variant == "power" else [])
    if kind == "quotient":
        variant = rng.choice(("square", "linear"))
        p, r, s = nonzero(rng, bound), nonzero(rng, bound), rng.randint(1, bound)
        if variant == "linear" and p * s == r:
            r += 1  # (px + ps)/(x + s) is the constant p
        return [kind, variant, p, r, s]
    raise ValueError(kind)


def draw_blocks(rng: Random, kinds: Sequence[str], terms: int, bound: int) -> list[Block]:
    """``terms`` blocks, cycling through ``kinds``; two blocks of one shape (say c·x³ and
    d·x³) would merge into one term, so a block repeating another's shape is redrawn."""
    blocks: list[Block] = []
    shapes: set[str] = set()
    for kind in kinds_for(kinds, terms):
        while True:
            block = draw_block(kind, rng, bound)
            shape = _shape(block)
            if shape not in shapes:
                shapes.add(shape)
                blocks.append(block)
                break
    return blocks


def _shape(block: Block) -> str:
    """What two mergeable blocks share: the block without its outer coefficient."""
    kind = block[0]
    if kind in ("power", "exp", "trig", "log", "chain"):
        return repr([kind, block[1], *block[3:]])
    return repr(block)


def function_text(blocks: Sequence[Block]) -> str:
    return join([text(b) for b in blocks])


def derivative_text(blocks: Sequence[Block]) -> str:
    return join([derivative(b) for b in blocks])
