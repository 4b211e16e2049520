"""Small helpers that check the shape of loaded YAML and report every problem with its position."""
from __future__ import annotations

import math
import re

from .diagnostics import Mark, Report, did_you_mean
from .yamlpos import PosDict, PosList

_TYPE_NAMES = {str: "text", int: "a whole number", float: "a number", bool: "true or false",
               dict: "a mapping (key: value)", list: "a list"}

CURRENT_VERSION = 1


def type_name(t) -> str:
    if isinstance(t, tuple):
        return " or ".join(_TYPE_NAMES.get(x, x.__name__) for x in t)
    return _TYPE_NAMES.get(t, t.__name__)


def found_name(v) -> str:
    if v is None:
        return "nothing"
    if isinstance(v, bool):
        return f"{str(v).lower()}"
    if isinstance(v, dict):
        return "a mapping"
    if isinstance(v, list):
        return "a list"
    if isinstance(v, (int, float)):
        return f"the number {v}"
    return f"the text '{v}'"


def is_type(v, t) -> bool:
    ts = t if isinstance(t, tuple) else (t,)
    if isinstance(v, bool):
        return bool in ts
    if isinstance(v, float) and not math.isfinite(v):
        return False  # .nan and .inf are numbers to YAML, never to a buyer's mood or a price
    if float in ts and isinstance(v, int):
        return True
    return any(isinstance(v, x) for x in ts if x is not bool)


class Shape:
    """Checks of one mapping against the keys a format allows."""

    def __init__(self, report: Report):
        self.r = report

    def keys(self, d, where: str, allowed: dict, required=()) -> bool:
        """`allowed` maps key -> type; unknown keys and missing required keys are errors."""
        if not isinstance(d, PosDict):
            return False
        suggested = set()
        for k in d:
            if k not in allowed:
                near = did_you_mean(k, allowed)
                if near:
                    suggested.add(near.split("'")[1])
                self.r.error(d.key_mark(k), f"unknown key '{k}' in {where}", near or "allowed: " + ", ".join(allowed))
        for k in required:
            if k not in d and k not in suggested:  # a misspelt key was reported already
                self.r.error(d.mark, f"{where} is missing the required key '{k}'")
        ok = True
        for k, t in allowed.items():
            if k in d and t is not None and not is_type(d[k], t):
                self.r.error(d.value_mark(k), f"'{k}' in {where} must be {type_name(t)}, not {found_name(d[k])}")
                ok = False
        return ok

    def mapping(self, v, mark: Mark, where: str) -> bool:
        if isinstance(v, PosDict):
            return True
        self.r.error(mark, f"{where} must be a mapping (key: value), not {found_name(v)}")
        return False

    def _anchored(self, mark) -> bool:
        """The list at ``mark`` carries an anchor (&name): it is shared on purpose, not a typo'd [x]."""
        lines = (self.r.source or "").split("\n")
        if not 0 < mark.line <= len(lines):
            return False
        before = lines[mark.line - 1][:mark.col + 40]
        return bool(re.search(r"&[\w\-]+\s*\[", before[max(0, mark.col - 40):]))

    def text_list(self, d: PosDict, key: str, where: str, allow_scalar=True) -> tuple[str, ...]:
        """A list of non-empty texts; a single text is accepted as a one-item list."""
        if key not in d or d[key] is None:
            return ()
        v = d[key]
        if allow_scalar and isinstance(v, (str, int, float)) and not isinstance(v, bool):
            v = str(v)
            if not v.strip():
                self.r.error(d.value_mark(key), f"'{key}' in {where} is empty")
                return ()
            return (v,)
        if not isinstance(v, PosList):
            self.r.error(d.value_mark(key), f"'{key}' in {where} must be a list of texts, not {found_name(v)}")
            return ()
        out = []
        for i, item in enumerate(v):
            if isinstance(item, PosList) and self._anchored(v.item_mark(i)):
                # a shared list (&name defined here, *name used here) stands for its items
                inner = PosDict({key: item})
                inner.value_marks[key] = item.mark
                out += self.text_list(inner, key, where, allow_scalar=False)
                continue
            if isinstance(item, bool) or not isinstance(item, (str, int, float)):
                self.r.error(v.item_mark(i), f"item {i + 1} of '{key}' in {where} must be text, not {found_name(item)}")
            elif not str(item).strip():
                self.r.error(v.item_mark(i), f"item {i + 1} of '{key}' in {where} is empty")
            else:
                out.append(str(item))
        return tuple(out)

    def version(self, d: PosDict) -> None:
        if "version" not in d:
            self.r.warning(d.mark, "no format 'version:'", f"add 'version: {CURRENT_VERSION}' at the top")
        elif d["version"] != CURRENT_VERSION:
            self.r.warning(d.value_mark("version"), f"format version {d['version']!r} is not the supported "
                           f"version {CURRENT_VERSION}", "the file may not load as intended")

    def number(self, d: PosDict, key: str, where: str, lo=None, hi=None, default=None):
        if key not in d:
            return default
        v = d[key]
        if not is_type(v, float):
            return default  # the type error was reported by keys()
        if (lo is not None and v < lo) or (hi is not None and v > hi):
            rng = f"between {lo} and {hi}" if lo is not None and hi is not None else (
                f"at least {lo}" if lo is not None else f"at most {hi}")
            self.r.error(d.value_mark(key), f"'{key}' in {where} must be {rng}, not {v}")
            return default
        return v
