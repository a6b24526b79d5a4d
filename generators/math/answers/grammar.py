"""Recursive-descent parser from tokens to a small tuple tree.

Sums and products are flat lists, so a long sum costs no depth; every recursion that can
repeat (brackets, signs, powers, function arguments) passes through :meth:`Parser.enter`,
which refuses more than :data:`MAX_DEPTH` levels, far below Python's recursion limit.

Nodes: ``("num", text)``, ``("var", name)``, ``("const", name)``, ``("add", [node])``,
``("neg", node)``, ``("mul", [(node, divides)])``, ``("pow", base, exponent)``,
``("call", function, node)``, ``("root", node, index)``, ``("seq", open, close, [node])``,
``("set", [node])``, ``("union", [node])``, ``("eq", left, right)``,
``("matrix", [[node]])``, and at the top ``("list", [node])``.
"""

from __future__ import annotations

from typing import Any

from generators.base import AnswerFormatError
from generators.math.answers.lexer import Token

MAX_DEPTH = 40

Node = tuple[Any, ...]
_END = Token("END", "")
_IMPLICIT = frozenset({"VAR", "CONST", "FUNC", "FRAC", "SQRT"})


class Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.depth = 0

    # --- helpers ---------------------------------------------------------------------------

    def peek(self) -> Token:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else _END

    def take(self) -> Token:
        token = self.peek()
        self.pos += 1
        return token

    def at(self, kind: str, text: str | None = None) -> bool:
        token = self.peek()
        return token.kind == kind and (text is None or token.text == text)

    def expect(self, kind: str, text: str | None = None) -> Token:
        if not self.at(kind, text):
            found = self.peek()
            raise AnswerFormatError(f"expected {text or kind}, found {found.text or 'the end'!r}")
        return self.take()

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise AnswerFormatError(f"expression nested deeper than {MAX_DEPTH}")

    def leave(self) -> None:
        self.depth -= 1

    # --- grammar -----------------------------------------------------------------------------

    def parse(self) -> Node:
        if not self.tokens:
            raise AnswerFormatError("empty answer")
        items = self.items()
        if self.pos != len(self.tokens):
            raise AnswerFormatError(f"unexpected {self.peek().text!r}")
        return ("list", items)

    def items(self) -> list[Node]:
        found = [self.union()]
        while self.at("OP", ","):
            self.take()
            found.append(self.union())
        return found

    def union(self) -> Node:
        parts = [self.relation()]
        while self.at("CUP"):
            self.take()
            parts.append(self.relation())
        return ("union", parts) if len(parts) > 1 else parts[0]

    def relation(self) -> Node:
        left = self.sum()
        if self.at("OP", "="):
            self.take()
            return ("eq", left, self.sum())
        return left

    def sum(self) -> Node:
        terms = [self.product()]
        while self.at("OP", "+") or self.at("OP", "-"):
            sign = self.take().text
            term = self.product()
            terms.append(("neg", term) if sign == "-" else term)
        return ("add", terms) if len(terms) > 1 else terms[0]

    def product(self) -> Node:
        factors = [(self.unary(), False)]
        while True:
            token = self.peek()
            if token.kind == "OP" and token.text in "*/":
                self.take()
                factors.append((self.unary(), token.text == "/"))
            elif token.kind in _IMPLICIT or (token.kind == "OPEN" and token.text in "({"):
                factors.append((self.power(), False))
            else:
                break
        return ("mul", factors) if len(factors) > 1 else factors[0][0]

    def unary(self) -> Node:
        if self.at("OP", "-") or self.at("OP", "+"):
            sign = self.take().text
            self.enter()
            inner = self.unary()
            self.leave()
            return ("neg", inner) if sign == "-" else inner
        return self.power()

    def power(self) -> Node:
        base = self.primary()
        if self.at("OP", "^"):
            self.take()
            self.enter()
            exponent = self.argument() if self.at("OPEN", "{") else self.unary()
            self.leave()
            return ("pow", base, exponent)
        return base

    def primary(self) -> Node:
        token = self.take()
        kind = token.kind
        if kind == "NUM":
            return ("num", token.text)
        if kind == "VAR":
            return ("var", token.text)
        if kind == "CONST":
            return ("const", token.text)
        self.enter()
        try:
            return self._compound(token)
        finally:
            self.leave()

    def _compound(self, token: Token) -> Node:
        kind = token.kind
        if kind == "FUNC":
            return ("call", token.text, self.function_argument())
        if kind == "FRAC":
            top = self.argument()
            return ("mul", [(top, False), (self.argument(), True)])
        if kind == "SQRT":
            if token.text == "sqrt" and self.at("OPEN", "["):
                self.take()
                index = self.sum()
                self.expect("CLOSE", "]")
                return ("root", self.argument(), index)
            if token.text == "√":
                return ("call", "sqrt", self.primary())
            return ("call", "sqrt", self.function_argument())
        if kind == "OPEN":
            return self._bracketed(token.text)
        if kind == "SETOPEN":
            items = [] if self.at("SETCLOSE") else self.items()
            self.expect("SETCLOSE")
            return ("set", items)
        if kind == "EMPTY":
            return ("set", [])
        if kind == "OP" and token.text == "|":
            inner = self.sum()
            self.expect("OP", "|")
            return ("call", "abs", inner)
        if kind == "MATOPEN":
            return self._matrix()
        raise AnswerFormatError(f"unexpected {token.text or 'end of the answer'!r}")

    def _bracketed(self, opener: str) -> Node:
        if opener == "{" and self.at("CLOSE", "}"):
            self.take()
            return ("set", [])
        items = self.items()
        closer = self.expect("CLOSE").text
        if opener == "{":
            if closer != "}":
                raise AnswerFormatError("'{' closed by " + repr(closer))
            return items[0] if len(items) == 1 else ("set", items)
        if closer == "}":
            raise AnswerFormatError(f"{opener!r} closed by '}}'")
        if opener == "(" and closer == ")" and len(items) == 1:
            return items[0]
        return ("seq", opener, closer, items)

    def argument(self) -> Node:
        """A LaTeX argument: ``{expression}`` or a single number, name or constant."""
        if self.at("OPEN", "{"):
            self.take()
            inner = self.sum()
            self.expect("CLOSE", "}")
            return inner
        if self.peek().kind in ("NUM", "VAR", "CONST"):
            return self.primary()
        raise AnswerFormatError("a LaTeX command without its {argument}")

    def function_argument(self) -> Node:
        """``f(x)``, ``f{x}`` or ``f x`` (one factor, with its power: ``\\ln x^2``)."""
        if self.at("OPEN", "(") or self.at("OPEN", "{"):
            opener = self.take().text
            inner = self.sum()
            self.expect("CLOSE", ")" if opener == "(" else "}")
            return inner
        return self.power()

    def _matrix(self) -> Node:
        rows: list[list[Node]] = [[]]
        while not self.at("MATCLOSE"):
            rows[-1].append(self.sum())
            if self.at("AMP"):
                self.take()
            elif self.at("ROWSEP"):
                self.take()
                rows.append([])
            elif not self.at("MATCLOSE"):
                raise AnswerFormatError(f"unexpected {self.peek().text!r} in a matrix")
        self.take()
        if not rows[-1]:
            rows.pop()
        if not rows:
            raise AnswerFormatError("an empty matrix")
        return ("matrix", rows)
