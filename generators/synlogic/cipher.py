"""Cipher: encrypt or decrypt a short phrase with classical ciphers whose keys are given.

Ciphers: Caesar shift, Atbash, Vigenère (keyword; the key advances over letters only) and
rail fence (spaces dropped, letters written in a zigzag over the rails, read rail by rail).
Higher levels apply two or three ciphers in sequence. Every cipher is a bijection on letter
strings of a given length, so the answer is unique; the verifier compares letters only
(case, spaces and surrounding punctuation are ignored). Effort is letters × the summed
complexity of the ciphers applied. Generation draws the phrasing, every step and every
word at once from a :class:`~generators.hashrandom.HashRandom` (repeated words redrawn).
"""

from __future__ import annotations

import string
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, partial
from math import lcm
from random import Random
from typing import Any, ClassVar, Literal, NamedTuple

from pydantic import Field

from generators.base import (
    ANSWER_INSTRUCTION,
    AnswerFormatError,
    Instance,
    Solution,
    Task,
    TaskConfig,
    config_cached,
)
from generators.canonical import digest, pattern
from generators.hashrandom import Pools, distinct
from generators.synlogic.normalize import normalize_text
from generators.wordlists import load_words
from schemas.records import Problem

Name = Literal["caesar", "atbash", "vigenere", "rail_fence"]
_ABC = string.ascii_lowercase
_COMPLEXITY = {"caesar": 1, "atbash": 1, "vigenere": 2, "rail_fence": 3}


_ATBASH = str.maketrans(_ABC, _ABC[::-1])


@cache
def _caesar_table(by: int) -> dict[int, int]:
    """str.translate table moving every letter ``by`` places forward (wrapping)."""
    by %= 26
    return str.maketrans(_ABC, _ABC[by:] + _ABC[:by])


@cache
def _keywords(length: int) -> tuple[str, ...]:
    """Vigenère keywords: the word list's words of this length, in file order."""
    return tuple(w for w in load_words("english_words") if len(w) == length)


def _byte_translation(table: dict[int, int]) -> Callable[[str], str]:
    """``str.translate(table)`` for a table of ASCII letters, on the UTF-8 bytes: the same
    result for any text (other bytes stay, as other characters do), at half the cost."""
    if max(*table, *table.values()) >= 128:
        raise ValueError("a byte translation maps ASCII characters only")
    to_bytes = bytes.maketrans(bytes(table), bytes(table.values()))
    return lambda text: text.encode().translate(to_bytes).decode()


def zigzag(length: int, rails: int) -> list[int]:
    """The rail of each position: 0, 1, …, rails-1, rails-2, …, 1, 0, 1, …"""
    cycle = [*range(rails), *range(rails - 2, 0, -1)]
    return [cycle[i % len(cycle)] for i in range(length)]


