"""The workbench: buyers on the left, the chat in the middle, the product and shop facts on the right."""
from __future__ import annotations

import threading

import pygame
import pygame_gui
from pygame_gui.elements import UIButton, UIPanel, UISelectionList

from game.content.emoticons import FACES, PALETTE
from game.engine.session import PlaySession

from ..app import Screen
from ..widgets import text as tx
from ..widgets.chatview import ChatView
from ..widgets.panels import BuyerList, SidePanel
from ..widgets.replybox import ReplyBox

TOP, LEFT, RIGHT, REPLY_H, TOOLS_H = 52, 250, 310, 118, 40


def _judge(app):
    """The scorer's hook for this round (None when the rubric failed to load: play goes on unscored)."""
    from game.scoring.cli import make_judge
    return make_judge(app.library)


def start_personas(app, personas, lesson=None, step_index=None, gap: float = 20.0, pass_mark=None) -> None:
    def start() -> None:
        seed = app.new_seed()
        session = PlaySession.start(personas, app.reader, app.clock, seed=seed, defaults=app.library.buyer_defaults,
                                    judge=_judge(app), gap=gap, mode=app.settings.mode)
        app.show(WorkbenchScreen(app, session, lesson=lesson, step_index=step_index, pass_mark=pass_mark))

    app.when_reader(start)


def start_lesson_step(app, lesson, index: int) -> None:
    step = lesson.steps[index]
    personas = [app.library.personas[p] for p in step.personas]
    start_personas(app, personas, lesson=lesson, step_index=index, gap=step.gap, pass_mark=step.pass_mark)


