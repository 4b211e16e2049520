"""Scores in the shape the wire carries: a reply's feedback and a chat's report, summarised and bounded.

The student's machine (or the host, for role-play) scores with the full scorer; what travels is a
summary that fits the protocol's declared FEEDBACK and REPORT records, and the host stores it in the
shape the store's export reads (violations, strengths, dimensions, improvements).
"""
from __future__ import annotations

import math

from . import protocol as P


def cut(text, n: int) -> str:
    """Text made safe for a bounded field: control characters become spaces, at most n characters."""
    s = "" if text is None else str(text)
    s = "".join(" " if (ch < " " and ch != "\n") or ch == "\x7f" or "\ud800" <= ch <= "\udfff" else ch for ch in s)
    return s if len(s) <= n else s[: n - 1] + "…"


def line_text(text) -> str:
    """A chat line for the wire: 1..MAX_TEXT characters."""
    return cut(text, P.MAX_TEXT) or "…"


def _num(x, lo: float = 0.0, hi: float = 100.0):
    if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x):
        return None
    return float(min(hi, max(lo, x)))


def _as_dict(x) -> dict:
    if x is None:
        return {}
    if isinstance(x, dict):
        return x
    to_dict = getattr(x, "to_dict", None)
    return to_dict() if callable(to_dict) else {}


def feedback_summary(feedback) -> dict | None:
    """The scorer's ReplyResult (or its dict) as the protocol's FEEDBACK record."""
    d = _as_dict(feedback)
    if not d:
        return None
    faults = []
    for v in d.get("violations") or ():
        if not isinstance(v, dict):
            continue
        sev = v.get("severity") if v.get("severity") in P.SEVERITIES else ""
        faults.append({"rule": cut(v.get("rule"), 64), "title": cut(v.get("title") or v.get("category"), 80),
                       "why": cut(v.get("why"), 300), "severity": sev, "text": cut(v.get("text"), 200)})
    strengths = []
    for s in d.get("strengths") or ():
        label = s.get("title") or s.get("id") if isinstance(s, dict) else s
        if label:
            strengths.append(cut(label, 80))
    rewrite = d.get("rewrite")
    return {"score": _num(d.get("score")), "faults": faults[:8], "strengths": strengths[:8],
            "rewrite": None if rewrite in (None, "") else cut(rewrite, P.MAX_TEXT + 200)}


def report_summary(report, conv=None) -> dict | None:
    """A ChatReport (or its dict) as the protocol's REPORT record."""
    d = _as_dict(report)
    if not d:
        return None
    dims = []
    for name, v in (d.get("dimensions") or {}).items():
        score = _num(v.get("score") if isinstance(v, dict) else v)
        if score is not None:
            dims.append({"name": cut(name, 32) or "-", "title": cut(v.get("title", "") if isinstance(v, dict) else "", 32),
                         "score": score})
    imps = [{"title": cut(i.get("title"), 80), "why": cut(i.get("why"), 300), "quote": cut(i.get("quote"), 700),
             "rewrite": cut(i.get("rewrite"), 700)}
            for i in (d.get("improvements") or ()) if isinstance(i, dict)]
    t = d.get("timing") or {}
    closing = d.get("closing") or {}
    flags = list(getattr(conv, "flags", ()) or ())
    turns = 0
    if conv is not None:
        turns = sum(1 for m in conv.transcript if m.who == "agent")

    def opt(x):
        return _num(x, 0.0, 1e6)

    return {
        "total": _num(d.get("total")) or 0.0, "grade": cut(d.get("grade"), 8), "grade_label": cut(d.get("grade_label"), 16),
        "dimensions": dims[:10], "improvements": imps[:5],
        "first_reply": opt(t.get("first_reply")), "mean_wait": opt(t.get("mean_wait")),
        "max_wait": opt(t.get("max_wait")), "slow_replies": int(t.get("slow_replies") or 0),
        "nudges": int(t.get("nudges") or 0), "turns": min(turns, 10**4),
        "flags": [cut(f, 64) for f in flags][:20], "final_price": _num(closing.get("final_price"), 0.0, 1e7),
    }


# ---------------------------------------------------------------- what the host stores
def stored_feedback(summary: dict | None) -> dict | None:
    """A FEEDBACK record in the shape the store's export and diagnosis read."""
    if not summary:
        return None
    return {"score": summary.get("score"),
            "violations": [dict(f, category=f.get("title", "")) for f in summary.get("faults", [])],
            "strengths": [{"title": s} for s in summary.get("strengths", [])],
            "rewrite": summary.get("rewrite")}


def stored_report(summary: dict | None, outcome: str | None) -> dict | None:
    if not summary:
        return None
    return {
        "total": summary["total"], "grade": summary["grade"], "grade_label": summary["grade_label"],
        "outcome": outcome or "unfinished",
        "dimensions": {d["name"]: {"title": d["title"], "score": d["score"]} for d in summary["dimensions"]},
        "improvements": summary["improvements"],
        "timing": {k: summary.get(k) for k in ("first_reply", "mean_wait", "max_wait", "slow_replies", "nudges")},
        "flags": summary.get("flags", []), "final_price": summary.get("final_price"),
    }
