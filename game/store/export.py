"""Trainer exports: a CSV row per session, and a printable self-contained HTML report.

The HTML needs nothing else: styles inline, charts as inline SVG, no scripts, no web fonts, every
stored text escaped. The CSV is UTF-8 with a byte-order mark so spreadsheet programs read Chinese.
"""
from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import datetime
from html import escape

from game.content.emoticons import as_emoji

from .db import Session, Store
from .diagnose import ORDER, default_rules, diagnose
from .jsonable import (DIMENSIONS, dimension_titles, feedback_items, feedback_strengths, report_dimensions,
                       report_improvements)
from .progress import OUTCOME_ZH, STATUS_ZH, local_time, outcome_text, pct, progress, score

MODE_ZH = {"practice": "练习", "exam": "考试"}


def select(store: Store, profile: str | None = None, since: float | None = None) -> list[Session]:
    return store.sessions(profile=profile, since=since)


def _stats(msgs) -> dict:
    agent = [m for m in msgs if m.who == "agent"]
    waits = [m.wait for m in agent if m.wait > 0]
    first = next((m.wait for m in agent if m.first), None)
    return {"messages": len(msgs), "agent": len(agent), "first": first,
            "avg": sum(waits) / len(waits) if waits else None, "max": max(waits) if waits else None,
            "nudges": sum(1 for m in msgs if m.who == "buyer" and m.kind == "nudge")}


def _slow(s: Session, msgs) -> int:
    first = float(s.info.get("first_reply") or 15)
    reply = float(s.info.get("reply") or 20)
    return sum(1 for m in msgs if m.who == "agent" and m.wait > (first if m.first else reply))


def _cell(v) -> str:
    """Text for a CSV cell; a leading = + - @ is quoted so a spreadsheet never runs it as a formula."""
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.1f}" if not v.is_integer() else f"{v:.0f}"
    v = str(v)
    return "'" + v if v[:1] in ("=", "+", "-", "@", "\t", "\r") else v


def _dims_of(sessions: list[Session]) -> list[str]:
    seen = {k for s in sessions for k in report_dimensions(s.report)}
    return [k for k in DIMENSIONS if k in seen] + sorted(seen - set(DIMENSIONS))


CSV_HEAD = ["session", "profile", "persona", "persona_title", "archetype", "mode", "source", "seed", "started",
            "ended", "duration_s", "status", "outcome", "结果", "reason", "final_state", "mood", "messages",
            "agent_messages", "first_reply_s", "avg_wait_s", "max_wait_s", "slow_replies", "nudges", "total",
            "grade"]


def to_csv(store: Store, sessions: list[Session], diagnosis=None) -> str:
    """`diagnosis`: the content library's DiagnosisRules (Library.diagnosis); None means the shipped file."""
    dims = _dims_of(sessions)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(CSV_HEAD + dims + ["flags", "诊断", "persona_digest", "content_hash"])
    for s in sessions:
        msgs, trans = store.messages(s.id), store.transitions(s.id)
        st = _stats(msgs)
        d = diagnose(s, msgs, trans, rules=diagnosis) if not s.converted and s.status == "finished" else None
        rd = report_dimensions(s.report)
        dur = msgs[-1].time if msgs else None  # on the chat's clock (a simulated chat takes no wall time)
        row = [s.id, s.profile, s.persona_id, s.title, s.info.get("archetype", ""), s.mode, s.source, s.seed,
               local_time(s.started_at, "%Y-%m-%d %H:%M:%S"), local_time(s.ended_at, "%Y-%m-%d %H:%M:%S"),
               dur, s.status, s.outcome, outcome_text(s), s.reason, s.state, s.mood, st["messages"], st["agent"],
               st["first"], st["avg"], st["max"], _slow(s, msgs), st["nudges"], s.total, s.grade]
        row += [rd.get(k) for k in dims]
        row += [";".join(s.flags), ";".join(c.title for c in d.causes) if d else "", s.persona_digest,
                s.content_hash]
        w.writerow([_cell(v) for v in row])
    return "\ufeff" + buf.getvalue()


# ---------------------------------------------------------------- SVG charts

