"""Report after a round: the overall result first, then the dimension chart, reply times and the three
things to improve; on the right the chat itself, with the feedback card under every reply.
A role-play chat from the classroom is shown by the same screen."""
from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np
import pygame
import pygame_gui
from pygame_gui.elements import UIButton

from ..app import Screen
from ..widgets import charts
from ..widgets import text as tx
from ..widgets.chatview import ChatView
from ..widgets.panels import OUTCOME_COLOUR, OUTCOME_TEXT

DIMENSIONS = [("politeness", "礼貌"), ("taboo", "禁忌"), ("timing", "时效"), ("flow", "流程"), ("closing", "成交")]
OUTCOME_SOFT = {"success": "good_soft", "bad_review": "late_soft", "escalated": "late_soft"}
CELEBRATE_SECONDS = 3.0


def chat_report(judge, conv) -> dict:
    """The scoring report as a dict, or a bare summary when the rubric did not load."""
    if judge is None:
        return {"outcome": conv.outcome, "total": None, "dimensions": {}, "improvements": []}
    from game.scoring.report import build_report
    return build_report(conv, judge.scorer).to_dict()


def dimension_values(rep: dict) -> tuple[list[str], list[float]]:
    """Labels and scores of the five dimensions, from a local report (a dict by name) or the
    classroom's summary (a list of records)."""
    dims = rep.get("dimensions") or {}
    if isinstance(dims, list):
        dims = {d.get("name"): d.get("score") for d in dims if isinstance(d, dict)}
    labels, values = [], []
    for key, label in DIMENSIONS:
        v = dims.get(key)
        if isinstance(v, dict):
            v = v.get("score")
        if v is not None:
            labels.append(label)
            values.append(float(v))
    return labels, values


@dataclass
class Entry:
    """One chat in the report: what the left column shows and the conversation the right one shows."""
    name: str
    title: str
    outcome: str | None
    rep: dict
    conv: object                # anything ChatView can show (a Conversation, or a role-play chat)
    waits: list                 # (seconds the buyer waited, first reply?) per trainee reply
    limit: float
    golden: float
    agent_name: str = "我"


class RolePlayChat:
    """A role-play seat's lines as ChatView reads a conversation."""

    def __init__(self, seat):
        self.seat = seat
        self.id = f"rp:{seat.round}:{seat.chat}"
        self.started = 0.0
        self._msgs: list = []

    @property
    def transcript(self) -> list:
        lines = self.seat.lines
        while len(self._msgs) < len(lines):
            m = lines[len(self._msgs)]
            first = m["who"] == "agent" and not any(x.who == "agent" for x in self._msgs)
            self._msgs.append(SimpleNamespace(time=float(m["time"]), who=m["who"], text=m["text"], kind="line",
                                              feedback=m.get("feedback"), wait=float(m.get("wait") or 0), first=first))
        return self._msgs

    @property
    def finished(self) -> bool:
        return self.seat.finished

    buyer_typing = False


def session_entries(app, session) -> list[Entry]:
    golden = app.library.buyer_defaults.golden
    out = []
    for c in session.chats:
        out.append(Entry(c.persona.buyer.name, c.persona.title, c.outcome, chat_report(session.desk.judge, c), c,
                         [(m.wait, m.first) for m in c.transcript if m.who == "agent"], c.persona.buyer.reply, golden))
    return out


def roleplay_entry(app, seat) -> Entry:
    r = seat.result or {}
    rep = dict(r.get("report") or {})
    rep.setdefault("total", r.get("total"))
    chat = RolePlayChat(seat)
    d = app.library.buyer_defaults
    buyer, agent = ("我", seat.partner or "客服") if seat.role == "buyer" else (seat.partner or "模拟买家", "我")
    return Entry(buyer, "角色扮演", r.get("outcome"), rep, chat,
                 [(m.wait, m.first) for m in chat.transcript if m.who == "agent"], d.reply, d.golden, agent)


def shift_line(entries: list[Entry]) -> str:
    """The overall result of a shift of several buyers, in one line."""
    done = sum(1 for e in entries if e.outcome == "success")
    totals = [e.rep.get("total") for e in entries if e.rep.get("total") is not None]
    line = f"{len(entries)} 位买家 · 成交/解决 {done} 位"
    if totals:
        line += f" · 平均 {sum(totals) / len(totals):.0f} 分"
    return line


