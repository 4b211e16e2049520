"""A play session: one or several buyers on one clock, with what the workbench shows about them.

Headless, so a test can do everything the window does: switch buyers, keep a draft per buyer,
count unread lines, send, choose, and see when every chat has ended.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from game.content.model import Persona

from .desk import Desk
from .events import Event


@dataclass
class ChatView:
    """What the workbench keeps per buyer beside the engine's conversation."""
    chat_id: str
    persona: Persona
    draft: str = ""
    unread: int = 0
    typing_started: float | None = None  # first keystroke of the current draft


@dataclass(frozen=True)
class QueueRow:
    """One buyer in the workbench's queue, as the trainee sees it (千牛's 接待中 list)."""
    chat_id: str
    name: str
    preview: str                  # the last line of the chat, or 正在输入…
    preview_kind: str             # "buyer", "nudge", "agent", "typing" or "" (nothing said yet)
    waited: float | None          # seconds the buyer has waited for an answer
    level: str                    # "ok" within the golden time, "warn" up to the limit, "late" beyond
    due: float | None             # seconds to the next nudge, or to leaving when `leaves`
    span: float                   # the whole of that wait (for the countdown ring)
    leaves: bool
    outcome: str | None
    unread: int
    active: bool
    next_up: bool                 # the longest waiter but the one in front of the trainee: Tab goes there


@dataclass
class PlaySession:
    desk: Desk
    mode: str = "practice"        # practice: feedback at once; exam: nothing until the end
    seed: int = 0
    views: dict[str, ChatView] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)
    active: str | None = None
    listeners: list = field(default_factory=list)  # callables(event) e.g. the store's recorder

    @classmethod
    def start(cls, personas: list[Persona], reader, clock, *, seed: int, defaults=None, judge=None,
              gap: float = 20.0, mode: str = "practice") -> "PlaySession":
        """The first buyer opens at once; the others arrive `gap` seconds apart (a shift)."""
        desk = Desk(reader, clock, np.random.default_rng(seed), defaults=defaults, judge=judge)
        s = cls(desk=desk, mode=mode, seed=seed)
        now = clock.now()
        for i, p in enumerate(personas):
            cid = f"{i + 1}:{p.id}"
            if i == 0:
                desk.open(p, chat_id=cid)
                s._add(cid, p)
            else:
                desk.arrive(p, now + gap * i, chat_id=cid)
        return s

    def _add(self, cid: str, persona: Persona) -> None:
        self.views[cid] = ChatView(cid, persona)
        self.order.append(cid)
        if self.active is None:
            self.active = cid

    # ------------------------------------------------------------ driving
    def tick(self) -> list[Event]:
        events = self.desk.tick()
        for ev in events:
            if ev.kind == "chat_opened":
                conv = self.desk.chats[ev.chat]
                self._add(ev.chat, conv.persona)
            if ev.kind == "buyer_line" and ev.chat != self.active and ev.chat in self.views:
                self.views[ev.chat].unread += 1
        self._tell(events)
        return events

    def send(self, text: str | None = None) -> list[Event]:
        """Send the active buyer's draft (or `text`); the draft is cleared only when something was sent."""
        if self.active is None:
            return []
        view = self.views[self.active]
        text = (view.draft if text is None else text).strip()
        conv = self.desk.chats[self.active]
        if not text or conv.finished:
            return []
        events = conv.trainee_says(text, typing_started=view.typing_started)
        view.draft = ""
        view.typing_started = None
        self._tell(events)
        return events

    def choose(self, index: int) -> list[Event]:
        conv = self.conversation
        if conv is None or not conv.choices:
            return []
        return self.send(conv.choices[index].text)

    def set_draft(self, text: str) -> None:
        if self.active is None:
            return
        view = self.views[self.active]
        if text and not view.draft:
            view.typing_started = self.desk.clock.now()
        if not text:
            view.typing_started = None
        view.draft = text

    def switch(self, chat_id: str) -> None:
        if chat_id in self.views:
            self.active = chat_id
            self.views[chat_id].unread = 0

    def queue(self, golden: float = 6.0) -> list[QueueRow]:
        """The buyers in arrival order with what the queue shows about each."""
        now = self.desk.clock.now()
        waiting = {}
        for cid in self.order:
            conv = self.desk.chats[cid]
            if not conv.finished and conv.waiting_since is not None:
                waiting[cid] = now - conv.waiting_since
        others = {c: w for c, w in waiting.items() if c != self.active}
        longest = max(others, key=others.get) if others else None
        rows = []
        for cid in self.order:
            conv, view = self.desk.chats[cid], self.views[cid]
            last = conv.transcript[-1] if conv.transcript else None
            if conv.buyer_typing and not conv.finished:
                preview, kind = "正在输入…", "typing"
            elif last is None:
                preview, kind = "", ""
            else:
                kind = "agent" if last.who == "agent" else ("nudge" if last.kind == "nudge" else "buyer")
                preview = " ".join(last.text.split())
            waited = waiting.get(cid)
            pat = conv.patience(now)
            level = "ok"
            if waited is not None and waited > golden:
                level = "late" if waited > conv.reply_limit else "warn"
            rows.append(QueueRow(cid, view.persona.buyer.name, preview, kind, waited, level,
                                 pat[0] if pat else None, pat[1] if pat else 0.0, bool(pat and pat[2]),
                                 conv.outcome, view.unread, cid == self.active, cid == longest))
        return rows

    def next_waiter(self) -> None:
        """Tab: to the buyer who has waited longest (the one marked 下一位), else the next in line."""
        nxt = next((r.chat_id for r in self.queue() if r.next_up), None)
        if nxt is not None:
            self.switch(nxt)
        else:
            self.next_chat(1)

    def switch_index(self, i: int) -> None:
        if 0 <= i < len(self.order):
            self.switch(self.order[i])

    def next_chat(self, step: int = 1) -> None:
        if self.order and self.active is not None:
            i = (self.order.index(self.active) + step) % len(self.order)
            self.switch(self.order[i])

    def _tell(self, events: list[Event]) -> None:
        for listener in self.listeners:
            for ev in events:
                listener(ev)

    # ------------------------------------------------------------ reading
    @property
    def conversation(self):
        return self.desk.chats.get(self.active) if self.active else None

    @property
    def chats(self):
        return [self.desk.chats[c] for c in self.order]

    @property
    def finished(self) -> bool:
        return self.desk.done

    @property
    def has_unsent_text(self) -> bool:
        return any(v.draft.strip() for v in self.views.values())

    @property
    def in_progress(self) -> bool:
        return not self.finished and any(c.transcript for c in self.desk.chats.values())