_FONT = "'Noto Sans SC','Noto Sans CJK SC','Microsoft YaHei','PingFang SC',sans-serif"
_COLORS = ["#2f6fdf", "#e0663a", "#2aa876", "#9b59b6", "#d4a017", "#16a2b8", "#c0392b", "#7f8c8d"]
_OUT_COLOR = {"success": "#2aa876", "lost": "#e0a030", "bad_review": "#c0392b", "escalated": "#9b59b6"}


def _svg(w: int, h: int, body: list[str], title: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
            f'font-family="{_FONT}" font-size="12"><title>{escape(title)}</title>' + "".join(body) + "</svg>")


def hbars(items: list[tuple], vmax: float, title: str, color: str = "#2f6fdf") -> str:
    """Horizontal bars: (label, value, text shown after the bar[, colour])."""
    row, left, width = 24, 170, 300
    h = row * max(1, len(items)) + 10
    body = []
    for i, (label, value, text, *col) in enumerate(items):
        y = 5 + i * row
        bw = 0 if vmax <= 0 else max(0.0, min(1.0, value / vmax)) * width
        body.append(f'<text x="{left - 8}" y="{y + 15}" text-anchor="end">{escape(_short(label, 13))}</text>')
        body.append(f'<rect x="{left}" y="{y + 3}" width="{width}" height="16" fill="#eef1f5"/>')
        body.append(f'<rect x="{left}" y="{y + 3}" width="{bw:.1f}" height="16" fill="{col[0] if col else color}"/>')
        body.append(f'<text x="{left + width + 6}" y="{y + 15}">{escape(text)}</text>')
    return _svg(left + width + 70, h, body, title)


def line_chart(series: dict[str, list[tuple[int, float, str | None]]], title: str) -> str:
    """Scores 0-100 over attempts, one line per name; each point coloured by the chat's outcome."""
    w, h, l, r, t, b = 560, 230, 36, 120, 10, 28
    n = max((x for pts in series.values() for x, _, _ in pts), default=1)
    px = lambda x: l + (w - l - r) * ((x - 1) / max(1, n - 1) if n > 1 else 0.5)  # noqa: E731
    py = lambda v: t + (h - t - b) * (1 - v / 100)  # noqa: E731
    body = []
    for v in (0, 20, 40, 60, 80, 100):
        body.append(f'<line x1="{l}" x2="{w - r}" y1="{py(v):.1f}" y2="{py(v):.1f}" stroke="#e3e6ea"/>')
        body.append(f'<text x="{l - 6}" y="{py(v) + 4:.1f}" text-anchor="end" fill="#666">{v}</text>')
    body.append(f'<text x="{(w - r + l) / 2:.0f}" y="{h - 6}" text-anchor="middle" fill="#666">第几次练习 (共 {n} 次)</text>')
    for i, (name, pts) in enumerate(series.items()):
        col = _COLORS[i % len(_COLORS)]
        if len(pts) > 1:
            path = " ".join(f"{px(x):.1f},{py(v):.1f}" for x, v, _ in pts)
            body.append(f'<polyline points="{path}" fill="none" stroke="{col}" stroke-width="2"/>')
        for x, v, out in pts:
            body.append(f'<circle cx="{px(x):.1f}" cy="{py(v):.1f}" r="4" fill="{_OUT_COLOR.get(out or "", "#999")}" '
                        f'stroke="{col}" stroke-width="1.5"><title>{escape(name)} #{x}: {v:.0f}</title></circle>')
        body.append(f'<rect x="{w - r + 10}" y="{t + 4 + i * 18}" width="10" height="10" fill="{col}"/>')
        body.append(f'<text x="{w - r + 24}" y="{t + 13 + i * 18}">{escape(_short(name, 8))}</text>')
    return _svg(w, h, body, title)


def _short(s: str, n: int) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


# ---------------------------------------------------------------- HTML

