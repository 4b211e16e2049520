"""Replay a stored session step by step: messages at their times, waits, feedback, state changes.

`replay_steps` gives the steps (for the game's replay screen too); `run_replay` prints them in the
terminal, waiting real time divided by `speed` between steps (0: print everything at once).
"""
from __future__ import annotations

import time as _time
from dataclasses import dataclass

from .db import Store
from .diagnose import diagnose
from .jsonable import (SEVERITY_ZH, dimension_titles, feedback_items, feedback_score, feedback_strengths,
                       report_dimensions, report_improvements)
from .progress import OUTCOME_ZH, STATUS_ZH, local_time, score

MODE_ZH = {"practice": "练习", "exam": "考试"}


@dataclass
class Step:
    time: float | None     # seconds since the chat opened; None for header and summary lines
    kind: str              # header, message, state, summary
    lines: list[str]


def clock(t: float) -> str:
    t = round(t, 1)  # 59.97 s is 01:00.0, not 00:60.0
    return f"[{int(t // 60):02d}:{t % 60:04.1f}]"


def replay_steps(store: Store, session_id: int, intent_titles: dict[str, str] | None = None,
                 diagnosis=None) -> list[Step] | None:
    """`diagnosis`: the content library's DiagnosisRules (Library.diagnosis); None means the shipped file."""
    s = store.session(session_id)
    if s is None:
        return None
    msgs, trans = store.messages(session_id), store.transitions(session_id)
    it = intent_titles or {}
    info = s.info or {}
    buyer = info.get("buyer") or "买家"
    first_limit = float(info.get("first_reply") or 15)
    reply_limit = float(info.get("reply") or 20)
    steps = [Step(None, "header", [
        f"== 回放 #{s.id}: {s.title} ({s.persona_id}) ==",
        f"学员 {s.profile} · {MODE_ZH.get(s.mode, s.mode)} · {local_time(s.started_at)} · 种子 {s.seed}"
        + (f" · {info['shop']} {info['product']}" if info.get("shop") else "")
        + f" · 内容 {s.persona_digest or '-'}",
    ])]
    items: list[tuple[float, int, int, Step]] = []
    for m in msgs:
        if m.who == "agent":
            limit = first_limit if m.first else reply_limit
            mark = "" if m.wait <= 0 else (f"  (回复用时 {m.wait:.1f} 秒 " + ("✓" if m.wait <= limit else "超时") + ")")
            lines = [f"{clock(m.time)} 客服: {m.text}{mark}"]
            if m.intents:
                lines.append("          识别: " + "、".join(it.get(i, i) for i in m.intents))
            sc = feedback_score(m.feedback)
            for f in feedback_items(m.feedback):
                label = (f["title"] or f["category"]) + (f"({SEVERITY_ZH.get(f['severity'], f['severity'])})"
                                                          if f["severity"] else "")
                lines.append(f"          ✗ {label}: {f['why']}" + (f" → 建议: {f['rewrite']}" if f["rewrite"] else ""))
            for good in feedback_strengths(m.feedback):
                lines.append(f"          ✓ {good}")
            if sc is not None:
                lines.append(f"          本条得分 {sc:.0f}")
        else:
            tag = {"nudge": " [催促]", "confused": " [没看懂]", "repeat": " [追问]", "leave": " [离开]"}.get(m.kind, "")
            lines = [f"{clock(m.time)} {buyer}: {m.text}{tag}"]
        items.append((m.time, 0, m.seq, Step(m.time, "message", lines)))
    for t in trans:
        items.append((t.time, 1, t.seq, Step(t.time, "state", [
            f"          → 买家状态 {t.src} → {t.dst} ({it.get(t.trigger, t.trigger)})"])))
    steps += [st for *_, st in sorted(items, key=lambda x: x[:3])]

    end = []
    if s.status == "finished":
        end.append(f"== 结果: {OUTCOME_ZH.get(s.outcome or '', s.outcome)} (状态 {s.state}"
                   + (f", 心情 {s.mood:.0f}" if s.mood is not None else "") + ") ==")
    else:
        end.append(f"== {STATUS_ZH.get(s.status, s.status)}: 会话没有结束 (最后状态 {s.state}) ==")
    if s.flags:
        end.append("标记: " + ", ".join(s.flags))
    if s.report is not None:
        titles = dimension_titles(s.report)
        dims = report_dimensions(s.report)
        end.append(f"总分 {score(s.total)}" + (f" ({s.grade})" if s.grade else "")
                   + ("  " + "  ".join(f"{titles.get(k, k)} {v:.0f}" for k, v in dims.items()) if dims else ""))
        for i, imp in enumerate(report_improvements(s.report), 1):
            end.append(f"改进 {i}: {imp['title'] or imp['why']}" + (f"  原句 “{imp['text']}”" if imp["text"] else "")
                       + (f" → “{imp['rewrite']}”" if imp["rewrite"] else ""))
            if imp["title"] and imp["why"] != imp["title"]:
                end.append(f"        {imp['why']}")
    elif s.status == "finished":
        end.append("(没有评分报告)")
    if not (s.status == "finished" and s.outcome == "success"):
        d = diagnose(s, msgs, trans, intent_titles, diagnosis)
        end.append("诊断: " + d.summary)
        for c in d.causes:
            end.append(f"  · {c.title}: " + "; ".join(c.evidence[:3]))
            end.append(f"    建议: {c.advice}")
    steps.append(Step(None, "summary", end))
    return steps


def run_replay(store: Store, session_id: int, out, speed: float = 1.0, sleep=_time.sleep,
               intent_titles: dict[str, str] | None = None, diagnosis=None) -> bool:
    steps = replay_steps(store, session_id, intent_titles, diagnosis)
    if steps is None:
        return False
    last = 0.0
    for st in steps:
        if st.time is not None:
            if speed > 0 and st.time > last:
                out.flush()
                sleep((st.time - last) / speed)
            last = max(last, st.time)
        for line in st.lines:
            out.write(line + "\n")
    out.flush()
    return True