class ReportScreen(Screen):
    def __init__(self, app, session=None, lesson=None, step_index=None, pass_mark=None, classroom=None,
                 entries: list[Entry] | None = None, roleplay: bool = False):
        super().__init__(app)
        self.classroom = classroom
        self.session = session
        self.lesson = lesson
        self.step_index = step_index
        self.pass_mark = pass_mark
        self.roleplay = roleplay
        self.entries = entries if entries is not None else session_entries(app, session)
        self.index = 0
        self.chat = ChatView(self.t, pygame.Rect(0, 0, 10, 10))
        self.passed = self._step_passed()
        self.stars = self._stars() if self.passed else 0
        self.celebrate = CELEBRATE_SECONDS if self.passed else 0.0
        rng = np.random.default_rng(len(self.entries))  # the confetti is the same every time
        self.confetti = rng.random((70, 4))

    def _step_passed(self) -> bool:
        if self.pass_mark is None:
            return False
        return all(e.outcome not in (None, "unfinished") and (e.rep.get("total") or 0) >= self.pass_mark
                   for e in self.entries)

    def _stars(self) -> int:
        from game.content.lessons import LessonStep, step_stars
        rubric = getattr(self.app.library, "rubric", None)
        grades = rubric.config.grades if rubric is not None else ()
        best = {str(i): float(e.rep.get("total") or 0) for i, e in enumerate(self.entries)}
        return step_stars(LessonStep(tuple(best), self.pass_mark), best, grades)

    @property
    def entry(self) -> Entry:
        return self.entries[self.index]

    def build(self) -> None:
        w, h = self.app.size
        y = h - 58
        label = "回到课堂" if self.classroom else ("下一关" if self.lesson else "选择场景")
        x = 24
        self.retry_btn = None
        if not self.roleplay:
            self.retry_btn = UIButton(pygame.Rect(x, y, 140, 42), "再练一次", self.m)
            x += 150
        self.next_btn = UIButton(pygame.Rect(x, y, 140, 42), label, self.m, object_id="#primary")
        self.home_btn = UIButton(pygame.Rect(x + 150, y, 140, 42), "返回首页", self.m)
        self.tab_btns = []
        top = 24
        if len(self.entries) > 1:
            x = w // 2 + 10
            tw = min(150, (w // 2 - 34) // len(self.entries) - 6)
            for i, e in enumerate(self.entries):
                mark = "✓ " if e.outcome == "success" else ""
                b = UIButton(pygame.Rect(x, 24, tw, 36), tx.fit(self.t.small, f"{mark}{i + 1}. {e.name}", tw - 12),
                             self.m)
                self.tab_btns.append(b)
                x += tw + 6
            top = 68
        self.chat.resize(pygame.Rect(w // 2 + 10, top, w // 2 - 34, h - top - 74))
        self._show()

    def _show(self) -> None:
        for i, b in enumerate(self.tab_btns):
            b.select() if i == self.index else b.unselect()
        self.chat.show(self.entry.conv, self.entry.name, True)
        self.chat.agent_name = self.entry.agent_name
        self.chat.to_top()

    def _again(self):
        from .workbench import start_lesson_step, start_personas
        if self.lesson is not None:
            start_lesson_step(self.app, self.lesson, self.step_index)
        else:
            start_personas(self.app, [c.persona for c in self.session.chats])

    def _next(self):
        if self.classroom is not None:
            from .classroom import JoinScreen
            self.app.show(JoinScreen(self.app))
            return
        from .picker import PickerScreen, next_lesson_step
        nxt = next_lesson_step(self.app) if self.lesson else None
        if nxt is not None:
            from .workbench import start_lesson_step
            start_lesson_step(self.app, *nxt)
        else:
            self.app.show(PickerScreen(self.app))

    def _tab(self, i: int) -> None:
        self.index = i % len(self.entries)
        self._show()

    def process_event(self, ev) -> bool:
        if self.chat.handle(ev):
            return True
        if ev.type == pygame_gui.UI_BUTTON_PRESSED:
            if self.retry_btn is not None and ev.ui_element is self.retry_btn:
                self._again()
            elif ev.ui_element is self.next_btn:
                self._next()
            elif ev.ui_element is self.home_btn:
                from .start import StartScreen
                self.app.show(StartScreen(self.app))
            for i, b in enumerate(self.tab_btns):
                if ev.ui_element is b:
                    self._tab(i)
            return True
        if ev.type == pygame.KEYDOWN:
            if ev.key == pygame.K_r and self.retry_btn is not None:
                self._again()
                return True
            if ev.key in (pygame.K_RETURN, pygame.K_n):
                self._next()
                return True
            if ev.key == pygame.K_ESCAPE:
                from .start import StartScreen
                self.app.show(StartScreen(self.app))
                return True
            if ev.key == pygame.K_TAB and len(self.entries) > 1:
                self._tab(self.index + 1)
                return True
        return False

    def update(self, dt: float) -> None:
        self.celebrate = max(0.0, self.celebrate - dt)

    def view_key(self):
        """Drawn again only when the chat scrolls, a card opens or the tab changes (and during the confetti)."""
        return None if self.celebrate > 0 else (self.index, self.chat.view_state())

    def _pass_text(self, e: Entry) -> tuple[str, str]:
        total = e.rep.get("total")
        if self.pass_mark is None or total is None:
            return "", "muted"
        if e.outcome in (None, "unfinished"):  # a chat not played to its end never passes a step
            return "未完成,不计入本关", "bad_text"
        if self.passed:
            return "通过本关 " + "★" * self.stars + "☆" * (3 - self.stars), "good_text"
        if total >= self.pass_mark:
            return f"本位买家已达及格线 {self.pass_mark}", "good_text"
        return f"未达及格线 {self.pass_mark}", "bad_text"

    def draw(self, surface: pygame.Surface) -> None:
        t = self.t
        w, h = self.app.size
        e = self.entry
        col_w = w // 2 - 48
        title = t.title.render("角色扮演报告" if self.roleplay else "本轮报告", True, t.c("text"))
        surface.blit(title, (24, 20))
        if len(self.entries) > 1:
            surface.blit(t.text(tx.fit(t.small, shift_line(self.entries), col_w - title.get_width() - 16),
                                t.small_size, "muted"), (40 + title.get_width(), 32))
        draw_result(surface, t, pygame.Rect(24, 68, col_w, h - 68 - 74), e, self._pass_text(e))
        self.chat.draw(surface)

    def draw_overlay(self, surface: pygame.Surface) -> None:
        if self.celebrate > 0:
            draw_celebration(surface, self.t, self.app.size, self.confetti,
                             1 - self.celebrate / CELEBRATE_SECONDS, self.stars)


def draw_result(surface, t, rect: pygame.Rect, e: Entry, pass_line: tuple[str, str]) -> int:
    """The left column of a report: the result card, the radar, reply times, what to improve."""
    x, y, width = rect.x, rect.y, rect.width
    total = e.rep.get("total")
    # the result card: outcome, score and grade, and whether the step is passed
    card = pygame.Rect(x, y, width, 92)
    pygame.draw.rect(surface, t.c(OUTCOME_SOFT.get(e.outcome, "panel")), card, border_radius=t.radius)
    pygame.draw.rect(surface, t.c("border"), card, 1, border_radius=t.radius)
    outcome = OUTCOME_TEXT.get(e.outcome, "未完成")
    big = t.font(round(30 * t.scale), bold=True)
    o_img = big.render(outcome, True, t.c(OUTCOME_COLOUR.get(e.outcome, "muted")))
    surface.blit(o_img, (x + 16, y + 8))
    who = t.small.render(tx.fit(t.small, f"{e.name} · {e.title}", width // 2 - 24), True, t.c("muted"))
    surface.blit(who, (x + 16, y + 16 + o_img.get_height()))
    if total is not None:
        grade = f"{e.rep.get('grade', '')} {e.rep.get('grade_label', '')}".strip()
        score = t.font(round(44 * t.scale), bold=True).render(f"{total:.0f}", True, t.c("accent_text"))
        g_img = t.body.render(f"分 {grade}", True, t.c("text"))
        sx = card.right - 16 - g_img.get_width() - score.get_width() - 4
        surface.blit(score, (sx, y + 2))
        surface.blit(g_img, (sx + score.get_width() + 4, y + 2 + score.get_height() - g_img.get_height() - 8))
        text, colour = pass_line
        if text:
            p_img = t.small.render(text, True, t.c(colour))
            surface.blit(p_img, (card.right - 16 - p_img.get_width(), card.bottom - p_img.get_height() - 8))
    y = card.bottom + 8
    labels, values = dimension_values(e.rep)
    room = rect.bottom - y
    radar_h = max(150, min(300, room - 250))
    if len(labels) >= 3:
        charts.radar(surface, t, pygame.Rect(x, y, width, radar_h), labels, values)
        y += radar_h + 6
    surface.blit(t.small.render("每次回复买家等了几秒(绿: 6秒黄金时间内, 红: 超过时限)", True, t.c("muted")), (x, y))
    charts.reply_timeline(surface, t, pygame.Rect(x, y + 24, width - 62, 80), e.waits, e.limit, e.golden)
    y += 116
    imps = e.rep.get("improvements") or []
    if imps:
        surface.blit(t.font(t.font_size, bold=True).render("最值得改进的三点", True, t.c("text")), (x, y))
        y += 28
        for i, imp in enumerate(imps[:3], 1):
            said = imp.get("quote") or ""
            better = imp.get("rewrite") or ""
            title = imp.get("title") or ""
            line = f"{i}. {title}: 你说“{said}” → 更好的说法“{better}”" if said else f"{i}. {title}: {better}"
            img = tx.render(t.small, line, t.c("text"), width)
            if y + img.get_height() > rect.bottom:
                break
            surface.blit(img, (x, y))
            y += img.get_height() + 6
    return y


def draw_celebration(surface, t, size, confetti: np.ndarray, progress: float, stars: int) -> None:
    """Confetti falling for a few seconds and a ribbon with the step's stars."""
    w, h = size
    charts.confetti(surface, t, size, confetti, progress)
    ribbon = pygame.Rect(0, 0, min(w - 80, 460), 86)
    ribbon.center = (w // 2, h // 3)
    pygame.draw.rect(surface, t.c("accent"), ribbon, border_radius=16)
    msg = t.font(round(30 * t.scale), bold=True).render("恭喜通过本关!", True, t.c("panel"))
    surface.blit(msg, msg.get_rect(midtop=(ribbon.centerx, ribbon.y + 8)))
    star = t.font(round(26 * t.scale), bold=True).render("★" * stars + "☆" * (3 - stars), True, t.c("panel"))
    surface.blit(star, star.get_rect(midbottom=(ribbon.centerx, ribbon.bottom - 6)))