_CSS = """
body{font-family:'Noto Sans SC','Noto Sans CJK SC','Microsoft YaHei','PingFang SC',sans-serif;color:#222;
 max-width:960px;margin:24px auto;padding:0 16px;line-height:1.5}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;border-bottom:2px solid #2f6fdf;padding-bottom:4px;margin-top:28px}
h3{font-size:16px;margin:0 0 6px}.muted{color:#666;font-size:13px}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin:12px 0}
.card{border:1px solid #dde2e8;border-radius:6px;padding:8px 14px}
.card b{display:block;font-size:20px}table{border-collapse:collapse;width:100%;font-size:13px;margin:8px 0}
th,td{border:1px solid #dde2e8;padding:4px 6px;text-align:left;vertical-align:top}th{background:#f3f5f8}
.chat{border:1px solid #cfd6de;border-radius:8px;padding:12px 14px;margin:18px 0;break-inside:auto}
.chat.fail{border-left:6px solid #e0663a}.chat.ok{border-left:6px solid #2aa876}.chat.int{border-left:6px solid #999}
.msg{margin:3px 0;break-inside:avoid}.t{color:#888;font-size:12px;margin-right:6px;font-family:monospace}
.buyer .who{color:#b35c00}.agent .who{color:#2f6fdf}.who{font-weight:bold;margin-right:4px}
.wait{font-size:12px;border-radius:3px;padding:0 4px;margin-left:6px}.ok-w{background:#e3f6ec}.late{background:#fde2dc}
.note{margin:2px 0 2px 56px;font-size:13px}.fault{color:#b03a2e}.good{color:#23855f}
.state{margin-left:56px;color:#888;font-size:12px}
.tag{font-size:12px;color:#b35c00;margin-left:4px}
.diag{background:#fff6ef;border:1px solid #f1cdb3;border-radius:6px;padding:8px 12px;margin-top:8px}
.diag li{margin:2px 0}.charts{display:flex;flex-wrap:wrap;gap:18px}.chart h3{font-size:14px}
@media print{body{margin:0;max-width:none}.chat{break-inside:auto}.msg,.note,.diag li{break-inside:avoid}
 h2{break-after:avoid}a{color:inherit;text-decoration:none}}
"""


def _wait_badge(s: Session, m) -> str:
    if m.who != "agent" or m.wait <= 0:
        return ""
    limit = float(s.info.get("first_reply") or 15) if m.first else float(s.info.get("reply") or 20)
    cls = "ok-w" if m.wait <= limit else "late"
    return f'<span class="wait {cls}">等了 {m.wait:.0f} 秒{"" if m.wait <= limit else " 超时"}</span>'


def _chat_html(s: Session, msgs, trans, intent_titles: dict[str, str], diagnosis=None) -> str:
    info = s.info or {}
    buyer = escape(info.get("buyer") or "买家")
    cls = "int" if s.status != "finished" else ("ok" if s.converted else "fail")
    head = (f'<h3>#{s.id} {escape(s.title)} · {escape(s.profile)} · {escape(outcome_text(s))}'
            + (f" · 总分 {score(s.total)}{(' ' + escape(s.grade)) if s.grade else ''}" if s.total is not None else "")
            + "</h3>")
    meta = (f'<div class="muted">{escape(local_time(s.started_at))} · {MODE_ZH.get(s.mode, escape(s.mode))} · '
            f'种子 {escape(str(s.seed))} · {escape(s.persona_id)} · 内容 {escape(s.persona_digest or "-")}'
            + (f" · {escape(info.get('shop', ''))} {escape(info.get('product', ''))}" if info.get("shop") else "")
            + "</div>")
    parts = [f'<section class="chat {cls}" id="session-{s.id}">', head, meta]
    items = [(m.time, 0, m.seq, m) for m in msgs] + [(t.time, 1, t.seq, t) for t in trans]
    for _, kind, _, x in sorted(items, key=lambda i: i[:3]):
        if kind == 1:
            parts.append(f'<div class="state">买家状态 {escape(x.src)} → {escape(x.dst)} '
                         f'({escape(intent_titles.get(x.trigger, x.trigger))})</div>')
            continue
        who = "客服" if x.who == "agent" else buyer
        tag = {"nudge": "催促", "confused": "没看懂", "repeat": "追问", "leave": "离开"}.get(x.kind, "")
        parts.append(f'<div class="msg {escape(x.who)}"><span class="t">{int(round(x.time, 1) // 60):02d}:{round(x.time, 1) % 60:04.1f}'
                     f'</span><span class="who">{who}:</span>{escape(x.text)}'
                     + (f'<span class="tag">[{tag}]</span>' if tag else "") + _wait_badge(s, x) + "</div>")
        for f in feedback_items(x.feedback):
            parts.append(f'<div class="note fault">✗ {escape(f["title"] or f["category"])}: {escape(f["why"])}'
                         + (f" → <b>建议:</b> {escape(f['rewrite'])}" if f["rewrite"] else "") + "</div>")
        for g in feedback_strengths(x.feedback):
            parts.append(f'<div class="note good">✓ {escape(g)}</div>')
    if s.report is not None:
        titles = dimension_titles(s.report)
        dims = report_dimensions(s.report)
        if dims:
            parts.append('<table><tr>' + "".join(f"<th>{escape(titles.get(k, k))}</th>" for k in dims)
                         + "<th>总分</th></tr><tr>" + "".join(f"<td>{v:.0f}</td>" for v in dims.values())
                         + f"<td>{score(s.total)}</td></tr></table>")
        imps = report_improvements(s.report)
        if imps:
            parts.append("<ol>" + "".join(
                f"<li><b>{escape(i['title'])}</b> {escape(i['why'])}" + (f" 原句: “{escape(i['text'])}”" if i["text"] else "")
                + (f" → “{escape(i['rewrite'])}”" if i["rewrite"] else "") + "</li>" for i in imps) + "</ol>")
    if not s.converted:
        d = diagnose(s, msgs, trans, intent_titles, diagnosis)
        parts.append(f'<div class="diag"><b>诊断:</b> {escape(d.summary)}<ul>')
        for c in d.causes:
            parts.append(f"<li><b>{escape(c.title)}</b>: " + "; ".join(escape(e) for e in c.evidence[:4])
                         + f'<br><span class="muted">建议: {escape(c.advice)}</span></li>')
        parts.append("</ul></div>")
    parts.append("</section>")
    return "\n".join(parts)


