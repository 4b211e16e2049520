"""The student's side of a round: the chats run here, on the student's machine, and stream to the host.

    student = ClassroomStudent(client, lib)          # ties a ClassroomClient to the local content
    ... each frame: for msg in student.update(): ...  # polls, starts/ends rounds, ticks the chats, streams results
    student.round                                     # a StudentRound (simulated buyers) or a RolePlaySeat
    student.round.say("亲,您好!")                      # or the UI drives student.round.session (a PlaySession)

`StudentRound` builds a PlaySession from the round-start message (persona ids, seed, mode, gap) and
the local content; the host's content digests are compared with the local files, and a mismatch or
a missing persona is reported to the host. After every engine call, `sync()` sends what is new:
each chat opening, each message (with the feedback summary and reply time), each ending with the
report summary. A restarted client gets its agent lines back from the host (`resume`) and rebuilds
the same chats (same seed, same times), then goes on live from where the host's record ends.
"""
from __future__ import annotations

import time

from game.engine.events import Event

from . import protocol as P
from .summary import cut, feedback_summary, line_text, report_summary

BUYER_COMMANDS = {"/成交": "success", "/离开": "lost", "/差评": "bad_review"}
OUTCOME_TEXT = {"success": "成交 / 问题解决", "lost": "买家离开", "bad_review": "买家差评", "escalated": "投诉升级",
                "unfinished": "未结束"}


class RoundClock:
    """Seconds since this round started on this machine; can be held still and set (to rebuild a round)."""

    def __init__(self, source=time.monotonic):
        self._src = source
        self._base = 0.0
        self._t0 = source()
        self._held = False

    def now(self) -> float:
        return self._base if self._held else self._base + (self._src() - self._t0)

    def hold(self) -> None:
        self._base = self.now()
        self._held = True

    def set(self, t: float) -> None:
        if t < self.now() - 1e-9:
            raise ValueError("a clock cannot go backwards")
        self._base = float(t)
        self._t0 = self._src()

    def go_live(self) -> None:
        self._t0 = self._src()
        self._held = False