@dataclass(frozen=True)
class Step:
    """One cipher with its key: ``key`` is the shift, the keyword or the rail count."""

    name: str
    key: int | str = 0

    def describe(self) -> str:
        if self.name == "caesar":
            return (
                f"Caesar shift {self.key}: every letter moves {self.key} places forward in the "
                "alphabet, wrapping from z to a; spaces stay"
            )
        if self.name == "atbash":
            return "Atbash: a<->z, b<->y, c<->x and so on (the alphabet reversed); spaces stay"
        if self.name == "vigenere":
            return (
                f"Vigenère with keyword '{self.key}': the i-th letter (counting letters only, "
                "skipping spaces) moves forward by the position of the i-th keyword letter "
                "(a=0, b=1, …, z=25), the keyword repeating; spaces stay"
            )
        return (
            f"Rail fence with {self.key} rails: remove the spaces, write the letters in a "
            f"zigzag over {self.key} rails (from rail 1 down to rail {self.key}, then back up "
            "to rail 1, and so on), and read off rail 1, then rail 2, and so on"
        )

    def shifts(self, text: str, sign: int) -> list[int]:
        """The shift applied to each letter of ``text`` (Caesar and Vigenère)."""
        if self.name == "caesar":
            return [sign * int(self.key)] * sum(ch in _ABC for ch in text)
        key = str(self.key)
        return [sign * _ABC.index(key[i % len(key)]) for i in range(sum(ch in _ABC for ch in text))]

    def encryption(self) -> Callable[[str], str]:
        """``apply(text, decrypt=False)`` as one callable: a bytes translation for the
        ciphers that are letter substitutions."""
        if self.name == "atbash":
            return _byte_translation(_ATBASH)
        if self.name == "caesar":
            return _byte_translation(_caesar_table(int(self.key)))
        return partial(self.apply, decrypt=False)

    def apply(self, text: str, decrypt: bool) -> str:
        if self.name == "atbash":
            return text.translate(_ATBASH)
        if self.name == "caesar":
            return text.translate(_caesar_table(-int(self.key) if decrypt else int(self.key)))
        if self.name == "rail_fence":
            letters = text.replace(" ", "")
            rails = zigzag(len(letters), int(self.key))
            order = sorted(range(len(letters)), key=lambda i: (rails[i], i))
            if not decrypt:
                return "".join(letters[i] for i in order)
            plain = [""] * len(letters)
            for ch, i in zip(letters, order, strict=True):
                plain[i] = ch
            return "".join(plain)
        sign = -1 if decrypt else 1
        shifts = [sign * _ABC.index(ch) for ch in str(self.key)]
        out, i = [], 0
        for ch in text:
            if ch in _ABC:
                ch = _ABC[(ord(ch) - 97 + shifts[i % len(shifts)]) % 26]
                i += 1
            out.append(ch)
        return "".join(out)

    def explain(self, text: str, decrypt: bool) -> str:
        """A readable working of this step on ``text``."""
        result = self.apply(text, decrypt)
        if self.name == "rail_fence":
            letters = text.replace(" ", "")
            if decrypt:
                rails = zigzag(len(letters), int(self.key))
                sizes = [rails.count(r) for r in range(int(self.key))]
                rows, start = [], 0
                for size in sizes:
                    rows.append(letters[start : start + size])
                    start += size
                how = "rail lengths " + ", ".join(map(str, sizes)) + " split the text into rails"
                tail = "reading them back in zigzag order"
            else:
                rails = zigzag(len(letters), int(self.key))
                rows = [
                    "".join(ch for ch, r in zip(letters, rails, strict=True) if r == row)
                    for row in range(int(self.key))
                ]
                how, tail = "zigzag writing puts on the rails", "reading rail by rail"
            listed = "; ".join(f"rail {i}: {row}" for i, row in enumerate(rows, start=1))
            return f"{how}: {listed}; {tail} gives {result}"
        if self.name == "atbash":
            pairs = [f"{a}->{b}" for a, b in zip(text, result, strict=True) if a in _ABC]
        else:
            moved = iter(self.shifts(text, -1 if decrypt else 1))
            pairs = [
                f"{a}{next(moved):+d}={b}" for a, b in zip(text, result, strict=True) if a in _ABC
            ]
        return " ".join(pairs) + f" -> {result}"


def _keys(name: str, config: CipherConfig) -> tuple[int | str, ...]:
    """The keys a cipher is drawn with: shifts 1-25, keywords, rail counts, none (Atbash)."""
    if name == "caesar":
        return tuple(range(1, 26))
    if name == "vigenere":
        return _keywords(config.key_length)
    if name == "rail_fence":
        return tuple(range(2, config.max_rails + 1))
    return (0,)


def letters_of(answer: str) -> str:
    """The letters of an answer; raises when it holds anything but letters and spaces."""
    text = normalize_text(answer).replace("-", " ")
    if not text:
        raise AnswerFormatError("empty answer")
    bad = [ch for ch in text if ch not in _ABC and not ch.isspace()]
    if bad:
        raise AnswerFormatError(f"unexpected character {bad[0]!r}")
    return "".join(text.split())


