"""History and progress from stored sessions: first, best and latest scores, conversion (询单转化率).

询单转化率 = sessions that ended in success / sessions that are over (finished or interrupted; a chat
still being played does not count). An interrupted chat counts as not converted: the buyer did not
buy. Sessions without a report (no scorer attached) count for conversion but have no score.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .db import Session
from .jsonable import DIMENSIONS, report_dimensions


@dataclass
class Trend:
    first: float | None = None
    best: float | None = None
    latest: float | None = None
    count: int = 0

    def add(self, v: float | None) -> None:
        if v is None:
            return
        if self.first is None:
            self.first = v
        self.best = v if self.best is None else max(self.best, v)
        self.latest = v
        self.count += 1

    def to_dict(self) -> dict:
        return {"first": self.first, "best": self.best, "latest": self.latest, "count": self.count}


@dataclass
class Tally:
    """Counts and scores of a group of sessions (all of a profile, or one persona)."""
    sessions: int = 0         # over: finished or interrupted
    successes: int = 0
    interrupted: int = 0
    live: int = 0
    total: Trend = field(default_factory=Trend)
    dims: dict[str, Trend] = field(default_factory=dict)

    @property
    def conversion(self) -> float | None:
        return self.successes / self.sessions if self.sessions else None

    def add(self, s: Session) -> None:
        if s.status == "live":
            self.live += 1
            return
        self.sessions += 1
        self.successes += s.outcome == "success"
        self.interrupted += s.status == "interrupted"
        if s.status == "finished":
            self.total.add(s.total)
            for k, v in report_dimensions(s.report).items():
                self.dims.setdefault(k, Trend()).add(v)

    def to_dict(self) -> dict:
        return {"sessions": self.sessions, "successes": self.successes, "interrupted": self.interrupted,
                "live": self.live, "conversion": self.conversion, "total": self.total.to_dict(),
                "dimensions": {k: t.to_dict() for k, t in _ordered(self.dims).items()}}


@dataclass
class PersonaProgress(Tally):
    persona_id: str = ""
    title: str = ""

    def to_dict(self) -> dict:
        return {"persona": self.persona_id, "title": self.title, **super().to_dict()}


@dataclass
class Point:
    """One scored attempt, for a progress chart."""
    attempt: int
    session_id: int
    started_at: float
    persona_id: str
    total: float | None
    dims: dict[str, float]
    outcome: str | None


@dataclass
class Progress(Tally):
    profile: str | None = None
    personas: list[PersonaProgress] = field(default_factory=list)
    series: list[Point] = field(default_factory=list)

    def persona(self, pid: str) -> PersonaProgress | None:
        return next((p for p in self.personas if p.persona_id == pid), None)

    def to_dict(self) -> dict:
        return {"profile": self.profile, **super().to_dict(),
                "personas": [p.to_dict() for p in self.personas],
                "series": [vars(p) for p in self.series]}


def _ordered(d: dict) -> dict:
    known = [k for k in DIMENSIONS if k in d]
    return {k: d[k] for k in known + [k for k in d if k not in DIMENSIONS]}


def progress(sessions: list[Session], profile: str | None = None) -> Progress:
    """Sessions in start order (as Store.sessions returns them)."""
    out = Progress(profile=profile)
    by: dict[str, PersonaProgress] = {}
    n = 0
    for s in sessions:
        out.add(s)
        pp = by.get(s.persona_id)
        if pp is None:
            pp = by[s.persona_id] = PersonaProgress(persona_id=s.persona_id, title=s.title)
        pp.add(s)
        if s.status == "finished":
            n += 1
            out.series.append(Point(n, s.id, s.started_at, s.persona_id, s.total, report_dimensions(s.report),
                                    s.outcome))
    out.personas = sorted(by.values(), key=lambda p: p.persona_id)
    return out


# ---------------------------------------------------------------- text

OUTCOME_ZH = {"success": "成交", "lost": "流失", "bad_review": "差评", "escalated": "投诉升级"}
STATUS_ZH = {"live": "进行中", "interrupted": "中断", "finished": "已结束"}


def outcome_text(s: Session) -> str:
    if s.status != "finished":
        return STATUS_ZH.get(s.status, s.status)
    return OUTCOME_ZH.get(s.outcome or "", s.outcome or "?")


def local_time(ts: float | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return "" if ts is None else datetime.fromtimestamp(ts).strftime(fmt)


def pct(x: float | None) -> str:
    return "-" if x is None else f"{x * 100:.0f}%"


def score(x: float | None) -> str:
    return "-" if x is None else f"{x:.0f}"


def _width(s: str) -> int:
    return sum(2 if ord(c) > 0x2E7F else 1 for c in s)


def _pad(s: str, w: int) -> str:
    return s + " " * max(0, w - _width(s))


def table(rows: list[list[str]]) -> str:
    """A plain text table that lines up Chinese (two columns a character)."""
    widths = [max(_width(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(_pad(c, w) for c, w in zip(r, widths)).rstrip() for r in rows)


def format_history(sessions: list[Session], profile: str | None = None, recent: int = 10) -> str:
    if not sessions:
        who = f"学员 {profile} " if profile else ""
        return f"{who}还没有练习记录。用 python main.py play --text 开始练习。"
    pr = progress(sessions, profile)
    lines = []
    head = f"学员 {profile}" if profile else "全部学员"
    lines.append(f"{head}: {pr.sessions} 次会话, 成交 {pr.successes}, 询单转化率 {pct(pr.conversion)}"
                 + (f", 中断 {pr.interrupted}" if pr.interrupted else "")
                 + (f", 进行中 {pr.live}" if pr.live else ""))
    if pr.total.count:
        lines.append(f"总分: 首次 {score(pr.total.first)}, 最佳 {score(pr.total.best)}, 最近 {score(pr.total.latest)}")
    lines.append("")
    rows = [["买家场景", "次数", "成交", "转化率", "首次", "最佳", "最近"]]
    for p in pr.personas:
        rows.append([p.title, str(p.sessions + p.live), str(p.successes), pct(p.conversion), score(p.total.first),
                     score(p.total.best), score(p.total.latest)])
    lines.append(table(rows))
    if pr.dims:
        lines.append("")
        rows = [["评分维度", "首次", "最佳", "最近"]]
        for k, t in _ordered(pr.dims).items():
            rows.append([DIMENSIONS.get(k, k), score(t.first), score(t.best), score(t.latest)])
        lines.append(table(rows))
    lines.append("")
    lines.append(f"最近 {min(recent, len(sessions))} 次:")
    rows = [["编号", "时间", "学员", "买家场景", "结果", "总分"]]
    for s in sessions[-recent:][::-1]:
        rows.append([str(s.id), local_time(s.started_at), s.profile, s.title, outcome_text(s),
                     score(s.total) + (f" {s.grade}" if s.grade else "")])
    lines.append(table(rows))
    lines.append("\n回放: python main.py replay 编号    导出: python main.py export --format html")
    return "\n".join(lines)
