"""The condition mini-language of persona files, parsed at load time and never eval'ed.

    expr    := or
    or      := and ("or" and)*
    and     := not ("and" not)*
    not     := "not" not | compare
    compare := sum (("<" | "<=" | ">" | ">=" | "==" | "!=") sum)?
    sum     := term (("+" | "-") term)*
    term    := unary (("*" | "/") unary)*
    unary   := "-" unary | atom
    atom    := NUMBER | NAME | "true" | "false" | "(" expr ")"

Names are numeric variables (booleans are 1/0). A compiled condition is a tree of small closures.
"""
from __future__ import annotations

import operator
import re
from dataclasses import dataclass
from typing import Callable, Collection, Mapping

from .diagnostics import did_you_mean

_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d+)?)|([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?)|(<=|>=|==|!=|<|>|\(|\)|\+|-|\*|/))")
_CMP = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
        "==": operator.eq, "!=": operator.ne}
_ARITH = {"+": operator.add, "-": operator.sub, "*": operator.mul}
KEYWORDS = {"and", "or", "not", "true", "false"}


class ConditionError(ValueError):
    """A bad condition; `offset` is the 0-based character position in the source text."""

    def __init__(self, message: str, offset: int, hint: str = ""):
        super().__init__(message)
        self.offset = offset
        self.hint = hint


@dataclass(frozen=True)
class Condition:
    source: str
    names: tuple[str, ...]
    _fn: Callable[[Mapping[str, float]], float]

    def __call__(self, env: Mapping[str, float]) -> bool:
        return bool(self._fn(env))


def _tokenize(src: str):
    pos, out = 0, []
    while pos < len(src):
        if src[pos:].strip() == "":
            break
        m = _TOKEN.match(src, pos)
        if not m:
            bad = len(src[pos:]) - len(src[pos:].lstrip()) + pos
            ch = src[bad]
            hint = {"=": "use '==' to compare", "&": "use 'and'", "|": "use 'or'", "!": "use 'not' or '!='"}.get(
                ch, "use names, numbers, < <= > >= == !=, + - * /, and/or/not, parentheses")
            raise ConditionError(f"unexpected character {ch!r} in condition", bad, hint)
        start = m.start(m.lastindex)
        kind = ("num", "name", "op")[m.lastindex - 1]
        out.append((kind, m.group(m.lastindex), start))
        pos = m.end()
    out.append(("end", "", len(src)))
    return out


class _Parser:
    def __init__(self, src: str, known: Collection[str] | None):
        self.src = src
        self.toks = _tokenize(src)
        self.i = 0
        self.known = known
        self.names: list[str] = []

    def peek(self):
        return self.toks[self.i]

    def take(self):
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def expect_end(self):
        kind, text, pos = self.peek()
        if kind != "end":
            raise ConditionError(f"unexpected '{text}' in condition", pos, "a condition is one expression")

    def parse(self):
        fn = self.or_()
        self.expect_end()
        return fn

    def or_(self):
        fn = self.and_()
        while self.peek()[:2] == ("name", "or"):
            self.take()
            a, b = fn, self.and_()
            fn = (lambda a, b: lambda e: bool(a(e)) or bool(b(e)))(a, b)
        return fn

    def and_(self):
        fn = self.not_()
        while self.peek()[:2] == ("name", "and"):
            self.take()
            a, b = fn, self.not_()
            fn = (lambda a, b: lambda e: bool(a(e)) and bool(b(e)))(a, b)
        return fn

    def not_(self):
        if self.peek()[:2] == ("name", "not"):
            self.take()
            a = self.not_()
            return lambda e: not a(e)
        return self.compare()

    def compare(self):
        fn = self.sum_()
        kind, text, pos = self.peek()
        if kind == "op" and text in _CMP:
            self.take()
            a, b, op = fn, self.sum_(), _CMP[text]
            fn = lambda e: op(a(e), b(e))
            kind, text, pos = self.peek()
            if kind == "op" and text in _CMP:
                raise ConditionError("chained comparison", pos, "join comparisons with 'and'")
        return fn

    def sum_(self):
        fn = self.term()
        while self.peek()[0] == "op" and self.peek()[1] in "+-":
            op = _ARITH[self.take()[1]]
            a, b = fn, self.term()
            fn = (lambda a, b, op: lambda e: op(a(e), b(e)))(a, b, op)
        return fn

    def term(self):
        fn = self.unary()
        while self.peek()[0] == "op" and self.peek()[1] in "*/":
            sym = self.take()[1]
            a, b = fn, self.unary()
            if sym == "*":
                fn = (lambda a, b: lambda e: a(e) * b(e))(a, b)
            else:  # a zero divisor gives 0 rather than crashing a chat
                fn = (lambda a, b: lambda e: (a(e) / d) if (d := b(e)) else 0.0)(a, b)
        return fn

    def unary(self):
        if self.peek()[:2] == ("op", "-"):
            self.take()
            a = self.unary()
            return lambda e: -a(e)
        return self.atom()

    def atom(self):
        kind, text, pos = self.take()
        if kind == "num":
            v = float(text)
            return lambda e: v
        if kind == "name":
            if text == "true":
                return lambda e: 1.0
            if text == "false":
                return lambda e: 0.0
            if text in KEYWORDS:
                raise ConditionError(f"'{text}' needs a value before it", pos)
            if self.known is not None and text not in self.known:
                raise ConditionError(f"unknown variable '{text}'", pos, did_you_mean(text, self.known))
            self.names.append(text)
            name = text
            return lambda e: float(e.get(name, 0.0))
        if kind == "op" and text == "(":
            fn = self.or_()
            k, t, p = self.take()
            if (k, t) != ("op", ")"):
                raise ConditionError("missing ')'", p)
            return fn
        if kind == "end":
            raise ConditionError("condition ends too early", pos, "a value is missing")
        raise ConditionError(f"unexpected '{text}' in condition", pos)


MAX_LENGTH = 500
MAX_NESTING = 20


def parse(src: str, known: Collection[str] | None = None) -> Condition:
    """Compile `src`; names outside `known` raise (None: any name goes)."""
    if not isinstance(src, str) or not src.strip():
        raise ConditionError("empty condition", 0)
    if len(src) > MAX_LENGTH:
        raise ConditionError(f"condition longer than {MAX_LENGTH} characters", MAX_LENGTH, "split it into states")
    depth = 0
    for i, ch in enumerate(src):  # bounded nesting keeps the recursive parser far from Python's limit
        depth += (ch == "(") - (ch == ")")
        if depth > MAX_NESTING:
            raise ConditionError(f"parentheses nested deeper than {MAX_NESTING}", i)
    p = _Parser(src, known)
    fn = p.parse()
    return Condition(src, tuple(dict.fromkeys(p.names)), fn)
