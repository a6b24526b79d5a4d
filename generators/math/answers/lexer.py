"""Tokens of a math answer, plain text or LaTeX, in one linear scan.

The lexer is the first of the bounds: it refuses non-ASCII characters it does not know,
numbers longer than :data:`MAX_DIGITS`, more than :data:`MAX_TOKENS` tokens and bracket
nesting deeper than :data:`MAX_NESTING` before any parsing starts, so that the parser and
sympy only ever see small inputs.
"""

from __future__ import annotations

from dataclasses import dataclass

from generators.base import AnswerFormatError
from generators.extract import MAX_ANSWER_CHARS

MAX_TOKENS = 600
MAX_NESTING = 24
MAX_DIGITS = 60
"""Digits in one number literal (canonical answers have far fewer)."""

FUNCTIONS = frozenset({"sqrt", "sin", "cos", "tan", "exp", "ln", "log", "abs"})
CONSTANTS = {
    "pi": "pi",
    "e": "e",
    "E": "e",
    "oo": "oo",
    "inf": "oo",
    "infty": "oo",
    "infinity": "oo",
}
SEPARATOR_WORDS = frozenset({"or", "and"})


@dataclass(frozen=True, slots=True)
class Token:
    kind: str
    """NUM, VAR, CONST, FUNC, OP (+ - * / ^ = | ,), OPEN, CLOSE, SETOPEN, SETCLOSE, FRAC,
    SQRT, MATOPEN, MATCLOSE, AMP, ROWSEP, CUP, EMPTY."""
    text: str


_UNICODE = {
    "−": ("OP", "-"),
    "–": ("OP", "-"),
    "×": ("OP", "*"),
    "·": ("OP", "*"),
    "⋅": ("OP", "*"),
    "∙": ("OP", "*"),
    "÷": ("OP", "/"),
    "π": ("CONST", "pi"),
    "∞": ("CONST", "oo"),
    "∪": ("CUP", "∪"),
    "∅": ("EMPTY", "∅"),
    "√": ("SQRT", "√"),
}
_SUPERSCRIPTS = {ch: str(d) for d, ch in enumerate("⁰¹²³⁴⁵⁶⁷⁸⁹")}
_ASCII_OPS = {"+", "-", "*", "/", "^", "=", "|", ","}
_OPENERS, _CLOSERS = frozenset("([{"), frozenset(")]}")
_COMMANDS: dict[str, tuple[str, str] | None] = {
    "frac": ("FRAC", "frac"),
    "dfrac": ("FRAC", "frac"),
    "tfrac": ("FRAC", "frac"),
    "sqrt": ("SQRT", "sqrt"),
    "cdot": ("OP", "*"),
    "times": ("OP", "*"),
    "div": ("OP", "/"),
    "pi": ("CONST", "pi"),
    "infty": ("CONST", "oo"),
    "cup": ("CUP", "∪"),
    "emptyset": ("EMPTY", "∅"),
    "varnothing": ("EMPTY", "∅"),
    "sin": ("FUNC", "sin"),
    "cos": ("FUNC", "cos"),
    "tan": ("FUNC", "tan"),
    "exp": ("FUNC", "exp"),
    "ln": ("FUNC", "ln"),
    "log": ("FUNC", "log"),
    # layout only: dropped
    "left": None,
    "right": None,
    "boxed": None,
    "displaystyle": None,
    "quad": None,
    "qquad": None,
}
_MATRICES = frozenset({"pmatrix", "bmatrix", "matrix", "Bmatrix"})
_SPACING = frozenset(",;:! ")
_DEPTH_STEP = {"OPEN": 1, "SETOPEN": 1, "MATOPEN": 1, "CLOSE": -1, "SETCLOSE": -1, "MATCLOSE": -1}