class StudentRound:
    kind = "normal"

    def __init__(self, lib, start: dict, *, send=None, clock=None, reader=None, judge=None,
                 resume: dict | None = None):
        from game.engine.session import PlaySession
        from game.language.reader import Reader
        from game.store.recorder import content_hash

        self.lib = lib
        self.start_msg = start
        self.round = start["round"]
        self.mode = start["mode"]
        self.title = start["title"]
        self.pass_mark = start.get("pass_mark")
        self.outbox: list[tuple[str, dict]] = []   # what was sent (all of it, also with a send callback)
        self._send = send
        self.problems: list[tuple[str, str]] = []
        digests = {d["persona"]: d["digest"] for d in start.get("digests", ())}
        personas = []
        for pid in start["personas"]:
            p = lib.personas.get(pid)
            if p is None:
                self.problems.append(("unknown_persona", f"本机没有买家场景 {pid}"))
                continue
            want = digests.get(pid)
            if want and content_hash(p, lib.root) != want:
                self.problems.append(("content_mismatch", f"{pid}: 本机的场景或规则文件与培训师的不同"))
            personas.append(p)
        self.personas = personas
        self.clock = clock if clock is not None else RoundClock()
        if judge is None:
            from game.scoring.cli import make_judge
            judge = make_judge(lib)
        self.judge = judge
        self.reader = reader or Reader(lib.intents, lib.lexicon)
        self.stopped = False
        self.reports: dict[str, object] = {}
        self._opened: set[str] = set()
        self._sent: dict[str, int] = {}
        self._ended: set[str] = set()
        hold = getattr(self.clock, "hold", None)
        if resume is not None and hold is not None:
            hold()
        self.session = (PlaySession.start(personas, self.reader, self.clock, seed=start["seed"],
                                          defaults=lib.buyer_defaults, judge=judge, gap=start["gap"], mode=self.mode)
                        if personas else None)
        for reason, detail in self.problems:
            self._emit("round_problem", reason=reason, detail=cut(detail, 300))
        if resume is not None and self.session is not None:
            self._restore(resume)
        go_live = getattr(self.clock, "go_live", None)
        if resume is not None and go_live is not None:
            go_live()
        self.sync()

    # ------------------------------------------------------------ driving
    def update(self) -> list[Event]:
        """Tick the chats (buyers type, wait, nudge, leave) and send what is new."""
        if self.stopped or self.session is None:
            return []
        events = self.session.tick()
        self.sync()
        return events

    def say(self, text: str, chat: str | None = None) -> list[Event]:
        """Send a reply to the active chat (or `chat`), as the workbench's send does."""
        if self.stopped or self.session is None:
            return []
        if chat is not None:
            self.session.switch(chat)
        events = self.session.send(text)
        self.sync()
        return events

    @property
    def finished(self) -> bool:
        return self.stopped or self.session is None or self.session.finished

    def sync(self) -> None:
        """Send every chat opening, message and ending the session has made since the last call."""
        if self.session is None:
            return
        for conv in self.session.chats:
            cid = conv.id
            if cid not in self._opened:
                self._opened.add(cid)
                seed = getattr(conv, "seed", None)
                self._emit("chat_open", chat=cid, persona=conv.persona.id, time=round(conv.started, 3),
                           seed=int(seed) if seed is not None else None)
            n0 = self._sent.get(cid, 0)
            tr = conv.transcript
            for i in range(n0, len(tr)):
                self._emit("chat_msg", **self._message(conv, i, tr[i]))
            self._sent[cid] = max(n0, len(tr))
            if conv.finished and cid not in self._ended:
                self._end(conv)

    def finish(self) -> None:
        """The round is over (the host ended it): open chats are reported as unfinished; nothing more is sent."""
        if self.stopped:
            return
        self.sync()
        if self.session is not None:
            for conv in self.session.chats:
                if conv.id not in self._ended:
                    self._end(conv)
            close = getattr(self.session.desk, "close", None)
            if close is not None:
                close()  # the chats leave their personas' shared state machines
        self.stopped = True

    # ------------------------------------------------------------ internals
    def _emit(self, type_: str, **fields) -> None:
        fields["round"] = self.round
        self.outbox.append((type_, fields))
        if self._send is not None:
            self._send(type_, **fields)

    def _message(self, conv, i: int, m) -> dict:
        agent = m.who == "agent"
        return dict(chat=conv.id, n=i, who=m.who, kind=m.kind if m.kind in P.MSG_KINDS else "line",
                    text=line_text(m.text), time=round(max(0.0, m.time), 3), wait=round(max(0.0, m.wait or 0.0), 3),
                    first=bool(m.first), typing=(None if m.typing_started is None else round(max(0.0, m.typing_started), 3)),
                    intents=[cut(x, 40) for x in (m.intents or ())][:12], state=cut(conv.state, 64),
                    mood=float(min(100.0, max(0.0, conv.mood))),
                    feedback=feedback_summary(m.feedback) if agent else None)

    def _end(self, conv) -> None:
        report = None
        if self.judge is not None:
            from game.scoring.report import build_report
            report = build_report(conv, self.judge.scorer)
        self.reports[conv.id] = report
        self._ended.add(conv.id)
        outcome = conv.outcome or "unfinished"
        reason = conv.outcome_reason or (conv.state if conv.outcome else "round_end")
        self._emit("chat_end", chat=conv.id, outcome=outcome, reason=cut(reason, 64),
                   report=report_summary(report, conv))

    def advance_to(self, target: float) -> None:
        """Move the clock (one with set(): a ManualClock, or a held RoundClock) to `target`, stopping
        wherever a buyer acts, as the game's ticks would; what happened is sent."""
        self._advance(target)
        self.sync()

    def _advance(self, target: float) -> None:
        desk, clock = self.session.desk, self.clock
        last = None
        for _ in range(100_000):
            due = desk.next_due()
            if due is None or due > target or due == last:
                break
            last = due
            clock.set(max(due, clock.now()))
            self.session.tick()
        clock.set(max(target, clock.now()))
        self.session.tick()

    def _restore(self, resume: dict) -> None:
        """Rebuild the chats from the host's record of this student's agent lines (same seed, same times)."""
        for line in sorted(resume["lines"], key=lambda x: x["time"]):
            self._advance(line["time"])
            if line["chat"] not in self.session.views:
                continue
            self.session.switch(line["chat"])
            self.session.views[line["chat"]].typing_started = line["typing"]
            self.session.send(line["text"])
        self._advance(resume["time"])
        for c in resume["chats"]:
            self._opened.add(c["chat"])
            self._sent[c["chat"]] = c["n"]
            if c["ended"]:
                self._ended.add(c["chat"])


