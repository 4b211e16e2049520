"""Feedback and reports as JSON, whatever shape the scorer gives them, and read back defensively.

The store never imports the scoring package: an object with `to_dict()`, a dataclass, a mapping or
plain values are all turned into JSON; anything else becomes its text. Stored JSON is only ever
parsed with json.loads (never eval'ed or unpickled).
"""
from __future__ import annotations

import dataclasses
import json
import logging
import math
from collections.abc import Mapping

log = logging.getLogger(__name__)

# The report's dimensions, in the order the scoring rules give them, with fallback titles.
DIMENSIONS = {"politeness": "礼貌用语", "taboo": "十忌与禁区", "timing": "响应时效", "flow": "接待流程",
              "closing": "促成与结果"}

SEVERITY_ZH = {"minor": "轻微", "major": "较重", "severe": "严重"}

_MAX_DEPTH = 32


def jsonable(x, _depth: int = 0):
    if x is None or isinstance(x, (bool, int, str)):
        return x
    if isinstance(x, float):
        return x if math.isfinite(x) else None
    if _depth > _MAX_DEPTH:
        return str(x)
    d = _depth + 1
    if isinstance(x, Mapping):
        return {str(k): jsonable(v, d) for k, v in x.items()}
    if isinstance(x, (list, tuple, set, frozenset)):
        return [jsonable(v, d) for v in x]
    to_dict = getattr(x, "to_dict", None)
    if callable(to_dict):
        try:
            return jsonable(to_dict(), d)
        except Exception:  # a scorer's bug must not lose the chat (logged)
            log.exception("a value could not be stored as JSON; kept as text")
            return str(x)
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        return {f.name: jsonable(getattr(x, f.name, None), d) for f in dataclasses.fields(x)
                if not f.name.startswith("_")}
    item = getattr(x, "item", None)  # numpy scalars
    if callable(item):
        try:
            return jsonable(item(), d)
        except Exception:
            pass
    return str(x)


def dumps(x) -> str:
    return json.dumps(jsonable(x), ensure_ascii=False, separators=(",", ":"))


def loads(text):
    if text is None:
        return None
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return None


def _num(x) -> float | None:
    if isinstance(x, bool):
        return None
    if isinstance(x, (int, float)) and math.isfinite(x):
        return float(x)
    if isinstance(x, Mapping):
        for k in ("score", "value", "points"):
            if k in x:
                return _num(x[k])
    return None


def report_total(report) -> tuple[float | None, str | None]:
    """(total 0-100, grade) of a stored report, None for what it lacks."""
    if not isinstance(report, Mapping):
        return None, None
    total = _num(report.get("total", report.get("score")))
    grade = report.get("grade")
    if isinstance(grade, Mapping):
        grade = grade.get("grade") or grade.get("label")
    return total, (str(grade) if grade not in (None, "") else None)


def report_dimensions(report) -> dict[str, float]:
    """{dimension: score} from a report: {"dimensions": {name: score | {score: …}}} or a list of
    {"name"|"dimension"|"id": …, "score": …}."""
    if not isinstance(report, Mapping):
        return {}
    dims = report.get("dimensions", report.get("scores"))
    out: dict[str, float] = {}
    if isinstance(dims, Mapping):
        for k, v in dims.items():
            n = _num(v)
            if n is not None:
                out[str(k)] = n
    elif isinstance(dims, list):
        for item in dims:
            if isinstance(item, Mapping):
                name = item.get("name") or item.get("dimension") or item.get("id")
                n = _num(item)
                if name and n is not None:
                    out[str(name)] = n
    return out


def dimension_titles(report) -> dict[str, str]:
    titles = dict(DIMENSIONS)
    dims = report.get("dimensions") if isinstance(report, Mapping) else None
    items = dims.items() if isinstance(dims, Mapping) else (
        ((d.get("name") or d.get("dimension") or d.get("id"), d) for d in dims if isinstance(d, Mapping))
        if isinstance(dims, list) else ())
    for k, v in items:
        if isinstance(v, Mapping) and isinstance(v.get("title"), str) and k:
            titles[str(k)] = v["title"]
    return titles


_ITEM_KEYS = ("hits", "violations", "faults", "issues", "problems")


def feedback_items(feedback) -> list[dict]:
    """The faults of one message's feedback, each {category, rule, why, rewrite, severity, text}."""
    out: list[dict] = []
    if not isinstance(feedback, Mapping):
        return out
    for key in _ITEM_KEYS:
        items = feedback.get(key)
        if not isinstance(items, list):
            continue
        for it in items:
            if not isinstance(it, Mapping):
                continue
            out.append({
                "category": str(it.get("category") or it.get("kind") or ""),
                "rule": str(it.get("rule") or it.get("id") or ""),
                "title": str(it.get("title") or ""),
                "why": str(it.get("why") or it.get("message") or it.get("reason") or ""),
                "rewrite": str(it.get("rewrite") or it.get("suggestion") or ""),
                "severity": str(it.get("severity") or ""),
                "text": str(it.get("text") or it.get("span_text") or ""),
            })
        break
    return out


def feedback_strengths(feedback) -> list[str]:
    if not isinstance(feedback, Mapping):
        return []
    out = []
    for s in feedback.get("strengths") or ():
        if isinstance(s, Mapping):
            s = s.get("title") or s.get("why") or s.get("rule") or ""
        if s:
            out.append(str(s))
    return out


def feedback_score(feedback) -> float | None:
    return _num(feedback.get("score")) if isinstance(feedback, Mapping) else None


def report_improvements(report) -> list[dict]:
    """[{text, rewrite, why}] from a report's improvements (strings or mappings)."""
    if not isinstance(report, Mapping):
        return []
    out = []
    for it in report.get("improvements") or ():
        if isinstance(it, Mapping):
            out.append({"text": str(it.get("text") or it.get("quote") or it.get("original") or ""),
                        "rewrite": str(it.get("rewrite") or it.get("suggestion") or ""),
                        "title": str(it.get("title") or ""),
                        "why": str(it.get("why") or it.get("title") or "")})
        elif it:
            out.append({"text": "", "rewrite": "", "title": "", "why": str(it)})
    return out
