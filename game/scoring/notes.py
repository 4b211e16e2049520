"""Short feedback lines under a trainee message, for the window and the terminal alike."""
from __future__ import annotations

_SEVERITY = {"severe": 0, "major": 1, "minor": 2, "tip": 3}


def feedback_notes(feedback, limit: int = 2, *, full: bool = False) -> list[tuple[str, str]]:
    """(line, colour name) pairs: the faults with why, then a better way to say it; else strengths.
    `full`: every fault, and the strengths of a faulty reply too (an expanded card)."""
    if feedback is None:
        return []
    d = feedback.to_dict() if hasattr(feedback, "to_dict") else (feedback if isinstance(feedback, dict) else {})
    if d.get("unscored"):
        return [("⚠ 这句回复未能评分(错误已记录在日志里),不计入成绩", "bad")]
    out: list[tuple[str, str]] = []
    seen: set = set()
    # a scorer's feedback has "violations"; the classroom's summary of it has "faults"
    faults = sorted(d.get("violations") or d.get("faults") or [], key=lambda v: _SEVERITY.get(v.get("severity"), 3))
    for v in faults:
        if v.get("rule") in seen:
            continue
        seen.add(v.get("rule"))
        if len(seen) > limit and not full:
            break
        title = v.get("title") or v.get("category") or v.get("rule", "")
        why = v.get("why", "")
        out.append((f"⚠ {title}: {why}" if why else f"⚠ {title}", "bad"))
    better = d.get("rewrite") or (faults[0].get("suggestion") if faults else None)
    if faults and better:
        out.append((f"→ 更好的说法: {better}", "info"))
    if full or not faults:
        for st in list(d.get("strengths", []))[:None if full else 2]:
            label = st if isinstance(st, str) else (st.get("title") or st.get("id", ""))
            if label:
                out.append((f"✓ {label}", "good"))
    return out