class WorkbenchScreen(Screen):
    def __init__(self, app, session: PlaySession, lesson=None, step_index=None, pass_mark=None, classroom=None):
        super().__init__(app)
        self.session = session
        self.classroom = classroom  # a ClassroomStudent: the round streams to the trainer, who stores it
        self.lesson = lesson
        self.step_index = step_index
        self.pass_mark = pass_mark
        self.recorder = None
        self._sending: tuple | None = None  # (chat, text, reading thread) of a reply being read
        self.store_error = ""
        if app.store is not None and classroom is None:
            from game.store.live import SessionRecorders
            self.recorder = SessionRecorders(app.store, session, profile=app.settings.profile,
                                             content_root=app.content, judge=session.desk.judge)
        self.chat = ChatView(self.t, pygame.Rect(0, 0, 10, 10))
        self.buyers = BuyerList(self.t, pygame.Rect(0, 0, 10, 10), golden=app.library.buyer_defaults.golden)
        self.card = SidePanel(self.t, pygame.Rect(0, 0, 10, 10))
        self.reply = ReplyBox(self.t, pygame.Rect(0, 0, 10, 10), on_send=self._send, on_change=session.set_draft)
        self.choice_buttons: list[tuple[UIButton, int]] = []
        self._choices_for = None
        self.quick_panel = None
        self.finished_for = 0.0
        self._shown_chat = None

    # ------------------------------------------------------------ layout
    def build(self) -> None:
        w, h = self.app.size
        self.buyers.rect = pygame.Rect(0, TOP, LEFT, h - TOP)
        self.card.rect = pygame.Rect(w - RIGHT, TOP, RIGHT, h - TOP)
        mid = pygame.Rect(LEFT, TOP, w - LEFT - RIGHT, h - TOP)
        self.mid = mid
        self.reply.rect = pygame.Rect(mid.x + 12, mid.bottom - REPLY_H - 10, mid.width - 24 - 96, REPLY_H)
        self.send_btn = UIButton(pygame.Rect(self.reply.rect.right + 8, self.reply.rect.y, 88, REPLY_H), "发送",
                                 self.m, object_id="#primary")
        tools_y = self.reply.rect.y - TOOLS_H - 4
        self.emo_buttons = []
        x = mid.x + 12
        for code in PALETTE:
            b = UIButton(pygame.Rect(x, tools_y + 2, 36, 34), "", self.m, tool_tip_text=code,
                         object_id="#emoticon")
            self.emo_buttons.append((b, code))
            x += 40
        self.quick_btn = UIButton(pygame.Rect(mid.right - 12 - 120, tools_y + 2, 120, 34), "快捷回复", self.m)
        exam_in_class = self.classroom is not None and self.session.mode == "exam"  # scored by the trainer
        self.end_btn = UIButton(pygame.Rect(w - 12 - 120, 8, 120, 36), "交卷" if exam_in_class else "结束并评分", self.m)
        self.chat_area = pygame.Rect(mid.x, mid.y, mid.width, tools_y - mid.y - 4)
        self.chat.resize(self.chat_area)
        self._choices_for = None
        self.quick_panel = None
        self._layout_choices()

    def _layout_choices(self) -> None:
        for b, _ in self.choice_buttons:
            b.kill()
        self.choice_buttons = []
        conv = self.session.conversation
        if not (self.app.settings.choices and conv is not None and conv.choices and not conv.buyer_typing):
            self.chat.resize(self.chat_area)
            return
        n = len(conv.choices)
        bh = 40
        area = self.chat_area
        # Shuffled so the best reply is not always in the same place.
        order = list(self.session.desk.rng.spawn(1)[0].permutation(n)) if n > 1 else [0]
        y = area.bottom - n * (bh + 6)
        for pos, idx in enumerate(order):
            label = tx.fit(self.t.font(16), f"{pos + 1}. {conv.choices[idx].text}", area.width - 40)
            b = UIButton(pygame.Rect(area.x + 12, y + pos * (bh + 6), area.width - 24, bh), label, self.m,
                         object_id="#choice")
            self.choice_buttons.append((b, int(idx)))
        self.chat.resize(pygame.Rect(area.x, area.y, area.width, y - area.y - 6))

    # ------------------------------------------------------------ actions
    def _send(self, text: str) -> None:
        """The reply is read on a worker thread, so the window keeps drawing; it is sent on the
        first frame after its reading is ready (the reader keeps it, and is not asked twice)."""
        self.session.set_draft(text)
        chat, text = self.session.active, text.strip()
        conv = self.session.conversation
        if chat is None or not text or conv is None or conv.finished or self._sending is not None:
            return
        job = threading.Thread(target=conv.reader.read, args=(text,), name="read-reply", daemon=True)
        self._sending = (chat, text, job)
        self.reply.set_text("")
        job.start()

    def finish_sending(self) -> None:
        """Wait for the reply being read and send it (leaving the screen; tests)."""
        self._send_ready(wait=True)

    def _send_ready(self, wait: bool = False) -> None:
        if self._sending is None:
            return
        if wait:
            self._sending[2].join()  # leaving: a reply already sent is never lost
        elif self._sending[2].is_alive():
            return
        chat, text, _job = self._sending
        self._sending = None
        if chat != self.session.active:
            self.session.switch(chat)
        self.session.send(text)

    def _switch(self, chat_id: str | None) -> None:
        if chat_id and chat_id != self.session.active:
            self.session.switch(chat_id)
            self.reply.set_text(self.session.views[chat_id].draft)
            self._choices_for = None

    def wants_to_close(self) -> bool:
        return self.session.in_progress or self.session.has_unsent_text

    def leave(self) -> None:
        self.finish_sending()
        if self.recorder is not None:
            self.recorder.close("quit")  # chats still open are stored as interrupted
        self.session.desk.close()

    def _finish(self) -> None:
        from .report import ReportScreen
        if self.classroom is not None and not self.classroom.round.finished:
            self.classroom.round.finish()  # hand in what there is: the trainer's board gets it at once
            self.classroom.update(tick=False)
        if self.classroom is not None and self.session.mode == "exam":
            from .classroom import JoinScreen  # an exam shows no figures until the trainer ends the round
            screen = JoinScreen(self.app)
            screen.status = "已交卷。成绩由培训师评定,本轮结束后显示。"
            self.app.show(screen)
            return
        self.app.show(ReportScreen(self.app, self.session, lesson=self.lesson, step_index=self.step_index,
                                   pass_mark=self.pass_mark, classroom=self.classroom))

    def _toggle_quick(self) -> None:
        if self.quick_panel is not None:
            self.quick_panel.kill()
            self.quick_panel = None
            return
        phrases = self.app.settings.quick_phrases
        r = pygame.Rect(self.mid.x + 12, self.chat_area.bottom - 300, self.mid.width - 24, 296)
        self.quick_panel = UIPanel(r, manager=self.m, starting_height=5)
        self.quick_list = UISelectionList(pygame.Rect(4, 4, r.width - 12, r.height - 52),
                                          [(tx.fit(self.t.font(16), p, r.width - 40), str(i))
                                           for i, p in enumerate(phrases)], self.m, container=self.quick_panel)
        self.quick_add = UIButton(pygame.Rect(4, r.height - 44, 220, 36), "把输入框内容存为快捷回复", self.m,
                                  container=self.quick_panel)
        self.quick_del = UIButton(pygame.Rect(232, r.height - 44, 120, 36), "删除选中", self.m,
                                  container=self.quick_panel)

    def process_event(self, ev) -> bool:
        s = self.session
        if ev.type == pygame_gui.UI_BUTTON_PRESSED:
            if ev.ui_element is self.send_btn:
                self._send(self.reply.text)
            elif ev.ui_element is self.end_btn:
                self._finish()
            elif ev.ui_element is self.quick_btn:
                self._toggle_quick()
            elif self.quick_panel is not None and ev.ui_element is self.quick_add:
                text = self.reply.text.strip()
                if text and text not in self.app.settings.quick_phrases:
                    self.app.settings.quick_phrases.append(text)
                    self.app.settings.save()
                self._toggle_quick()
            elif self.quick_panel is not None and ev.ui_element is self.quick_del:
                sel = self.quick_list.get_single_selection(include_object_id=True)
                if sel:
                    del self.app.settings.quick_phrases[int(sel[1])]
                    self.app.settings.save()
                self._toggle_quick()
            else:
                for b, code in self.emo_buttons:
                    if ev.ui_element is b:
                        self.reply.insert(code)
                for b, idx in self.choice_buttons:
                    if ev.ui_element is b:
                        s.choose(idx)
                        self.reply.set_text(s.views[s.active].draft)
            self.reply.focused = True
            return True
        if ev.type == pygame_gui.UI_SELECTION_LIST_NEW_SELECTION and self.quick_panel is not None \
                and ev.ui_element is self.quick_list:
            sel = self.quick_list.get_single_selection(include_object_id=True)
            if sel:
                self.reply.insert(self.app.settings.quick_phrases[int(sel[1])])
            self._toggle_quick()
            self.reply.focused = True
            return True
        if ev.type == pygame.KEYDOWN:
            ctrl = ev.mod & (pygame.KMOD_CTRL | pygame.KMOD_META)
            if ev.key == pygame.K_TAB:
                if not self.reply.composition:
                    if ev.mod & pygame.KMOD_SHIFT:
                        s.next_chat(-1)
                    else:
                        s.next_waiter()  # the longest waiter, marked 下一位 in the queue
                    self.reply.set_text(s.views[s.active].draft)
                    self._choices_for = None
                return True
            if ctrl and pygame.K_1 <= ev.key <= pygame.K_9:
                i = ev.key - pygame.K_1
                if i < len(s.order):
                    self._switch(s.order[i])
                return True
            if not ctrl and self.app.settings.choices and self.choice_buttons and not self.reply.text \
                    and pygame.K_1 <= ev.key <= pygame.K_4:
                pos = ev.key - pygame.K_1
                if pos < len(self.choice_buttons):
                    s.choose(self.choice_buttons[pos][1])
                return True
        if self.card.handle(ev):
            return True
        if ev.type == pygame.MOUSEBUTTONDOWN and ev.button == 1:
            cid = self.buyers.hit(ev.pos)
            if cid:
                self._switch(cid)
                return True
        if self.chat.handle(ev):
            return True
        if ev.type == pygame.TEXTINPUT and self.app.settings.choices and self.choice_buttons and not self.reply.text \
                and ev.text in "1234":
            return True  # the digit picked a choice above
        return self.reply.handle(ev)

    # ------------------------------------------------------------ frame
    def update(self, dt: float) -> None:
        self._send_ready()
        events = self.session.tick()
        for ev in events:
            if ev.kind == "buyer_line":
                self.app.ding()
        if self.classroom is not None:
            self.classroom.update(tick=False)  # stream what is new to the trainer
            if self.classroom.round is not None and self.classroom.round.finished and not self.session.finished:
                self._finish()  # the trainer ended the round
                return
        if self.recorder is not None:
            err = self.recorder.sync()  # every line is stored as it happens
            if err:
                self.store_error = err
        conv = self.session.conversation
        self.reply.enabled = conv is not None and not conv.finished
        self.reply.update(dt)
        self.chat.update(dt)
        key = (self.session.active, conv.state if conv else None, conv.vars["turns"] if conv else 0,
               conv.buyer_typing if conv else False, self.app.settings.choices)
        if key != self._choices_for:
            self._choices_for = key
            self._layout_choices()
        if self.session.finished:
            self.finished_for += dt
            if self.finished_for > 2.5:
                self._finish()

    def draw(self, surface: pygame.Surface) -> None:
        t = self.t
        s = self.session
        conv = s.conversation
        w, _ = self.app.size
        pygame.draw.rect(surface, t.c("panel"), (0, 0, w, TOP))
        pygame.draw.line(surface, t.c("border"), (0, TOP - 1), (w, TOP - 1))
        shop = conv.persona.shop.name if conv else ""
        mode = "练习模式 · 即时点评" if s.mode == "practice" else "考试模式 · 结束后评分"
        where = f"{self.lesson.title} 第{self.step_index + 1}关 · " if self.lesson else ""
        surface.blit(t.text(f"{shop} 客服工作台", bold=True), (16, 12))
        info = t.text(f"{where}{mode}   已用时 {_mmss(self.app.clock.now() - s.desk.chats[s.order[0]].started)}",
                      t.small_size, "muted")
        surface.blit(info, (LEFT + 16, 17))
        self.buyers.draw(surface, s, self.app.clock.now())
        if conv is not None:
            self.chat.show(conv, conv.persona.buyer.name, s.mode == "practice")
        self.chat.draw(surface)
        self.card.draw(surface, conv, s.mode == "practice")
        self.reply.draw(surface)
        if self.store_error:
            surface.blit(t.text("记录保存失败,本轮不会被记录: " + self.store_error[:40], t.small_size, "bad"),
                         (LEFT + 16, TOP + 6))
        if s.finished:
            msg = t.body.render("所有对话已结束,正在生成报告…", True, t.c("accent"))
            surface.blit(msg, msg.get_rect(center=(self.chat_area.centerx, self.chat_area.y + 30)))


    def view_key(self):
        s = self.session
        # countdowns and rings move in quarter seconds; the rest changes with what happens in the chats
        chats = tuple((len(c.transcript), c.buyer_typing, c.finished, c.outcome, round(c.mood)) for c in s.chats)
        return (int(self.app.clock.now() * 4), s.active, chats, self.chat.view_state(), self.reply.view_state(),
                self.card.tab, self.card.scroll, self.store_error, self._sending is not None,
                self.quick_panel is not None, len(self.choice_buttons), s.finished, self.app.settings.choices)

    def draw_overlay(self, surface: pygame.Surface) -> None:
        if self.quick_panel is not None:
            return  # the quick-reply list covers the palette
        for b, code in self.emo_buttons:
            img = tx.face(FACES[code], 24)
            surface.blit(img, img.get_rect(center=b.rect.center))


def _mmss(t: float) -> str:
    t = max(0.0, t)
    return f"{int(t // 60):02d}:{int(t % 60):02d}"
