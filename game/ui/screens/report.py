"""Report after a round: outcome, dimension chart, reply times, every message with its notes, next steps."""
from __future__ import annotations

import html

import pygame
import pygame_gui
from pygame_gui.elements import UIButton, UITextBox

from ..app import Screen
from ..widgets import charts
from game.scoring.notes import feedback_notes

from ..widgets.chatview import NOTE_TEXT

from ..widgets.panels import OUTCOME_COLOUR, OUTCOME_TEXT

DIMENSIONS = [("politeness", "礼貌"), ("taboo", "禁忌"), ("timing", "时效"), ("flow", "流程"), ("closing", "成交")]


def chat_report(judge, conv) -> dict:
    """The scoring report as a dict, or a bare summary when the rubric did not load."""
    if judge is None:
        return {"outcome": conv.outcome, "total": None, "dimensions": {}, "improvements": []}
    from game.scoring.report import build_report
    return build_report(conv, judge.scorer).to_dict()


def dimension_values(rep: dict) -> tuple[list[str], list[float]]:
    dims = rep.get("dimensions") or {}
    labels, values = [], []
    for key, label in DIMENSIONS:
        v = dims.get(key)
        if isinstance(v, dict):
            v = v.get("score")
        if v is not None:
            labels.append(label)
            values.append(float(v))
    return labels, values