def to_html(store: Store, sessions: list[Session], *, profile: str | None = None, since: str | None = None,
            intent_titles: dict[str, str] | None = None, now: datetime | None = None, diagnosis=None) -> str:
    """`diagnosis`: the content library's DiagnosisRules (Library.diagnosis); None means the shipped file."""
    it = intent_titles or {}
    pr = progress(sessions, profile)
    data = {s.id: (store.messages(s.id), store.transitions(s.id)) for s in sessions}
    now = now or datetime.now()
    filt = " · ".join(x for x in (f"学员: {profile}" if profile else "全部学员", f"自 {since} 起" if since else "") if x)
    out = ['<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           "<title>KefuSim 客服实训报告</title>", f"<style>{_CSS}</style></head><body>",
           "<h1>KefuSim 客服实训报告</h1>",
           f'<div class="muted">{escape(filt)} · 生成于 {now.strftime("%Y-%m-%d %H:%M")} · 共 {len(sessions)} 次会话</div>']
    scored = [s.total for s in sessions if s.total is not None]
    out.append('<div class="cards">'
               f'<div class="card">会话<b>{pr.sessions + pr.live}</b></div>'
               f'<div class="card">成交<b>{pr.successes}</b></div>'
               f'<div class="card">询单转化率<b>{pct(pr.conversion)}</b></div>'
               f'<div class="card">平均总分<b>{score(sum(scored) / len(scored) if scored else None)}</b></div>'
               f'<div class="card">中断<b>{pr.interrupted}</b></div></div>')
    if not sessions:
        out.append("<p>所选范围内没有练习记录。</p></body></html>")
        return "\n".join(out)

    # charts
    out.append("<h2>图表</h2><div class=\"charts\">")
    by_prof: dict[str, list] = {}
    for s in sessions:
        if s.status == "finished" and s.total is not None:
            pts = by_prof.setdefault(s.profile, [])
            pts.append((len(pts) + 1, s.total, s.outcome))
    if by_prof:
        out.append('<div class="chart"><h3>总分变化(点的颜色: 绿 成交, 橙 流失, 红 差评, 紫 投诉)</h3>'
                   + line_chart(by_prof, "总分变化") + "</div>")
    conv = [(p.title, p.conversion or 0.0, f"{pct(p.conversion)} ({p.successes}/{p.sessions})")
            for p in pr.personas if p.sessions]
    out.append('<div class="chart"><h3>各场景询单转化率</h3>' + hbars(conv, 1.0, "各场景询单转化率", "#2aa876") + "</div>")
    outcomes = Counter(s.outcome if s.status == "finished" else s.status for s in sessions)
    labels = {**OUTCOME_ZH, **STATUS_ZH}
    out.append('<div class="chart"><h3>结果分布</h3>' + hbars(
        [(labels.get(k, k), n, str(n), _OUT_COLOR.get(k, "#999")) for k, n in outcomes.most_common()],
        max(outcomes.values()), "结果分布",
        "#7f8c8d") + "</div>")
    waits: dict[str, list[float]] = {}
    for s in sessions:
        waits.setdefault(s.profile, []).extend(m.wait for m in data[s.id][0] if m.who == "agent" and m.wait > 0)
    avg = [(name, sum(w) / len(w), f"{sum(w) / len(w):.1f} 秒") for name, w in sorted(waits.items()) if w]
    if avg:
        out.append('<div class="chart"><h3>平均回复用时(上限 20 秒)</h3>'
                   + hbars(avg, max(20.0, max(a for _, a, _ in avg)), "平均回复用时", "#16a2b8") + "</div>")
    dim_avg = []
    titles = dict(DIMENSIONS)
    for s in sessions:
        titles.update(dimension_titles(s.report) if s.report else {})
    for k in _dims_of(sessions):
        vals = [report_dimensions(s.report)[k] for s in sessions if k in report_dimensions(s.report)]
        dim_avg.append((titles.get(k, k), sum(vals) / len(vals), f"{sum(vals) / len(vals):.0f}"))
    if dim_avg:
        out.append('<div class="chart"><h3>各维度平均分</h3>' + hbars(dim_avg, 100, "各维度平均分") + "</div>")
    causes = Counter()
    failed = [s for s in sessions if s.status == "finished" and not s.converted]
    for s in failed:
        causes.update(diagnose(s, *data[s.id], rules=diagnosis).codes[:3])
    if failed:
        out.append(f'<div class="chart"><h3>未成交原因 ({len(failed)} 次未成交)</h3>'
                   + hbars([((diagnosis or default_rules()).title(c), causes[c], str(causes[c])) for c in ORDER], max(1, len(failed)),
                           "未成交原因", "#e0663a") + "</div>")
    out.append("</div>")

    # tables
    out.append("<h2>学员</h2><table><tr><th>学员</th><th>会话</th><th>成交</th><th>转化率</th><th>首次</th>"
               "<th>最佳</th><th>最近</th><th>中断</th></tr>")
    for name in sorted({s.profile for s in sessions}):
        p = progress([s for s in sessions if s.profile == name], name)
        out.append(f"<tr><td>{escape(name)}</td><td>{p.sessions + p.live}</td><td>{p.successes}</td>"
                   f"<td>{pct(p.conversion)}</td><td>{score(p.total.first)}</td><td>{score(p.total.best)}</td>"
                   f"<td>{score(p.total.latest)}</td><td>{p.interrupted}</td></tr>")
    out.append("</table><h2>买家场景</h2><table><tr><th>场景</th><th>会话</th><th>成交</th><th>转化率</th>"
               "<th>首次</th><th>最佳</th><th>最近</th></tr>")
    for p in pr.personas:
        out.append(f"<tr><td>{escape(p.title)}</td><td>{p.sessions + p.live}</td><td>{p.successes}</td>"
                   f"<td>{pct(p.conversion)}</td><td>{score(p.total.first)}</td><td>{score(p.total.best)}</td>"
                   f"<td>{score(p.total.latest)}</td></tr>")
    out.append("</table><h2>会话一览</h2><table><tr><th>编号</th><th>时间</th><th>学员</th><th>场景</th>"
               "<th>结果</th><th>总分</th></tr>")
    for s in sessions:
        out.append(f'<tr><td><a href="#session-{s.id}">#{s.id}</a></td><td>{escape(local_time(s.started_at))}</td>'
                   f"<td>{escape(s.profile)}</td><td>{escape(s.title)}</td><td>{escape(outcome_text(s))}</td>"
                   f"<td>{score(s.total)}</td></tr>")
    out.append("</table>")

    # chats: the ones that did not convert first, as a trainer reads them
    out.append("<h2>聊天记录与批注</h2>")
    order = sorted(sessions, key=lambda s: (s.converted, s.status != "finished", s.id))
    for s in order:
        out.append(_chat_html(s, *data[s.id], it, diagnosis))
    out.append("</body></html>")
    return as_emoji("\n".join(out))  # emoticon codes typed in a chat (or quoted from one) as emoji


__all__ = ["to_csv", "to_html", "select", "hbars", "line_chart", "OUTCOME_ZH", "STATUS_ZH"]
