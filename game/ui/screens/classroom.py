"""Classroom in the window: the trainer's room (code, students, rounds, live leaderboard, podium,
transcripts) and the student's side (join, play rounds in the workbench, role-play chats)."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pygame
import pygame_gui
from pygame_gui.elements import UIButton, UISelectionList, UITextEntryLine

from ..app import Screen
from ..widgets import charts
from ..widgets import text as tx

from ..widgets.chatview import ChatView
from ..widgets.replybox import ReplyBox

OUTCOME = {"success": "成交", "lost": "离开", "bad_review": "差评", "escalated": "投诉", "unfinished": "未完",
           None: "进行中"}


# ---------------------------------------------------------------- trainer

class HostScreen(Screen):
    """The trainer's room. The host object lives on the app, so resizing never closes the room."""

    def build(self) -> None:
        app = self.app
        if getattr(app, "classroom_host", None) is None:
            from game.classroom.host import ClassroomHost
            for port in (8765, 0):  # the usual port, else any free one
                try:
                    app.classroom_host = ClassroomHost(app.library, store=app.store, port=port,
                                                       host=getattr(app, "classroom_bind", "0.0.0.0"))
                    break
                except OSError:
                    continue
        self.host = app.classroom_host
        self.mode = getattr(self, "mode", "practice")
        self.roleplay = getattr(self, "roleplay", False)
        self.selected_student = getattr(self, "selected_student", None)
        self.notice = getattr(self, "notice", "")
        w, h = app.size
        items = [(f"课程 · {l.title} 第{i + 1}关", f"L:{l.id}:{i}")
                 for l in sorted(app.library.lessons.values(), key=lambda l: l.order) for i, _ in enumerate(l.steps)]
        items += [(f"买家 · {p.title}", f"P:{p.id}") for p in sorted(app.library.personas.values(),
                                                                 key=lambda p: (p.difficulty, p.id))]
        self.pick = UISelectionList(pygame.Rect(24, 170, 360, h - 420), items, self.m)
        y = h - 240
        self.mode_btn = UIButton(pygame.Rect(24, y, 176, 40), self._mode_label(), self.m)
        self.rp_btn = UIButton(pygame.Rect(208, y, 176, 40), self._rp_label(), self.m)
        self.start_btn = UIButton(pygame.Rect(24, y + 50, 176, 44), "开始本轮", self.m, object_id="#primary")
        self.end_btn = UIButton(pygame.Rect(208, y + 50, 176, 44), "结束本轮", self.m)
        self.export_btn = UIButton(pygame.Rect(24, y + 104, 176, 40), "导出报告", self.m)
        self.close_btn = UIButton(pygame.Rect(208, y + 104, 176, 40), "关闭课堂", self.m)
        tw = self.side_width()
        self.chat = getattr(self, "chat", None) or ChatView(self.t, pygame.Rect(0, 0, 10, 10))
        self.chat.resize(pygame.Rect(w - tw - 24, 170, tw, h - 250))
        # the trainer removes the selected student (and may keep the name out)
        half = (tw - 8) // 2
        self.kick_btn = UIButton(pygame.Rect(w - tw - 24, h - 72, half, 40), "移出所选学员", self.m)
        self.ban_btn = UIButton(pygame.Rect(w - 24 - half, h - 72, half, 40), "移出并禁止加入", self.m)
        self.rows: list[tuple[pygame.Rect, str]] = []
        self.podium_rect = pygame.Rect(0, 0, 0, 0)
        self._transcript_for = None

    def side_width(self) -> int:
        """The transcript column: narrower on a small window, so the leaderboard keeps its columns."""
        return max(280, min(376, (self.app.size[0] - 424) // 2))

    def _mode_label(self) -> str:
        return "模式: 练习" if self.mode == "practice" else "模式: 考试"

    def _rp_label(self) -> str:
        return "角色扮演: 开" if self.roleplay else "角色扮演: 关"

    def _start(self) -> None:
        sel = self.pick.get_single_selection(include_object_id=True)
        if not sel:
            self.notice = "先在左边选一个课程关卡或买家"
            return
        kind, *rest = sel[1].split(":")
        try:
            if kind == "L":
                self.host.start_round(lesson=rest[0], step=int(rest[1]), mode=self.mode, roleplay=self.roleplay)
            else:
                self.host.start_round([rest[0]], mode=self.mode, roleplay=self.roleplay)
            self.notice = "本轮已开始"
        except ValueError as exc:
            self.notice = str(exc)

    def process_event(self, ev) -> bool:
        if self.chat.handle(ev):
            return True
        if ev.type == pygame_gui.UI_BUTTON_PRESSED:
            if ev.ui_element is self.start_btn:
                self._start()
            elif ev.ui_element is self.end_btn:
                self.host.end_round()
                self.notice = "正在收取最后的成绩…"
            elif ev.ui_element is self.mode_btn:
                self.mode = "exam" if self.mode == "practice" else "practice"
                self.mode_btn.set_text(self._mode_label())
            elif ev.ui_element is self.rp_btn:
                self.roleplay = not self.roleplay
                self.rp_btn.set_text(self._rp_label())
            elif ev.ui_element is self.export_btn:
                try:
                    path = self.host.export()
                    self.notice = f"已导出: {path}"
                except (OSError, ValueError) as exc:
                    self.notice = f"导出失败: {exc}"
            elif ev.ui_element is self.close_btn:
                self._close()
            elif ev.ui_element in (self.kick_btn, self.ban_btn):
                name = self.selected_student
                if not name:
                    self.notice = "先在排行榜上点一位学员"
                else:
                    ban = ev.ui_element is self.ban_btn
                    done = self.host.kick(name, ban=ban)
                    self.notice = (f"已移出 {name}" + (",并禁止再加入" if ban else "")) if done else f"没有学员 {name}"
                    self.selected_student = None
            return True
        if (ev.type == pygame.MOUSEBUTTONDOWN and ev.button == 1 and self.podium_rect.collidepoint(ev.pos)) or \
                (ev.type == pygame.KEYDOWN and ev.key == pygame.K_p and self.podium_rect.width):
            self.app.show(PodiumScreen(self.app, self))
            return True
        if ev.type == pygame.MOUSEBUTTONDOWN and ev.button == 1:
            for r, name in self.rows:
                if r.collidepoint(ev.pos):
                    self.selected_student = name
                    self._transcript_for = None
                    return True
        if ev.type == pygame.KEYDOWN and ev.key == pygame.K_ESCAPE:
            self._close()
            return True
        return False

    def _close(self) -> None:
        from .start import StartScreen
        self.app.classroom_host.close()
        self.app.classroom_host = None
        self.app.show(StartScreen(self.app))

    def wants_to_close(self) -> bool:
        return self.host.current_round is not None

    def update(self, dt: float) -> None:
        for ev in self.host.events():
            if ev.kind == "round_ended":
                self.notice = "本轮结束"
            elif ev.kind == "joined":
                self.notice = f"{ev.data.get('name', '')} 加入了课堂" if isinstance(ev.data, dict) else self.notice
            elif ev.kind == "attempts" and isinstance(ev.data, dict):
                self.notice = (f"注意: 已有 {ev.data.get('count', 0)} 次错误的加入码尝试,"
                               f"{ev.data.get('seconds', 0):.0f} 秒内不接受新学员")
        if self.selected_student and self._transcript_for != self._transcript_key():
            self._transcript_for = self._transcript_key()
            self._show_transcript(self.selected_student)

    def _transcript_key(self):
        chats = self.host.transcript(self.selected_student) if self.selected_student else []
        return (self.selected_student, sum(len(c["messages"]) for c in chats), tuple(c["outcome"] for c in chats))

    def _show_transcript(self, name: str) -> None:
        """The student's chats of this round in the chat view, one after another under a title line."""
        msgs = []
        for c in self.host.transcript(name):
            total = f" · {c['total']:.0f}分" if c.get("total") is not None else ""
            msgs.append(SimpleNamespace(time=0.0, who="note", text=f"{c['title']} · "
                                        f"{OUTCOME.get(c['outcome'], c['outcome'])}{total}", kind="note", feedback=None))
            msgs += [SimpleNamespace(time=float(m["time"]), who=m["who"], text=m["text"], kind="line", feedback=None)
                     for m in c["messages"]]
        self.chat.forget()  # a new view each time: several chats grow at once
        self.chat.show(SimpleNamespace(id=f"{name}:{len(msgs)}", transcript=msgs, started=0.0, buyer_typing=False,
                                       finished=True), "买家", False)
        self.chat.agent_name = name

    def draw(self, surface: pygame.Surface) -> None:
        t = self.t
        w, h = self.app.size
        surface.blit(t.title.render("课堂 · 培训师", True, t.c("text")), (24, 20))
        code = t.font(round(40 * t.scale), bold=True).render(self.host.code, True, t.c("accent"))
        surface.blit(t.text("加入码", t.small_size, "muted"), (24, 72))
        surface.blit(code, (24, 92))
        surface.blit(t.text(f"学员在自己的电脑上: 加入课堂 → 地址 {self.host.address()}", t.small_size, "text"),
                     (24 + code.get_width() + 24, 100))
        surface.blit(t.text(f"或终端: python main.py join {self.host.address()} --name 姓名 --code {self.host.code}",
                            t.small_size, "muted"), (24 + code.get_width() + 24, 124))
        rnd = self.host.current_round
        status = f"本轮: {rnd.get('title', '')}" if rnd else "尚未开始本轮(选择关卡或买家,再点开始)"
        surface.blit(t.text(status, t.small_size, "text"), (400, 150))
        # Live leaderboard.
        x0, y = 400, 178
        width = w - x0 - 24 - self.side_width() - 16
        heads = [(label, int(width * f)) for label, f in
                 (("名次", 0.0), ("学员", 0.13), ("得分", 0.5), ("结果", 0.65), ("平均回复", 0.81))]
        for label, dx in heads:
            surface.blit(t.text(label, t.small_size, "muted"), (x0 + dx, y))
        y += 26
        self.rows = []
        board = self.host.leaderboard() if rnd else []
        shown = {r["name"] for r in board}
        board += [{"rank": None, "name": s["name"], "score": None, "outcome": None, "avg_reply": None,
                   "connected": s.get("connected", True)} for s in self.host.students() if s["name"] not in shown]
        for row in board[: max(0, (h - y - 180) // 30)]:
            r = pygame.Rect(x0 - 6, y - 3, width, 28)
            if row["name"] == self.selected_student:
                pygame.draw.rect(surface, t.c("selected"), r, border_radius=4)
            self.rows.append((r, row["name"]))
            colour = "text" if row.get("connected", True) else "muted"
            vals = [str(row["rank"] or "-"), tx.fit(t.small, row["name"], int(width * 0.35)),
                    "-" if row["score"] is None else f"{row['score']:.0f}",
                    OUTCOME.get(row.get("outcome"), str(row.get("outcome"))),
                    "-" if row.get("avg_reply") is None else f"{row['avg_reply']:.1f}秒"]
            for (label, dx), v in zip(heads, vals):
                surface.blit(t.text(v, t.small_size, colour), (x0 + dx, y))
            y += 30
        if not board:
            surface.blit(t.text("等待学员加入…", t.small_size, "muted"), (x0, y))
        # The podium of the last finished round.
        pod = self.host.podium() if rnd is None or rnd.get("ended") else []
        self.podium_rect = pygame.Rect(0, 0, 0, 0)
        if pod:
            step = min(120, width // 3)
            self.podium_rect = pygame.Rect(x0, h - 178, width, 140)
            draw_podium(surface, t, pygame.Rect(x0 + width // 2 - step * 3 // 2, h - 178, step * 3, 120), pod)
            hint = t.text("点击领奖台(或按 P)全屏展示", t.small_size, "muted")
            surface.blit(hint, hint.get_rect(midtop=(x0 + width // 2, h - 56)))
        self.chat.draw(surface)
        if self.selected_student is None:
            hint = t.text("点击排行榜上的学员查看对话", t.small_size, "muted")
            surface.blit(hint, hint.get_rect(center=self.chat.rect.center))
        if self.notice:
            surface.blit(t.text(self.notice[:60], t.small_size, "accent"), (24, h - 28))


def draw_podium(surface, t, rect: pygame.Rect, pod: list[dict], big: bool = False) -> None:
    """Three steps in `rect` (first in the middle and highest), a medal and the name and score above each."""
    step = rect.width // 3
    heights = {1: 1.0, 2: 0.72, 3: 0.52}
    col = {1: 1, 2: 0, 3: 2}
    name_font = t.font(round((34 if big else 15) * t.scale), bold=True)
    score_font = t.font(round((24 if big else 13) * t.scale))
    radius = max(12, min(step // 5, 56)) if big else 10
    # the projector's medals hang above the names; the room's small podium has them on the steps
    top_room = (radius * 3 if big else 0) + name_font.get_height() + score_font.get_height() + 8
    usable = rect.height - top_room
    for p in pod:
        place = p["place"]
        hh = max(12, int(usable * heights.get(place, 0.5)))
        box = pygame.Rect(rect.x + col.get(place, 2) * step + 4, rect.bottom - hh, step - 8, hh)
        pygame.draw.rect(surface, t.c("accent") if place == 1 else t.c("accent_soft"), box, border_radius=6)
        pygame.draw.rect(surface, t.c("accent"), box, 2, border_radius=6)
        sc = score_font.render(f"{p['score']:.0f}分", True, t.c("muted"))
        surface.blit(sc, sc.get_rect(midbottom=(box.centerx, box.y - 4)))
        name = name_font.render(tx.fit(name_font, p["name"], step - 12), True, t.c("text"))
        surface.blit(name, name.get_rect(midbottom=(box.centerx, box.y - 6 - sc.get_height())))
        at = (box.centerx, box.y - 10 - sc.get_height() - name.get_height() - radius) if big else \
            (box.centerx, box.y + min(radius + 6, hh // 2))
        charts.medal(surface, t, at, radius, place)


class PodiumScreen(Screen):
    """The last round's podium across the whole window, for the projector; Esc goes back to the room."""

    def __init__(self, app, room):
        super().__init__(app)
        self.room = room
        self.pod = room.host.podium()
        self.left = 3.0
        self.pieces = np.random.default_rng(3).random((90, 4))  # the same confetti every time

    def build(self) -> None:
        w, h = self.app.size
        self.back = UIButton(pygame.Rect(24, h - 58, 140, 42), "返回课堂", self.m)

    def process_event(self, ev) -> bool:
        if (ev.type == pygame_gui.UI_BUTTON_PRESSED and ev.ui_element is self.back) or \
                (ev.type == pygame.KEYDOWN and ev.key in (pygame.K_ESCAPE, pygame.K_p)):
            self.app.show(self.room)
            return True
        return False

    def update(self, dt: float) -> None:
        self.left = max(0.0, self.left - dt)

    def view_key(self):
        return None if self.left > 0 else self.app.size  # still after the confetti

    def draw(self, surface: pygame.Surface) -> None:
        t = self.t
        w, h = self.app.size
        rnd = self.room.host.current_round or {}
        title = t.font(round(40 * t.scale), bold=True).render("本轮领奖台", True, t.c("text"))
        surface.blit(title, title.get_rect(midtop=(w // 2, 24)))
        if rnd.get("title"):
            sub = t.text(tx.fit(t.body, rnd["title"], w - 48), colour="muted")
            surface.blit(sub, sub.get_rect(midtop=(w // 2, 30 + title.get_height())))
        if not self.pod:
            msg = t.text("本轮还没有成绩", colour="muted")
            surface.blit(msg, msg.get_rect(center=(w // 2, h // 2)))
            return
        width = min(w - 96, 1100)
        draw_podium(surface, t, pygame.Rect((w - width) // 2, 110, width, h - 110 - 80), self.pod, big=True)

    def draw_overlay(self, surface: pygame.Surface) -> None:
        if self.left > 0:
            charts.confetti(surface, self.t, self.app.size, self.pieces, 1 - self.left / 3.0)


# ---------------------------------------------------------------- student

class JoinScreen(Screen):
    """Address, name and code; then wait for the trainer's round."""

    def build(self) -> None:
        w, _ = self.app.size
        cx = w // 2
        self.addr = UITextEntryLine(pygame.Rect(cx - 180, 180, 360, 44), self.m, placeholder_text="地址, 如 192.168.1.5:8765")
        self.addr.set_text(getattr(self.app, "last_classroom_address", ""))
        self.name = UITextEntryLine(pygame.Rect(cx - 180, 256, 360, 44), self.m, placeholder_text="你的名字")
        self.name.set_text(self.app.settings.profile[:16])
        self.code = UITextEntryLine(pygame.Rect(cx - 180, 332, 360, 44), self.m, placeholder_text="6位加入码")
        self.join_btn = UIButton(pygame.Rect(cx - 180, 400, 176, 44), "加入", self.m, object_id="#primary")
        self.back_btn = UIButton(pygame.Rect(cx + 4, 400, 176, 44), "返回", self.m)
        self.status = getattr(self, "status", "")
        student = getattr(self.app, "classroom_student", None)
        if student is not None:  # back in the room after a round: the seat in use, not the defaults
            self.name.set_text(student.client.name)
            self.code.set_text(student.client.code)

    def process_event(self, ev) -> bool:
        if ev.type == pygame_gui.UI_BUTTON_PRESSED:
            if ev.ui_element is self.join_btn:
                self._join()
            elif ev.ui_element is self.back_btn:
                self._leave_class()
            return True
        if ev.type == pygame.KEYDOWN and ev.key == pygame.K_ESCAPE:
            self._leave_class()
            return True
        return False

    def _leave_class(self) -> None:
        from .start import StartScreen
        student = getattr(self.app, "classroom_student", None)
        if student is not None:
            student.client.close()
            self.app.classroom_student = None
        self.app.show(StartScreen(self.app))

    def _join(self) -> None:
        from game.classroom.client import ClassroomClient
        from game.classroom.student import ClassroomStudent
        from game.scoring.cli import make_judge
        addr, name, code = self.addr.get_text().strip(), self.name.get_text().strip(), self.code.get_text().strip()
        if not (addr and name and code):
            self.status = "请填写地址、名字和加入码"
            return
        self.app.last_classroom_address = addr
        lib = self.app.library
        from game.classroom.cli import SEATS_FILE
        from game.store.paths import data_dir
        # connects on its own thread; never blocks the window. The seat key survives a restart.
        client = ClassroomClient(addr, name, code, key_file=data_dir(self.app.data_dir) / SEATS_FILE)
        self.app.classroom_student = ClassroomStudent(client, lib, judge_factory=lambda: make_judge(lib))
        self.status = "正在连接…"

    def update(self, dt: float) -> None:
        student = getattr(self.app, "classroom_student", None)
        if student is None:
            return
        for m in student.update(tick=False):
            if m.get("type") == "status":
                self.status = m.get("text") or m.get("state", "")
            elif m.get("type") == "refused":
                self.status = m.get("text") or "加入被拒绝"
            elif m.get("type") == "welcome":
                self.status = "已加入课堂,等待培训师开始本轮…"
            elif m.get("type") == "round_end":
                self.status = "本轮已结束,等待培训师开始下一轮…"
        rnd = student.round
        if rnd is not None and not rnd.finished and rnd.round not in student.ended:
            if rnd.kind == "roleplay":
                self.app.show(RolePlayScreen(self.app, student))
            else:
                from .workbench import WorkbenchScreen
                self.app.show(WorkbenchScreen(self.app, rnd.session, classroom=student))

    def draw(self, surface: pygame.Surface) -> None:
        t = self.t
        w, _ = self.app.size
        cx = w // 2
        surface.blit(t.title.render("加入课堂", True, t.c("text")), (cx - 180, 90))
        for label, y in (("培训师的地址", 160), ("名字", 236), ("加入码", 312)):
            surface.blit(t.text(label, t.small_size, "muted"), (cx - 180, y))
        student = getattr(self.app, "classroom_student", None)
        if student is not None and student.podium:
            surface.blit(t.text("上一轮前三名: " + "  ".join(f"{p['place']}. {p['name']} {p['score']:.0f}"
                                                        for p in student.podium), bold=True), (cx - 180, 520))
        if student is not None and student.results:
            y = min(556, self.app.size[1] - 34 - 30 * len(student.results[:4]))
            surface.blit(t.text("我的成绩(培训师端评分):", t.small_size, "muted"), (cx - 180, y))
            for r in student.results[:4]:
                y += 30
                total = f" · {r['total']:.0f}分 ({r['grade']})" if r.get("total") is not None else ""
                surface.blit(t.text(f"{r['title']} {OUTCOME.get(r['outcome'], r['outcome'])}{total}", t.small_size),
                             (cx - 180, y))
        if self.status:
            surface.blit(t.text(self.status[:50], t.small_size, "accent"), (cx - 180, 470))


class RolePlayScreen(Screen):
    """A role-play chat in the workbench's chat view: bubbles, emoticon faces and (in practice, for the
    agent) the feedback card under each reply. The buyer sees the persona card and ends the chat;
    when the host has scored it, both see it in the report screen."""

    def __init__(self, app, student):
        super().__init__(app)
        from .report import RolePlayChat
        self.student = student
        self.seat = student.round
        self.reply = ReplyBox(self.t, pygame.Rect(0, 0, 10, 10), on_send=self._send)
        self.chat = ChatView(self.t, pygame.Rect(0, 0, 10, 10))
        self.lines = RolePlayChat(self.seat)

    def side_width(self) -> int:
        return max(280, min(380, self.app.size[0] // 3))

    def build(self) -> None:
        w, h = self.app.size
        side = self.side_width()
        left = w - side - 64  # the chat, then a gap, then the card
        self.chat.resize(pygame.Rect(24, 80, left, h - 240))
        mine = self.seat.role == "agent"
        self.chat.show(self.lines, "买家" if mine else "我", mine and self.seat.mode == "practice")
        self.chat.agent_name = "我" if mine else "客服"
        self.reply.rect = pygame.Rect(24, h - 146, left - 100, 110)
        self.send_btn = UIButton(pygame.Rect(self.reply.rect.right + 8, h - 146, 92, 110), "发送", self.m,
                                 object_id="#primary")
        self.end_btns = []
        if self.seat.role == "buyer":
            bw = (side - 16) // 3
            for i, (label, outcome) in enumerate((("成交/解决", "success"), ("离开", "lost"), ("差评", "bad_review"))):
                self.end_btns.append((UIButton(pygame.Rect(w - side - 24 + i * (bw + 8), h - 60, bw, 40), label,
                                               self.m), outcome))

    def _send(self, text: str) -> None:
        self.seat.say(text)
        self.reply.set_text("")

    def process_event(self, ev) -> bool:
        if self.chat.handle(ev):
            return True
        if ev.type == pygame_gui.UI_BUTTON_PRESSED:
            if ev.ui_element is self.send_btn:
                self._send(self.reply.text)
            for b, outcome in self.end_btns:
                if ev.ui_element is b:
                    self.seat.end(outcome)
            return True
        return self.reply.handle(ev)

    def update(self, dt: float) -> None:
        self.student.update()
        self.reply.update(dt)
        self.chat.update(dt)
        self.reply.enabled = not self.seat.finished
        if self.seat.result is not None and self.seat.mode != "exam":  # scored: the report, as after any chat
            from .report import ReportScreen, roleplay_entry
            self.app.show(ReportScreen(self.app, entries=[roleplay_entry(self.app, self.seat)], roleplay=True,
                                       classroom=self.student))
        elif self.student.round is not self.seat or self.seat.round in self.student.ended:
            if self.seat.finished:
                self.app.show(JoinScreen(self.app))

    def draw(self, surface: pygame.Surface) -> None:
        t = self.t
        w, h = self.app.size
        role = "你扮演买家" if self.seat.role == "buyer" else "你扮演客服"
        surface.blit(t.title.render(f"角色扮演 · {role}", True, t.c("text")), (24, 20))
        surface.blit(t.text(f"对方: {self.seat.partner or '模拟买家'}", t.small_size, "muted"), (24, 56))
        self.chat.draw(surface)
        if not self.seat.lines:
            hint = t.text("等待对方发言…", t.small_size, "muted")
            surface.blit(hint, hint.get_rect(center=self.chat.rect.center))
        side = self.side_width()
        x = w - side - 24
        card = self.seat.card if self.seat.role == "buyer" else None
        lines = []
        if card:
            lines = [f"你是: {card['buyer']} ({card['title']})", card["want"], "可以这样开口: " + " / ".join(card["openings"][:3])]
            lines += ["之后可能说: " + " / ".join(card["lines"][:4])]
        elif self.seat.product:
            p = self.seat.product
            lines = [f"{p['shop']} · {p['product']}", f"标价 ¥{p['list_price']:g}  最低可让 ¥{p['floor_price']:g}",
                     f"买家: {p['buyer']}"]
        panel = pygame.Rect(x, 80, side, h - 80 - (76 if self.end_btns else 36))
        pygame.draw.rect(surface, t.c("panel"), panel, border_radius=t.radius)
        y = panel.y + 12
        for line in lines:
            img = tx.render(t.small, line, t.c("text"), side - 24)
            if y + img.get_height() > panel.bottom - 8:
                break
            surface.blit(img, (x + 12, y))
            y += img.get_height() + 10
        self.reply.draw(surface)