class Lexer:
    """Splits one answer into tokens; ``variables`` are the names the task declares."""

    def __init__(self, variables: frozenset[str], complex_unit: bool) -> None:
        self.words: dict[str, Token] = {}
        for name in FUNCTIONS:
            self.words[name] = Token("FUNC", name)
        for name, const in CONSTANTS.items():
            self.words[name] = Token("CONST", const)
        for word in SEPARATOR_WORDS:
            self.words[word] = Token("OP", ",")
        if complex_unit:
            self.words["i"] = self.words["I"] = Token("CONST", "i")  # I: sympy's spelling
        for name in variables:
            self.words[name] = Token("VAR", name)
        self.longest = max(map(len, self.words))

    def tokens(self, text: str) -> list[Token]:
        if len(text) > MAX_ANSWER_CHARS:
            raise AnswerFormatError(f"answer longer than {MAX_ANSWER_CHARS} characters")
        out: list[Token] = []
        depth, i, n = 0, 0, len(text)
        single_args = 0  # \frac12 and \sqrt2: arguments of one character without braces
        while i < n:
            if len(out) > MAX_TOKENS:
                raise AnswerFormatError(f"more than {MAX_TOKENS} tokens")
            ch, before = text[i], len(out)
            if ch in " \t\n\r$":
                i += 1
                continue
            if single_args and (ch.isascii() and ch.isalnum()):
                out.append(self._word(ch) if ch.isalpha() else Token("NUM", ch))
                single_args -= 1
                i += 1
                continue
            single_args = 0
            if "0" <= ch <= "9" or (ch == "." and i + 1 < n and "0" <= text[i + 1] <= "9"):
                i = self._number(text, i, out)
            elif ch.isascii() and ch.isalpha():
                j = i
                while j < n and text[j].isascii() and text[j].isalpha():
                    j += 1
                self._letters(text[i:j], out)
                i = j
            elif ch == "\\":
                i, single_args = self._command(text, i, out)
            elif ch in _ASCII_OPS:
                if ch == "*" and i + 1 < n and text[i + 1] == "*":
                    out.append(Token("OP", "^"))
                    i += 2
                    continue
                out.append(Token("OP", ch))
                i += 1
            elif ch in _OPENERS or ch in _CLOSERS:
                out.append(Token("OPEN" if ch in _OPENERS else "CLOSE", ch))
                i += 1
            elif ch == "&":
                out.append(Token("AMP", ch))
                i += 1
            elif ch == ";":
                out.append(Token("OP", ","))
                i += 1
            elif ch in _SUPERSCRIPTS:
                j = i
                while j < n and text[j] in _SUPERSCRIPTS:
                    j += 1
                if j - i > MAX_DIGITS:
                    raise AnswerFormatError(f"an exponent longer than {MAX_DIGITS} digits")
                out.append(Token("OP", "^"))
                out.append(Token("NUM", "".join(_SUPERSCRIPTS[c] for c in text[i:j])))
                i = j
            elif ch in _UNICODE:
                kind, value = _UNICODE[ch]
                out.append(Token(kind, value))
                i += 1
            else:
                raise AnswerFormatError(f"unexpected character {ch!r}")
            for token in out[before:]:
                depth += _DEPTH_STEP.get(token.kind, 0)
            if depth > MAX_NESTING:
                raise AnswerFormatError(f"brackets nested deeper than {MAX_NESTING}")
            if depth < 0:
                raise AnswerFormatError("a closing bracket without an opening one")
        if depth:
            raise AnswerFormatError("unbalanced brackets")
        if len(out) > MAX_TOKENS:
            raise AnswerFormatError(f"more than {MAX_TOKENS} tokens")
        return out

    def _number(self, text: str, i: int, out: list[Token]) -> int:
        j, dot = i, False
        while j < len(text) and ("0" <= text[j] <= "9" or (text[j] == "." and not dot)):
            if text[j] == ".":
                if not (j + 1 < len(text) and "0" <= text[j + 1] <= "9"):
                    break
                dot = True
            j += 1
            if j - i > MAX_DIGITS:
                raise AnswerFormatError(f"a number longer than {MAX_DIGITS} digits")
        out.append(Token("NUM", text[i:j]))
        return j

    def _word(self, word: str) -> Token:
        token = self.words.get(word)
        if token is None:
            raise AnswerFormatError(f"unknown name {word!r}")
        return token

    def _letters(self, run: str, out: list[Token]) -> None:
        """A run of letters as known words, longest first: ``2xy`` is x·y, ``sinx`` sin x."""
        if len(run) > MAX_TOKENS:
            raise AnswerFormatError("a run of letters too long to be a formula")
        at = 0
        while at < len(run):
            for size in range(min(self.longest, len(run) - at), 0, -1):
                token = self.words.get(run[at : at + size])
                if token is not None:
                    out.append(token)
                    at += size
                    break
            else:
                raise AnswerFormatError(f"unknown name {run!r}")

    def _command(self, text: str, i: int, out: list[Token]) -> tuple[int, int]:
        """A backslash command at ``i``: (where the scan goes on, single-character args)."""
        n = len(text)
        if i + 1 >= n:
            raise AnswerFormatError("a lone backslash")
        nxt = text[i + 1]
        if nxt in "{}":
            out.append(Token("SETOPEN" if nxt == "{" else "SETCLOSE", nxt))
            return i + 2, 0
        if nxt == "\\":
            out.append(Token("ROWSEP", "\\\\"))
            return i + 2, 0
        if nxt in "()[]" or nxt in _SPACING:
            return i + 2, 0  # \( \) \[ \] math delimiters, \, \; spacing
        if not (nxt.isascii() and nxt.isalpha()):
            raise AnswerFormatError(f"unsupported LaTeX command at {text[i : i + 2]!r}")
        j = i + 1
        while j < n and text[j].isascii() and text[j].isalpha():
            j += 1
        name = text[i + 1 : j]
        if name in ("begin", "end"):
            return self._environment(text, j, name, out), 0
        if name in ("text", "mathrm", "operatorname"):
            return self._text(text, j, out), 0
        if name not in _COMMANDS:
            raise AnswerFormatError(f"unsupported LaTeX command \\{name}")
        found = _COMMANDS[name]
        if found is None:
            if name in ("left", "right") and j < n and text[j] == ".":
                j += 1  # \left. and \right. are invisible delimiters
            return j, 0
        out.append(Token(*found))
        return j, {"FRAC": 2, "SQRT": 1}.get(found[0], 0)

    def _braced_word(self, text: str, j: int) -> tuple[str, int]:
        """The letters of ``{word}`` at ``j`` (no nesting) and the index after it."""
        close = text.find("}", j, j + 40)
        if j >= len(text) or text[j] != "{" or close < 0:
            raise AnswerFormatError("a LaTeX command without its {argument}")
        return text[j + 1 : close].strip(), close + 1

    def _environment(self, text: str, j: int, which: str, out: list[Token]) -> int:
        name, after = self._braced_word(text, j)
        if name not in _MATRICES:
            raise AnswerFormatError(f"unsupported LaTeX environment {name!r}")
        out.append(Token("MATOPEN" if which == "begin" else "MATCLOSE", name))
        return after

    def _text(self, text: str, j: int, out: list[Token]) -> int:
        word, after = self._braced_word(text, j)
        if not word or word == ",":
            out.append(Token("OP", ","))
        elif word.isascii() and word.isalpha():
            self._letters(word, out)
        else:
            raise AnswerFormatError(f"unsupported text {word!r}")
        return after