class CipherConfig(TaskConfig):
    """Phrase length, allowed ciphers, how many are chained, and key sizes."""

    words: int = Field(default=2, ge=1, le=12, description="words in the phrase")
    ciphers: tuple[Name, ...] = Field(
        default=("caesar",), min_length=1, description="ciphers to draw from"
    )
    chain: int = Field(default=1, ge=1, le=3, description="ciphers applied one after another")
    key_length: int = Field(default=4, ge=3, le=8, description="Vigenère keyword length")
    max_rails: int = Field(default=3, ge=2, le=6, description="most rails in a rail fence")


_INTROS = (
    "{verb} the text below.",
    "Your job is to {verb_lower} a short message.",
    "A spy hands you a message and asks you to {verb_lower} it.",
)
_FORMATS = (
    "Answer with the resulting text only, in lowercase letters (spaces between words "
    "where the result has them).",
    "Give the resulting text in lowercase letters; spaces do not matter.",
    "Write only the resulting letters (case and spaces are ignored).",
)


@dataclass(frozen=True)
class _Phrasing:
    """The prompt around the text and the listed steps, for one direction, intro and format."""

    decrypt: bool
    head: str
    middle: str
    tail: str


def _phrasings() -> tuple[_Phrasing, ...]:
    phrasings = []
    for decrypt in (False, True):
        verb = "Decrypt" if decrypt else "Encrypt"
        applied = "It was encrypted" if decrypt else "Encrypt it"
        undo = "\nUndo these steps to recover the original text." if decrypt else ""
        for intro in _INTROS:
            head = intro.format(verb=verb, verb_lower=verb.lower()) + "\n\nText: "
            middle = f"\n\n{applied} by applying, in this order:\n"
            for answer_format in _FORMATS:
                tail = f"{undo}\n\n{answer_format}\n\n{ANSWER_INSTRUCTION}"
                phrasings.append(_Phrasing(decrypt, head, middle, tail))
    return tuple(phrasings)


_PHRASINGS = _phrasings()


class _Drawn(NamedTuple):
    """A step as drawn for one place of the chain, with its line in the prompt and its
    payload entry's fields."""

    line: str
    encrypt: Callable[[str], str]
    name: str
    key: int | str