class ReportScreen(Screen):
    def __init__(self, app, session, lesson=None, step_index=None, pass_mark=None, classroom=None):
        super().__init__(app)
        self.classroom = classroom
        self.session = session
        self.lesson = lesson
        self.step_index = step_index
        self.pass_mark = pass_mark
        self.reports = {c.id: chat_report(session.desk.judge, c) for c in session.chats}
        self.index = 0

    @property
    def conv(self):
        return self.session.chats[self.index]

    def build(self) -> None:
        w, h = self.app.size
        # allow_split_dashes=False: Chinese has no spaces, and dashes would cut words in two.
        self.text = UITextBox(self._transcript_html(), pygame.Rect(w // 2 + 10, 80, w // 2 - 34, h - 150), self.m,
                              allow_split_dashes=False)
        y = h - 58
        self.retry_btn = UIButton(pygame.Rect(24, y, 140, 42), "再练一次", self.m)
        label = "回到课堂" if self.classroom else ("下一关" if self.lesson else "选择场景")
        self.next_btn = UIButton(pygame.Rect(174, y, 140, 42), label, self.m, object_id="#primary")
        self.home_btn = UIButton(pygame.Rect(324, y, 140, 42), "返回首页", self.m)
        self.tab_btns = []
        x = w // 2 + 10
        if len(self.session.chats) > 1:
            for i, c in enumerate(self.session.chats):
                b = UIButton(pygame.Rect(x, 36, 150, 36), f"{i + 1}. {c.persona.buyer.name}", self.m)
                self.tab_btns.append(b)
                x += 156

    def _transcript_html(self) -> str:
        c = self.conv
        parts = []
        for m in c.transcript:
            rel = m.time - c.started
            t = f"{int(rel // 60):02d}:{int(rel % 60):02d}"
            who = c.persona.buyer.name if m.who == "buyer" else "我"
            colour = self.t.hex("muted" if m.who == "buyer" else "text")
            wait = f" <font color='{self.t.hex('muted')}'>(等了{m.wait:.0f}秒)</font>" if m.who == "agent" else ""
            parts.append(f"<font color='{colour}'><b>{who}</b> {t}</font>{wait}<br>{html.escape(m.text)}")
            if m.who == "agent":
                for line, col in feedback_notes(m.feedback, limit=3):
                    hexcol = self.t.hex(NOTE_TEXT[col])
                    parts.append(f"<font color='{hexcol}'>{html.escape(line.strip())}</font>")
        return "<br>".join(parts) or "没有消息"

    def _again(self):
        from .workbench import start_lesson_step, start_personas
        if self.lesson is not None:
            start_lesson_step(self.app, self.lesson, self.step_index)
        else:
            start_personas(self.app, [c.persona for c in self.session.chats])

    def process_event(self, ev) -> bool:
        if ev.type == pygame_gui.UI_BUTTON_PRESSED:
            if ev.ui_element is self.retry_btn:
                self._again()
            elif ev.ui_element is self.next_btn and self.classroom is not None:
                from .classroom import JoinScreen
                self.app.show(JoinScreen(self.app))
            elif ev.ui_element is self.next_btn:
                from .picker import PickerScreen, next_lesson_step
                nxt = next_lesson_step(self.app) if self.lesson else None
                if nxt is not None:
                    from .workbench import start_lesson_step
                    start_lesson_step(self.app, *nxt)
                else:
                    self.app.show(PickerScreen(self.app))
            elif ev.ui_element is self.home_btn:
                from .start import StartScreen
                self.app.show(StartScreen(self.app))
            for i, b in enumerate(self.tab_btns):
                if ev.ui_element is b:
                    self.index = i
                    self.text.set_text(self._transcript_html())
            return True
        if ev.type == pygame.KEYDOWN:
            if ev.key == pygame.K_r:
                self._again()
                return True
            if ev.key in (pygame.K_RETURN, pygame.K_n):
                self.process_event(pygame.event.Event(pygame_gui.UI_BUTTON_PRESSED, {"ui_element": self.next_btn}))
                return True
            if ev.key == pygame.K_ESCAPE:
                from .start import StartScreen
                self.app.show(StartScreen(self.app))
                return True
            if ev.key == pygame.K_TAB and len(self.session.chats) > 1:
                self.index = (self.index + 1) % len(self.session.chats)
                self.text.set_text(self._transcript_html())
                return True
        return False

    def draw(self, surface: pygame.Surface) -> None:
        t = self.t
        w, h = self.app.size
        c = self.conv
        rep = self.reports[c.id]
        surface.blit(t.title.render("本轮报告", True, t.c("text")), (24, 20))
        y = 70
        outcome = OUTCOME_TEXT.get(c.outcome, "未完成")
        tag = t.body.render(f"{c.persona.title} · {outcome}", True, t.c(OUTCOME_COLOUR.get(c.outcome, "muted")))
        surface.blit(tag, (24, y))
        y += tag.get_height() + 6
        total = rep.get("total")
        if total is not None:
            grade = f"{rep.get('grade', '')} {rep.get('grade_label', '')}".strip()
            big = t.font(round(44 * t.scale), bold=True).render(f"{total:.0f}", True, t.c("accent"))
            surface.blit(big, (24, y))
            line = f"总分  {grade}"
            if self.pass_mark is not None:
                if c.outcome in (None, "unfinished"):  # a chat not played to its end never passes a step
                    line += "  · 未完成,不计入本关"
                else:
                    line += "  · 通过本关" if total >= self.pass_mark else f"  · 未达及格线 {self.pass_mark}"
            surface.blit(t.body.render(line, True, t.c("text")), (34 + big.get_width(), y + 18))
            y += big.get_height() + 4
        labels, values = dimension_values(rep)
        if len(labels) >= 3:
            charts.radar(surface, t, pygame.Rect(24, y, w // 2 - 48, 250), labels, values)
            y += 256
        waits = [(m.wait, m.first) for m in c.transcript if m.who == "agent"]
        surface.blit(t.small.render("每次回复买家等待的时间(绿: 6秒黄金时间内, 红: 超过时限)", True, t.c("muted")), (24, y))
        b = c.persona.buyer
        charts.reply_timeline(surface, t, pygame.Rect(24, y + 24, w // 2 - 110, 90), waits, b.reply,
                              self.app.library.buyer_defaults.golden)
        y += 130
        imps = rep.get("improvements") or []
        if imps:
            surface.blit(t.font(t.font_size, bold=True).render("最值得改进的三点", True, t.c("text")), (24, y))
            y += 30
            from ..widgets import text as tx
            for i, imp in enumerate(imps[:3], 1):
                said = imp.get("quote") or ""
                better = imp.get("rewrite") or ""
                title = imp.get("title") or ""
                line = f"{i}. {title}: 你说“{said}” → 更好的说法“{better}”" if said else f"{i}. {title}: {better}"
                img = tx.render(t.small, line, t.c("text"), w // 2 - 48)
                if y + img.get_height() > h - 70:
                    break
                surface.blit(img, (24, y))
                y += img.get_height() + 6
