"""The placeholders of buyer lines and choices: `{name}` and nothing else.

Python's format mini-language would let a content file index, call attributes, convert and pad
(`{price[0]}`, `{price.__class__}`, `{price:>999999999}`): none of that is allowed. A literal brace is
written `{{` or `}}`; any other brace is an error with its position.
"""
from __future__ import annotations

import re

_TOKEN = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]{0,63})\}|[{}]")


class PlaceholderError(ValueError):
    def __init__(self, offset: int, message: str):
        super().__init__(message)
        self.offset = offset  # 0-based position in the text


def fields(text: str) -> list[tuple[str, int]]:
    """(name, offset) of every placeholder; raises PlaceholderError at the first bad brace."""
    out = []
    for m in _TOKEN.finditer(text):
        tok = m.group()
        if tok in ("{{", "}}"):
            continue
        if m.group(1) is not None:
            out.append((m.group(1), m.start()))
            continue
        # a lone brace: say what follows it, up to the closing one, so the author sees the whole thing
        end = text.find("}", m.start() + 1) if tok == "{" else -1
        shown = text[m.start(): end + 1] if 0 <= end - m.start() <= 40 else tok
        if tok == "{" and end > m.start():
            msg = (f"'{shown}' is not a placeholder: write {{name}} only (no index, attribute, "
                   "conversion or format spec)")
        else:
            msg = f"unmatched '{tok}'"
        raise PlaceholderError(m.start(), msg)
    return out


def fill(text: str, values: dict) -> str:
    """``text`` with each `{name}` replaced by ``values[name]`` (kept as written when unknown)."""
    def one(m: re.Match) -> str:
        tok = m.group()
        if tok == "{{":
            return "{"
        if tok == "}}":
            return "}"
        name = m.group(1)
        if name is not None and name in values:
            return str(values[name])
        return tok
    return _TOKEN.sub(one, text)