def _step_pool(config: CipherConfig, place: int) -> tuple[_Drawn, ...]:
    """Every (cipher, key) as drawn for ``place``, each cipher's keys repeated up to the lcm
    of the key counts, so that a uniform pick is a uniform cipher with a uniform key of it."""
    keys = {name: _keys(name, config) for name in config.ciphers}
    span = lcm(*map(len, keys.values()))
    pool = []
    for name in config.ciphers:
        for key in keys[name] * (span // len(keys[name])):
            step = Step(name, key)
            line = f"{place}. {step.describe()}."
            pool.append(_Drawn(line, step.encryption(), name, key))
    return tuple(pool)


class _Plan(NamedTuple):
    """One problem's draw (its phrasing, each step of the chain, each word of the text),
    the chain's length and the word list."""

    pools: Pools[Any]
    chain: int
    words: tuple[str, ...]


@config_cached
def _plan(config: CipherConfig) -> _Plan:
    chain = [_step_pool(config, place) for place in range(1, config.chain + 1)]
    words = load_words("english_words")
    return _Plan(Pools([_PHRASINGS, *chain, *[words] * config.words]), config.chain, words)


class Cipher(Task[CipherConfig]):
    name: ClassVar[str] = "cipher"
    version: ClassVar[str] = "1.1.0"
    description: ClassVar[str] = "Encrypt or decrypt a phrase with Caesar/Atbash/Vigenère/rails."
    hashed_rng: ClassVar[bool] = True
    Config: ClassVar[type[TaskConfig]] = CipherConfig
    LEVELS: ClassVar[dict[int, dict[str, Any]]] = {
        1: {"words": 1, "ciphers": ["caesar"]},
        2: {"words": 2, "ciphers": ["caesar", "atbash"]},
        3: {"words": 3, "ciphers": ["caesar", "atbash"]},
        4: {"words": 2, "ciphers": ["vigenere"], "key_length": 3},
        5: {"words": 3, "ciphers": ["vigenere"]},
        6: {"words": 3, "ciphers": ["rail_fence"]},
        7: {"words": 3, "ciphers": ["caesar", "vigenere"], "chain": 2, "key_length": 5},
        8: {"words": 3, "ciphers": ["vigenere", "rail_fence"], "chain": 2, "max_rails": 4},
        9: {"words": 4, "ciphers": ["vigenere", "rail_fence"], "chain": 2, "max_rails": 4},
        10: {
            "words": 4,
            "ciphers": ["caesar", "vigenere", "rail_fence"],
            "chain": 3,
            "key_length": 6,
            "max_rails": 5,
        },
    }

    def generate(self, config: CipherConfig, rng: Random, index: int) -> Instance:
        pools, length, words = _plan(config)
        phrasing, *picks = pools.pick(rng)
        chain: list[_Drawn] = picks[:length]
        plain = " ".join(distinct(rng, picks[length:], words))
        cipher = plain
        for drawn in chain:
            cipher = drawn.encrypt(cipher)
        decrypt = phrasing.decrypt
        given, answer = (cipher, plain) if decrypt else (plain, cipher)
        listed = "\n".join([drawn.line for drawn in chain])
        prompt = f"{phrasing.head}{given}{phrasing.middle}{listed}{phrasing.tail}"
        steps = [[drawn.name, drawn.key] for drawn in chain]
        return Instance(prompt, answer, {"text": given, "decrypt": decrypt, "steps": steps})

    def solve(self, problem: Problem) -> Solution:
        p = problem.payload
        steps = [Step(name, key) for name, key in p["steps"]]
        decrypt = p["decrypt"]
        order = steps[::-1] if decrypt else steps
        text, effort = p["text"], 0
        lines = [f"{'Decrypt' if decrypt else 'Encrypt'}: {text}"]
        if decrypt and len(steps) > 1:
            lines.append("Undo the steps in reverse order.")
        for step in order:
            effort += _COMPLEXITY[step.name] * sum(ch in _ABC for ch in text)
            action = "Undo" if decrypt else "Apply"
            lines.append(f"{action} {step.describe()}.")
            lines.append("  " + step.explain(text, decrypt))
            text = step.apply(text, decrypt)
        lines.append(f"Result: {text}")
        return Solution(answer=text, reasoning="\n".join(lines), stats={"effort": effort})

    def trivial_answers(self, problem: Problem) -> dict[str, str]:
        return {**super().trivial_answers(problem), "copy the text": problem.payload["text"]}

    def structural_key(self, problem: Problem) -> str:
        """The text's letter pattern, the direction, and the ciphers with their keys reduced to
        shape: a Caesar shift or the letters of a keyword only relabel the alphabet."""
        p = problem.payload
        steps = [
            [name, pattern(key) if name == "vigenere" else key if name == "rail_fence" else None]
            for name, key in p["steps"]
        ]
        return digest([pattern(p["text"]), p["decrypt"], steps])

    def check_answer(self, problem: Problem, answer: str) -> tuple[float, str]:
        given, expected = letters_of(answer), "".join(problem.answer.split())
        if given == expected:
            return 1.0, "correct"
        if len(given) != len(expected):
            return 0.0, f"expected {len(expected)} letters, got {len(given)}"
        pos = next(i for i, (a, b) in enumerate(zip(given, expected, strict=True)) if a != b)
        return 0.0, f"letter {pos + 1} is wrong"