class RolePlaySeat:
    """A student's seat in a role-play chat: the buyer (with the persona card) or the agent."""

    kind = "roleplay"

    def __init__(self, start: dict, *, send=None):
        self.start_msg = start
        self.round = start["round"]
        self.role = start["role"]
        self.chat = start["chat"]
        self.partner = start["partner"]
        self.mode = start["mode"]
        self.title = start["title"]
        self.card = start.get("card")          # only a buyer gets it
        self.product = start.get("product")
        self.lines: list[dict] = []             # rp_line messages in order (both sides)
        self.outcome: str | None = None
        self.result: dict | None = None         # the rp_over message
        self.stopped = False
        self._send = send

    def on_message(self, msg: dict) -> dict | None:
        """Take an rp_line or rp_over of this chat; returns it when it is new."""
        if msg.get("round") != self.round or msg.get("chat") != self.chat:
            return None
        if msg["type"] == "rp_line":
            if msg["n"] != len(self.lines):
                return None  # a line seen already (sent again on rejoin)
            self.lines.append(msg)
            return msg
        if msg["type"] == "rp_over" and self.result is None:
            self.result = msg
            self.outcome = msg["outcome"]
            return msg
        return None

    @property
    def finished(self) -> bool:
        return self.stopped or self.result is not None

    def say(self, text: str) -> None:
        text = text.strip()
        if text and not self.finished:
            self._send("rp_say", round=self.round, text=line_text(text))

    def end(self, outcome: str) -> None:
        """The buyer ends the chat: success, lost or bad_review."""
        if self.role != "buyer":
            raise ValueError("只有扮演买家的一方可以结束对话")
        if outcome not in P.BUYER_ENDINGS:
            raise ValueError(f"outcome must be one of {P.BUYER_ENDINGS}")
        if not self.finished:
            self._send("rp_end", round=self.round, outcome=outcome)

    def finish(self) -> None:
        self.stopped = True

    def update(self) -> list:
        return []


class ClassroomStudent:
    """Ties a client to the local content: rounds start, rebuild, stream and end from the host's messages."""

    def __init__(self, client, lib, *, clock_factory=None, judge_factory=None):
        self.client = client
        self.lib = lib
        self.clock_factory = clock_factory or RoundClock
        self.judge_factory = judge_factory
        self.round: StudentRound | RolePlaySeat | None = None
        self.podium: list[dict] | None = None
        self.results: list[dict] = []  # the last round's chats as the host scored them
        self.ended: set[int] = set()
        self.stopped: set[int] = set()
        self._resume: dict[int, dict] = {}

    def update(self, *, tick: bool = True) -> list[dict]:
        """Poll the client and act on what arrived; tick the local chats (tick=False when the UI ticks
        `round.session` itself, then only what is new is sent). Returns the received messages."""
        msgs = self.client.poll()
        for m in msgs:
            self.handle(m)
        r = self.round
        if isinstance(r, StudentRound):
            r.update() if tick else r.sync()
        return msgs

    def handle(self, m: dict) -> None:
        t = m.get("type")
        if t == "resume":
            self._resume[m["round"]] = m
        elif t == "round_start":
            if self.round is not None and self.round.round == m["round"]:
                return  # already playing it: the connection came back, nothing to rebuild
            if m["round"] in self.ended:
                return
            if self.round is not None:
                self.round.finish()
            resume = self._resume.pop(m["round"], None)
            if m["kind"] == "roleplay":
                self.round = RolePlaySeat(m, send=self.client.send_reliable)
            else:
                judge = self.judge_factory() if self.judge_factory else None
                self.round = StudentRound(self.lib, m, send=self.client.send_reliable, clock=self.clock_factory(),
                                          judge=judge, resume=resume)
            self.podium = None
            self.results = []
        elif t in ("rp_line", "rp_over"):
            if isinstance(self.round, RolePlaySeat):
                self.round.on_message(m)
        elif t == "round_stop":
            if self.round is not None and self.round.round == m["round"] and m["round"] not in self.stopped:
                self.round.finish()  # open chats are reported unfinished, then: that is all
                self.stopped.add(m["round"])
                self.client.send_reliable("round_done", round=m["round"])
        elif t == "round_end":
            self.ended.add(m["round"])
            if self.round is not None and self.round.round == m["round"]:
                self.round.finish()
                self.podium = m["podium"]
                self.results = m.get("results") or []
