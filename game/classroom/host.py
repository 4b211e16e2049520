"""The trainer's room: a websockets server on a daemon thread beside the game's main loop.

    host = ClassroomHost(lib, store=store)            # host="0.0.0.0" serves the LAN; tests pass "127.0.0.1"
    print(host.code, host.address())                  # the join code (six digits) and "192.168.1.5:8765"
    ... each frame: for ev in host.events(): ...      # joined, left, refused, round_started, message, result,
                                                      # problem, round_ended, store_error
    host.start_round(["haggler-nurse-shoes"], mode="practice")   # or lesson="bargaining", step=3; roleplay=True
    host.leaderboard(); host.transcript("小王"); host.end_round(); host.podium()
    host.export("round.html")                         # the round as the store's trainer report
    host.close()

Only this object controls rounds (its methods, or a `host` connection that knows `token`). Every
frame is checked by protocol.decode, rate-limited per connection and refused with a reason. Room
state lives on the server's event loop; the caller's thread reads it under a lock and hands round
changes to the loop, so the UI never blocks on the network.

Layers: this module is the transport (sockets, limits, rate, admission) and runs the rounds; room.py
holds the room's records (students, seats, rounds, entries, chats, pairs); referee.py is the scoring
bridge (the host replays and scores every chat itself, after the ack, on its own thread); records.py
is the store bridge (batched writes; a result is acknowledged only once it is committed, so an
acknowledged result is never lost); views.py computes the leaderboard, podium, transcripts and results.
"""
from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import logging
import queue
import secrets
import socket
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from game.store.recorder import content_hash

from . import protocol as P
from . import room, views
from .loops import close_loop
from .protocol import ProtocolError
from .records import Records
from .referee import Referee
from .roleplay import HumanBuyerChat, persona_card, product_card
from .room import ChatRecord, Entry, Pairing, Round, Student, make_pairs
from .summary import feedback_summary, line_text, report_summary

log = logging.getLogger(__name__)

SPARE_CONNECTIONS = 20      # connections beyond max_clients that may be saying hello at once
SILENT_AFTER = 2.0          # seconds without a hello before a waiting socket may be evicted for a new one
INBOX_MAX = 10_000          # events kept for a UI that does not drain them
SEND_QUEUE_MAX = 2_000      # frames waiting for one slow client before it is dropped


@dataclass
class HostEvent:
    """What the UI drains each frame. kind: joined, left, refused, round_started, message, result,
    problem, round_ended, store_error."""
    kind: str
    data: dict


class _Conn:
    def __init__(self, ws, address: str, now: float):
        self.ws = ws
        self.address = address
        self.queue: asyncio.Queue = asyncio.Queue()
        self.bucket = P.TokenBucket(P.RATE, P.BURST, now)
        self.dropped: collections.deque = collections.deque()
        self.last_rate_error = -1e9
        self.errors = 0
        self.role = "none"             # none (before hello), student, host
        self.opened = now
        self.student: Student | None = None
        self.closing = False
        self.sender: asyncio.Task | None = None


def lan_address() -> str:
    """This machine's LAN IPv4 address from its own name (no packet leaves the machine); 127.0.0.1 if none."""
    try:
        hostname = socket.gethostname()
        ip = socket.gethostbyname(hostname)
        if ip and not ip.startswith("127."):
            return ip
        for info in socket.getaddrinfo(hostname, None, socket.AF_INET, socket.SOCK_STREAM):
            cand = info[4][0]
            if not cand.startswith("127."):
                return cand
    except OSError:
        pass
    return "127.0.0.1"


class ClassroomHost:
    def __init__(self, lib, *, store=None, host: str = "0.0.0.0", port: int = 0, code: str | None = None,
                 max_clients: int = P.MAX_CLIENTS, title: str = "KefuSim 课堂", clock=None, judge=None,
                 start_timeout: float = 10.0):
        from game.engine.clock import SystemClock
        from game.language.reader import Reader

        self.lib = lib
        self.store = store
        self.bind = host
        self.title = title
        self.max_clients = max(1, min(int(max_clients), P.MAX_CLIENTS_CAP))
        self.code = P.check_code(code) if code is not None else f"{secrets.randbelow(10 ** P.CODE_DIGITS):0{P.CODE_DIGITS}d}"
        self.token = secrets.token_urlsafe(24)
        self.clock = clock or SystemClock()
        self.reader = Reader(lib.intents, lib.lexicon)
        # With the library's own judge, chats are scored in a separate process (referee.py); a judge
        # given here (tests, a custom rubric) is used in this process.
        own_judge = judge is None
        if judge is None:
            from game.scoring.cli import make_judge
            judge = make_judge(lib)
        self.judge = judge
        self._lock = threading.RLock()
        self._inbox: queue.Queue[HostEvent] = queue.Queue()
        self._students: dict[str, Student] = {}     # name_key -> Student, in join order
        self._conns: set[_Conn] = set()
        self._gate = room.Gate(self.code)
        self._banned: set[str] = set()  # name keys the trainer banned
        self._rounds: dict[int, Round] = {}
        self._round: Round | None = None            # the latest round (ended or not)
        self._pairs: list[list[str]] = []           # [buyer, agent] of the next role-play round
        self._records = Records(store, lib, lambda text: self._post("store_error", text=f"无法保存课堂记录: {text}"))
        # The host scores every chat itself, in arrival order, off the event loop.
        self._referee = Referee(lib, self.reader, judge, self._records, self._post, self._lock,
                                process=own_judge and judge is not None)
        self._loop = asyncio.new_event_loop()
        self._stop: asyncio.Future | None = None
        self._ready = threading.Event()
        self._failure: BaseException | None = None
        self.port = 0
        self._closed = False
        self._thread = threading.Thread(target=self._run, args=(host, port), name="classroom-host", daemon=True)
        self._thread.start()
        if not self._ready.wait(start_timeout):
            self.close()
            raise OSError("课堂服务器没有及时启动 / the classroom server did not start")
        if self._failure is not None:
            exc = self._failure
            self._thread.join(start_timeout)
            self._loop.close()
            self._referee.close()
            self._records.close()
            self._closed = True
            raise exc

    # ================================================================ the server thread
    def _run(self, host: str, port: int) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._serve(host, port))
        except BaseException as exc:  # bind errors are raised in the caller's thread
            if not self._ready.is_set():
                self._failure = exc
                self._ready.set()
        finally:
            close_loop(self._loop)

    async def _serve(self, host: str, port: int) -> None:
        from websockets.asyncio.server import serve

        self._stop = self._loop.create_future()
        async with serve(self._handler, host, port, max_size=P.HARD_MAX_FRAME, compression=None,
                         ping_interval=10, ping_timeout=20, close_timeout=2, max_queue=64,
                         open_timeout=P.HELLO_TIMEOUT) as server:
            self.port = server.sockets[0].getsockname()[1]
            self._ready.set()
            await self._stop
            senders = []
            for c in list(self._conns):  # tell everyone the room is closed before the server goes away
                self._close_conn(c, "closed")
                if c.sender is not None:
                    senders.append(c.sender)
            if senders:
                await asyncio.wait(senders, timeout=2.0)

    def _now(self) -> float:
        return time.monotonic()

    def _post(self, kind_: str, /, **data) -> None:
        if self._inbox.qsize() >= INBOX_MAX:
            try:
                self._inbox.get_nowait()
            except queue.Empty:
                pass
        self._inbox.put(HostEvent(kind_, data))

    # ---------------------------------------------------------------- connections
    async def _handler(self, ws) -> None:
        from websockets.exceptions import ConnectionClosed

        addr = ws.remote_address[0] if ws.remote_address else "?"
        conn = _Conn(ws, str(addr), self._now())
        evict = None
        with self._lock:
            admitted = sum(1 for c in self._conns if c.role != "none")
            waiting = [c for c in self._conns if c.role == "none" and not c.closing]
            if admitted >= self.max_clients + 2 and len(waiting) >= SPARE_CONNECTIONS:
                full = True
            else:
                full = False
                if len(waiting) >= SPARE_CONNECTIONS:
                    # sockets that say nothing must not keep real students out: the oldest silent one goes.
                    # A socket opened a moment ago is not silent: a class joining at once is many of those.
                    silent = [c for c in waiting if conn.opened - c.opened >= SILENT_AFTER]
                    if silent or len(waiting) >= self.max_clients + SPARE_CONNECTIONS:
                        evict = min(silent or waiting, key=lambda c: c.opened)
                self._conns.add(conn)
        if evict is not None:
            self._close_conn(evict, "hello_timeout")
        if full:
            await self._refuse_now(ws, "room_full", f"最多 {self.max_clients} 人")
            return
        sender = conn.sender = asyncio.create_task(self._sender(conn))
        try:
            await self._session(conn)
        except ConnectionClosed:
            pass
        finally:
            conn.closing = True
            self._enqueue(conn, None)
            try:
                await asyncio.wait_for(sender, 3)
            except (asyncio.TimeoutError, ConnectionClosed):
                sender.cancel()
            except asyncio.CancelledError:
                raise
            self._disconnected(conn)

    async def _refuse_now(self, ws, reason: str, detail: str = "") -> None:
        from websockets.exceptions import ConnectionClosed
        try:
            await ws.send(P.encode("refused", reason=reason, text=P.refusal_text(reason, detail)[:300],
                                   detail=detail[:300]))
            await ws.close(1008, reason)
        except ConnectionClosed:
            pass

    async def _sender(self, conn: _Conn) -> None:
        from websockets.exceptions import ConnectionClosed
        try:
            while True:
                item = await conn.queue.get()
                if item is None:
                    break
                if isinstance(item, tuple):  # (close code, reason)
                    await conn.ws.close(*item)
                    break
                await conn.ws.send(item)
        except ConnectionClosed:
            pass

    def _enqueue(self, conn: _Conn, item) -> None:
        """Queue a frame (str), a close ((code, reason)) or the end (None) for a connection. Loop thread."""
        if conn.queue.qsize() >= SEND_QUEUE_MAX and item is not None:
            item = (1008, "too slow")
        conn.queue.put_nowait(item)

    def _send(self, conn: _Conn | None, type_: str, **fields) -> None:
        if conn is not None and not conn.closing:
            self._enqueue(conn, P.encode(type_, **fields))

    def _error(self, conn: _Conn, reason: str, detail: str = "", ref: str | None = None) -> None:
        self._send(conn, "error", reason=reason, text=P.refusal_text(reason)[:300], detail=detail[:300], ref=ref)

    def _close_conn(self, conn: _Conn, reason: str, detail: str = "") -> None:
        if conn.closing:
            return
        self._send(conn, "refused", reason=reason, text=P.refusal_text(reason, detail)[:300], detail=detail[:300])
        self._enqueue(conn, (1008, reason))
        conn.closing = True

    async def _session(self, conn: _Conn) -> None:
        ws = conn.ws
        try:
            raw = await asyncio.wait_for(ws.recv(), P.HELLO_TIMEOUT)
        except asyncio.TimeoutError:
            self._close_conn(conn, "hello_timeout")
            return
        try:
            msg = P.decode(raw, direction="c>h")
            if msg["type"] != "hello":
                raise ProtocolError("hello_first", msg["type"])
            with self._lock:
                self._admit(conn, msg)
        except ProtocolError as exc:
            self._close_conn(conn, exc.reason, exc.detail)
            if exc.reason in ("wrong_code", "too_many_attempts", "duplicate_name", "room_full", "bad_name"):
                self._post("refused", address=conn.address, reason=exc.reason, text=exc.text)
            return
        async for raw in ws:
            if conn.closing:
                continue  # being closed: read (and drop) what still arrives, so the closing handshake is read too
            await self._frame(conn, raw)

    def _admit(self, conn: _Conn, msg: dict) -> None:
        """hello: check the code, the name and the room (room.Gate, room.seat); then welcome and catch up.
        Under the lock."""
        now = self._now()
        student = msg["role"] == "student"
        try:
            self._gate.check(conn.address, msg["code"], now,
                             keyed=student and room.keyed(self._students, msg.get("name", ""), msg.get("key")))
        except ProtocolError:
            if self._gate.started is not None:
                self._post("attempts", count=self._gate.wrong_codes, seconds=self._gate.started)
            raise
        if not student:
            if not secrets.compare_digest(str(msg.get("token", "")), self.token):
                self._gate.failed(conn.address, now)
                raise ProtocolError("bad_token")
            conn.role = "host"
            self._send(conn, "welcome", name=P.check_name(msg["name"]), key=secrets.token_urlsafe(16),
                       room=self.title[:80], rejoin=False, limits=self._limits(), role="host")
            return
        name = P.check_name(msg["name"])
        st, rejoin = room.seat(self._students, self._banned, name, msg.get("key"), conn.address, self.max_clients)
        if rejoin and st.connected:
            old = st.conn
            self._close_conn(old, "replaced")  # the student is back on a new connection
            old.student = None
        st.conn = conn
        st.left = False
        st.address = conn.address
        conn.role = "student"
        conn.student = st
        self._send(conn, "welcome", name=st.name, key=st.key, room=self.title[:80], rejoin=rejoin,
                   limits=self._limits(), role="student")
        self._post("joined", name=st.name, rejoin=rejoin, address=conn.address)
        self._catch_up(st)

    @property
    def wrong_codes(self) -> int:
        """Wrong codes tried since the room opened (the trainer sees them)."""
        return self._gate.wrong_codes

    def _limits(self) -> dict:
        return {"max_text": P.MAX_TEXT, "rate": P.RATE, "burst": P.BURST, "max_frame": P.MAX_FRAME}

    def _disconnected(self, conn: _Conn) -> None:
        with self._lock:
            self._conns.discard(conn)
            st = conn.student
            if st is not None and st.conn is conn:
                st.conn = None
                self._post("left", name=st.name, dropped=not st.left)

    async def _frame(self, conn: _Conn, raw) -> None:
        now = self._now()
        if not conn.bucket.take(now):
            conn.dropped.append(now)
            while conn.dropped and conn.dropped[0] < now - P.FLOOD_WINDOW:
                conn.dropped.popleft()
            if len(conn.dropped) > P.FLOOD_KICK:
                self._close_conn(conn, "rate_limited", "连接已断开")
            elif now - conn.last_rate_error >= 1.0:
                conn.last_rate_error = now
                self._error(conn, "rate_limited", f"每秒最多 {P.RATE:g} 条")
            return
        try:
            msg = P.decode(raw, direction="c>h")
        except ProtocolError as exc:
            conn.errors += 1
            if conn.errors > P.MAX_ERRORS:
                self._close_conn(conn, exc.reason, "错误消息太多,连接已断开")
            else:
                self._error(conn, exc.reason, exc.detail)
            return
        t = msg["type"]
        if t == "ping":
            self._send(conn, "pong", n=msg["n"])
        elif t == "bye":
            with self._lock:
                if conn.student is not None:
                    conn.student.left = True
            self._enqueue(conn, (1000, "bye"))
            conn.closing = True
        elif t == "hello":
            self._error(conn, "bad_value", "已经加入房间", ref=t)
        elif t in ("host_start", "host_end"):
            self._host_command(conn, msg)
        elif conn.role != "student":
            self._error(conn, "not_in_round", "", ref=t)
        else:
            await self._result(conn, msg)

    # ---------------------------------------------------------------- results from students
    async def _result(self, conn: _Conn, msg: dict) -> None:
        """A reliable student message: apply it once (by seq), store it, then acknowledge it."""
        t = msg["type"]
        futs: list = []
        with self._lock:
            st = conn.student
            if st is None:
                return
            entry = st.rounds.get(msg["round"])
            if entry is None:
                self._error(conn, "not_in_round", f"第 {msg['round']} 回合", ref=t)
                self._send(conn, "ack", round=msg["round"], seq=msg["seq"])  # never to be sent again
                return
            seq = msg["seq"]
            if seq <= entry.last_seq:
                self._send(conn, "ack", round=entry.round, seq=entry.last_seq)
                return
            if seq > entry.last_seq + 1:
                self._error(conn, "gap", f"收到 {seq},需要 {entry.last_seq + 1}", ref=t)
                self._send(conn, "ack", round=entry.round, seq=entry.last_seq)
                return
            entry.last_seq = seq
            try:
                getattr(self, f"_on_{t}")(st, entry, msg, futs)
            except ProtocolError as exc:
                self._error(conn, exc.reason, exc.detail, ref=t)
            except Exception:  # a bug here must not make the student resend the same message forever
                log.exception("classroom: %s from %s failed", t, st.name)
                self._error(conn, "internal", "", ref=t)
        for f in futs:
            if f is not None:
                await asyncio.wrap_future(f)
        self._send(conn, "ack", round=msg["round"], seq=msg["seq"])

    def _on_chat_open(self, st: Student, entry: Entry, msg: dict, futs: list) -> None:
        if entry.kind != "normal":
            raise ProtocolError("wrong_role", "角色扮演中没有模拟买家")
        chat = msg["chat"]
        if chat in entry.chats:
            return
        if msg["persona"] not in entry.personas:
            raise ProtocolError("bad_value", f"本回合没有买家 {msg['persona']}")
        persona = self.lib.personas[msg["persona"]]
        rec = ChatRecord(chat, persona.id, persona.title, msg["time"], seed=msg["seed"])
        entry.chats[chat] = rec
        rnd = self._rounds[entry.round]
        futs.append(self._records.begin(rec, st.name, persona, rnd, role="agent"))
        self._referee.open(rec, persona, rnd.digests[persona.id])

    def _on_chat_msg(self, st: Student, entry: Entry, msg: dict, futs: list) -> None:
        rec = entry.chats.get(msg["chat"])
        if rec is None:
            raise ProtocolError("bad_value", f"没有打开的对话 {msg['chat']}")
        if msg["n"] < len(rec.messages):
            return  # already have it (a rebuilt round says it again)
        if msg["n"] > len(rec.messages) or rec.ended:
            raise ProtocolError("gap", f"对话 {msg['chat']} 第 {msg['n']} 条")
        m = {k: msg[k] for k in ("n", "who", "kind", "text", "time", "wait", "first", "typing", "intents",
                                 "state", "mood")}
        m["feedback"] = None  # the host's own, when its referee has read the line; never the student's
        rec.messages.append(m)
        futs.append(self._records.message(rec, m))
        self._referee.message(rec, m, st.name, entry.round)

    def _on_chat_end(self, st: Student, entry: Entry, msg: dict, futs: list) -> None:
        rec = entry.chats.get(msg["chat"])
        if rec is None:
            raise ProtocolError("bad_value", f"没有打开的对话 {msg['chat']}")
        if rec.ended or rec.closing:
            return
        rec.closing = True
        end = max([rec.opened, *(m["time"] for m in rec.messages)])
        self._referee.end(rec, msg["outcome"], msg["reason"], end, st.name, entry.round)

    def _on_round_done(self, st: Student, entry: Entry, msg: dict, futs: list) -> None:
        entry.done = True
        rnd = self._rounds[entry.round]
        if rnd.stopping and not rnd.ended and self._all_done(rnd):
            self._loop.call_soon(self._finish_round, rnd.id)

    def _on_round_problem(self, st: Student, entry: Entry, msg: dict, futs: list) -> None:
        entry.problem = f"{msg['reason']}: {msg['detail']}"
        self._post("problem", name=st.name, round=entry.round, reason=msg["reason"], detail=msg["detail"])

    def _on_rp_say(self, st: Student, entry: Entry, msg: dict, futs: list) -> None:
        rnd, chat = self._rp_chat(entry)
        # Each line costs the host a reading and a score: a student gets what a fast typist needs, no more.
        now = self.clock.now()
        if st.says is None:
            st.says = P.TokenBucket(P.SAY_RATE, P.SAY_BURST, now)
        if not st.says.take(now):
            raise ProtocolError("rate_limited", f"对话中每秒最多 {P.SAY_RATE:g} 条")
        text = msg["text"]
        if entry.role == "buyer":
            m = chat.buyer_says(text)
        else:
            m = chat.trainee_says(text)
        self._rp_deliver(rnd, chat, len(chat.transcript) - 1, m, futs)

    def _on_rp_end(self, st: Student, entry: Entry, msg: dict, futs: list) -> None:
        rnd, chat = self._rp_chat(entry)
        if entry.role != "buyer":
            raise ProtocolError("wrong_role", "只有扮演买家的一方可以结束对话")
        chat.end(msg["outcome"])
        self._rp_finish(rnd, chat, futs)

    def _rp_chat(self, entry: Entry) -> tuple[Round, HumanBuyerChat]:
        if entry.kind != "roleplay" or entry.chat is None:
            raise ProtocolError("wrong_role", "这一回合不是角色扮演")
        rnd = self._rounds[entry.round]
        chat = rnd.chats[entry.chat]
        if chat.finished or rnd.stopping:
            raise ProtocolError("chat_over")
        return rnd, chat

    def _pair_of(self, rnd: Round, chat_id: str) -> Pairing:
        return next(p for p in rnd.pairs if p.chat == chat_id)

    def _rp_line(self, rnd: Round, chat: HumanBuyerChat, n: int, m, *, for_agent: bool) -> dict:
        fb = feedback_summary(m.feedback) if (for_agent and m.who == "agent" and rnd.mode == "practice") else None
        return dict(round=rnd.id, chat=chat.id, n=n, who=m.who, text=line_text(m.text),
                    time=round(max(0.0, m.time - chat.started), 3), wait=round(max(0.0, m.wait), 3), feedback=fb)

    def _rp_deliver(self, rnd: Round, chat: HumanBuyerChat, n: int, m, futs: list) -> None:
        pair = self._pair_of(rnd, chat.id)
        agent = self._students[P.name_key(pair.agent)]
        buyer = self._students[P.name_key(pair.buyer)]
        self._send(buyer.conn, "rp_line", **self._rp_line(rnd, chat, n, m, for_agent=False))
        self._send(agent.conn, "rp_line", **self._rp_line(rnd, chat, n, m, for_agent=True))
        rec = agent.rounds[rnd.id].chats[chat.id]
        d = self._rp_line(rnd, chat, n, m, for_agent=True)
        d.update(kind="line", first=bool(m.first), typing=None, intents=list(m.intents or ())[:12], state="roleplay",
                 mood=float(chat.mood), feedback=feedback_summary(m.feedback) if m.who == "agent" else None)
        rec.messages.append(d)
        futs.append(self._records.message(rec, d))
        self._post("message", name=pair.agent, round=rnd.id, chat=chat.id, who=m.who, text=d["text"], time=d["time"],
                   wait=d["wait"], score=(d["feedback"] or {}).get("score"))

    def _rp_finish(self, rnd: Round, chat: HumanBuyerChat, futs: list) -> None:
        from game.scoring.report import build_report
        pair = self._pair_of(rnd, chat.id)
        agent = self._students[P.name_key(pair.agent)]
        buyer = self._students[P.name_key(pair.buyer)]
        report = build_report(chat, self.judge.scorer) if self.judge is not None else None
        summary = report_summary(report, chat)
        rec = agent.rounds[rnd.id].chats[chat.id]
        rec.outcome = chat.outcome or "unfinished"
        rec.reason = chat.outcome_reason or ("round_end" if chat.outcome is None else "buyer")
        rec.report = summary
        over = dict(round=rnd.id, chat=chat.id, outcome=rec.outcome, total=rec.total, grade=rec.grade, report=summary)
        if rnd.mode == "exam":  # no figures before the round ends: round_end carries them
            over.update(total=None, grade=None, report=None)
        self._send(agent.conn, "rp_over", **over)
        self._send(buyer.conn, "rp_over", **over)
        futs.append(self._records.finish(rec))
        self._post("result", name=pair.agent, round=rnd.id, chat=chat.id, persona=rec.persona, outcome=rec.outcome,
                   total=rec.total, grade=rec.grade)

    def flush(self, timeout: float = 10.0) -> None:
        """Wait until every result received so far is in the store."""
        if not self._closed:
            self._referee.flush(timeout)
        if not self._closed:
            self._records.flush(timeout)

    # ---------------------------------------------------------------- rounds (run on the loop)
    def _call(self, fn, *args, timeout: float = 10.0, **kw):
        """Run fn on the server's loop (where room state changes) and return its result here."""
        if threading.current_thread() is self._thread:
            return fn(*args, **kw)
        if self._closed:
            raise RuntimeError("the classroom host is closed")
        fut: concurrent.futures.Future = concurrent.futures.Future()

        def run():
            try:
                fut.set_result(fn(*args, **kw))
            except BaseException as exc:  # handed to the caller's thread
                fut.set_exception(exc)
        self._loop.call_soon_threadsafe(run)
        return fut.result(timeout)

    def kick(self, name: str, ban: bool = False) -> bool:
        """Remove a student from the room (her seat is freed); with ``ban`` the name cannot join again
        while the room is open. False when no such student."""
        return self._call(self._kick, name, ban)

    def _kick(self, name: str, ban: bool) -> bool:
        with self._lock:
            key = P.name_key(name)
            if ban:
                self._banned.add(key)
            st = self._students.pop(key, None)
            if st is None:
                return ban
            if st.conn is not None:
                self._close_conn(st.conn, "banned" if ban else "kicked")
                st.conn.student = None
                st.conn = None
            self._post("kicked", name=st.name, ban=ban)
            return True

    def start_round(self, personas: list[str] | str | None = None, *, lesson: str | None = None, step: int = 0,
                    mode: str = "practice", roleplay: bool = False, seed: int | None = None,
                    title: str | None = None) -> dict:
        """Start a round for everyone in the room (and everyone who joins during it).

        personas: persona ids (a shift when several), or lesson + step (0-based). roleplay: students are
        paired (see pair()); one plays the buyer of the persona, the other the agent; roles swap each
        role-play round; an odd student plays the simulated persona. ValueError (Chinese) when impossible.
        """
        if isinstance(personas, str):
            personas = [personas]
        return self._call(self._start_round, list(personas or ()), lesson, step, mode, roleplay, seed, title)

    def _start_round(self, personas, lesson, step, mode, roleplay, seed, title) -> dict:
        if mode not in P.MODES:
            raise ValueError(f"模式只能是 practice 或 exam,不是 {mode!r}")
        gap, pass_mark = 20.0, None
        if lesson is not None:
            les = self.lib.lessons.get(lesson)
            if les is None:
                raise ValueError(f"没有课程 {lesson}(可选: {', '.join(self.lib.lessons)})")
            if not 0 <= step < len(les.steps):
                raise ValueError(f"课程 {lesson} 只有 {len(les.steps)} 步")
            st = les.steps[step]
            personas = list(st.personas)
            gap, pass_mark = float(st.gap or 20.0), st.pass_mark
            title = title or f"{les.title} 第 {step + 1} 步" + (f": {st.title}" if st.title else "")
        if not personas:
            raise ValueError("请选择买家场景或课程 (--persona ID 或 --lesson ID)")
        if len(personas) > P.MAX_PERSONAS:
            raise ValueError(f"一回合最多 {P.MAX_PERSONAS} 位买家")
        for pid in personas:
            if pid not in self.lib.personas:
                raise ValueError(f"没有买家场景 {pid}")
        with self._lock:
            if self._round is not None and not self._round.ended:
                raise ValueError("上一回合还没有结束 (end)" if not self._round.stopping else "上一回合正在收尾,请稍候")
            rid = (self._round.id + 1) if self._round else 1
            ps = [self.lib.personas[p] for p in personas]
            title = title or " + ".join(p.title for p in ps)
            seed = int(seed) if seed is not None else secrets.randbelow(2**31 - 1)
            tag = f"{datetime.now():%Y%m%d}-{self.code}-R{rid}"
            rnd = Round(rid, "roleplay" if roleplay else "normal", mode, personas, seed, gap, title[:120], pass_mark,
                        tag, time.time(), lesson, step if lesson else None)
            rnd.digests = {p: content_hash(self.lib.personas[p], self.lib.root) for p in dict.fromkeys(personas)}
            self._rounds[rid] = rnd
            self._round = rnd
            if roleplay:
                self._setup_pairs(rnd)
            for st in self._students.values():
                if st.connected:
                    self._enter(st, rnd)
            info = self._round_info(rnd)
        self._post("round_started", **info)
        return info

    def _round_info(self, rnd: Round) -> dict:
        return {"round": rnd.id, "kind": rnd.kind, "mode": rnd.mode, "title": rnd.title, "personas": list(rnd.personas),
                "seed": rnd.seed, "tag": rnd.tag, "ended": rnd.ended,
                "pairs": [{"buyer": p.buyer, "agent": p.agent, "persona": p.persona, "chat": p.chat} for p in rnd.pairs],
                "participants": [st.name for st in self._students.values() if rnd.id in st.rounds]}

    @staticmethod
    def _digests(rnd: Round, personas: list[str]) -> list[dict]:
        return [{"persona": p, "digest": rnd.digests[p]} for p in personas]

    def _normal_start(self, rnd: Round, personas: list[str]) -> dict:
        return dict(round=rnd.id, kind="normal", mode=rnd.mode, title=rnd.title, personas=personas,
                    digests=self._digests(rnd, personas), seed=rnd.seed, gap=rnd.gap, pass_mark=rnd.pass_mark,
                    role="agent", partner=None, chat=None, card=None, product=None)

    def _enter(self, st: Student, rnd: Round) -> Entry:
        """Put a student in a round (a new entry) and send them its start. Lock held."""
        entry = st.rounds.get(rnd.id)
        if entry is not None:
            return entry
        pair = next((p for p in rnd.pairs if st.name in (p.buyer, p.agent)), None)
        if pair is None:
            # a normal round, or the odd one out of a role-play round: the simulated persona
            personas = list(rnd.personas) if rnd.kind == "normal" else [rnd.personas[0]]
            entry = Entry(st.name, rnd.id, "normal", "agent", personas, self._normal_start(rnd, personas))
        else:
            persona = self.lib.personas[pair.persona]
            role = "buyer" if pair.buyer == st.name else "agent"
            partner = pair.agent if role == "buyer" else pair.buyer
            start = dict(round=rnd.id, kind="roleplay", mode=rnd.mode, title=rnd.title, personas=[pair.persona],
                         digests=self._digests(rnd, [pair.persona]), seed=rnd.seed, gap=0.0, pass_mark=rnd.pass_mark,
                         role=role, partner=partner, chat=pair.chat,
                         card=persona_card(persona) if role == "buyer" else None,
                         product=product_card(persona))
            entry = Entry(st.name, rnd.id, "roleplay", role, [pair.persona], start, chat=pair.chat)
            if role == "agent":
                rec = ChatRecord(pair.chat, persona.id, persona.title, 0.0)
                entry.chats[pair.chat] = rec
                self._records.begin(rec, st.name, persona, rnd, role="agent")
        st.rounds[rnd.id] = entry
        self._send(st.conn, "round_start", **entry.start)
        return entry

    def _setup_pairs(self, rnd: Round) -> None:
        """Pairs for a role-play round: the trainer's pairs with roles swapped, or new ones. Lock held."""
        here = [st.name for st in self._students.values() if st.connected]
        paired = {n for p in self._pairs for n in p}
        if not self._pairs or not paired <= set(here) or len(set(here) - paired) > 1:
            self._pairs = make_pairs(here, rnd.seed)
        for i, (buyer, agent) in enumerate(self._pairs):
            pid = rnd.personas[i % len(rnd.personas)]
            chat_id = f"rp{rnd.id}-{i + 1}:{pid}"
            rnd.pairs.append(Pairing(buyer, agent, pid, chat_id))
            rnd.chats[chat_id] = HumanBuyerChat(self.lib.personas[pid], self.reader, self.clock, chat_id=chat_id,
                                                judge=self.judge)
        self._pairs = [[agent, buyer] for buyer, agent in self._pairs]  # swap roles for the next round

    def pair(self, seed: int | None = None) -> dict:
        """Pair the students now in the room for the next role-play rounds (join order, or shuffled by seed).

        Returns {"pairs": [(buyer, agent)...], "odd": name or None}: the odd one out plays the simulated buyer.
        """
        def run():
            with self._lock:
                here = [st.name for st in self._students.values() if st.connected]
                self._pairs = make_pairs(here, seed)
                paired = {n for p in self._pairs for n in p}
                odd = next((n for n in here if n not in paired), None)
                return {"pairs": [tuple(p) for p in self._pairs], "odd": odd}
        return self._call(run)

    def end_round(self, *, grace: float = P.ROUND_GRACE, wait: bool = False, timeout: float | None = None) -> list[dict]:
        """End the current round. Students stop at once (round_stop) and send their last results (open
        chats end unfinished, role-play chats too); the round is over, with its podium, when every connected
        student has reported or after `grace` seconds: a "round_ended" event then carries the podium.
        wait=True blocks until then (the terminal and tests); the window keeps drawing and reads the event."""
        rid = self._call(self._stop_round, grace)
        if rid is None:
            return self.podium()
        if wait:
            with self._lock:
                rnd = self._rounds[rid]
            rnd.finished.wait(timeout if timeout is not None else grace + 5.0)
        return self.podium(rid)

    def _stop_round(self, grace: float) -> int | None:
        futs: list = []
        with self._lock:
            rnd = self._round
            if rnd is None or rnd.stopping:
                return rnd.id if rnd else None
            rnd.stopping = True
            for chat in rnd.chats.values():
                if not chat.finished:
                    self._rp_finish(rnd, chat, futs)
            for st in self._students.values():
                if st.connected and rnd.id in st.rounds:
                    self._send(st.conn, "round_stop", round=rnd.id)
            done = self._all_done(rnd)
        if done:
            self._finish_round(rnd.id)
        else:
            self._loop.call_later(max(0.0, grace), self._finish_round, rnd.id)
        return rnd.id

    def _all_done(self, rnd: Round) -> bool:
        return all(st.rounds[rnd.id].done for st in self._students.values()
                   if st.connected and rnd.id in st.rounds)

    def _finish_round(self, rid: int) -> None:
        """Once the referee has scored everything received so far, the round ends with its podium."""
        if self._closed:
            return
        loop = self._loop

        def back(_f):
            try:
                loop.call_soon_threadsafe(self._finish_round_now, rid)
            except RuntimeError:  # the loop has closed: the host is shutting down
                pass
        self._referee.after(back)

    def _finish_round_now(self, rid: int) -> None:
        with self._lock:
            rnd = self._rounds.get(rid)
            if rnd is None or rnd.ended:
                return
            rnd.ended = True
            podium = views.podium(self._students, rnd)
            for st in self._students.values():
                if st.connected and rnd.id in st.rounds:
                    self._send(st.conn, "round_end", round=rnd.id, podium=podium, results=views.results(self._students, rnd, st))
        self._post("round_ended", round=rnd.id, podium=podium)
        rnd.finished.set()

    # ---------------------------------------------------------------- catching up a (re)joining student
    def _catch_up(self, st: Student) -> None:
        rnd = self._round
        if rnd is None:
            return
        entry = st.rounds.get(rnd.id)
        if rnd.ended:
            if entry is not None:
                self._send(st.conn, "round_end", round=rnd.id, podium=views.podium(self._students, rnd), results=views.results(self._students, rnd, st))
            return
        if entry is None:
            if not rnd.stopping:
                self._enter(st, rnd)
            return
        # resume first: a restarted client rebuilds its round from it when round_start arrives
        lines, chats, latest = [], [], 0.0
        for rec in entry.chats.values():
            chats.append({"chat": rec.chat, "n": len(rec.messages), "ended": rec.ended or rec.closing})
            for m in rec.messages:
                latest = max(latest, m["time"])
                if m["who"] == "agent" and entry.kind == "normal":
                    lines.append({"chat": rec.chat, "time": m["time"], "text": m["text"], "typing": m["typing"]})
        self._send(st.conn, "resume", round=rnd.id, seq=entry.last_seq, time=latest, chats=chats[:P.MAX_PERSONAS],
                   lines=lines[:2000])
        self._send(st.conn, "round_start", **entry.start)
        if entry.kind == "roleplay":
            chat = rnd.chats[entry.chat]
            for n, m in enumerate(chat.transcript):
                self._send(st.conn, "rp_line", **self._rp_line(rnd, chat, n, m, for_agent=entry.role == "agent"))
            if chat.finished or rnd.stopping:
                pair = self._pair_of(rnd, chat.id)
                rec = self._students[P.name_key(pair.agent)].rounds[rnd.id].chats[chat.id]
                exam = rnd.mode == "exam"
                self._send(st.conn, "rp_over", round=rnd.id, chat=chat.id, outcome=rec.outcome,
                           total=None if exam else rec.total, grade=None if exam else rec.grade,
                           report=None if exam else rec.report)
        if rnd.stopping:
            self._send(st.conn, "round_stop", round=rnd.id)

    # ---------------------------------------------------------------- host commands over the network
    def _host_command(self, conn: _Conn, msg: dict) -> None:
        t = msg["type"]
        if conn.role != "host":
            self._error(conn, "not_host", "", ref=t)
            return
        try:
            if t == "host_start":
                info = self._start_round(msg["personas"], msg["lesson"], msg["step"], msg["mode"], msg["roleplay"],
                                         msg["seed"], None)
                self._send(conn, "ok", ref=t, detail=f"第 {info['round']} 回合")
            else:
                self._stop_round(P.ROUND_GRACE)
                self._send(conn, "ok", ref=t, detail="")
        except ValueError as exc:
            self._error(conn, "bad_round", str(exc), ref=t)

    # ================================================================ what the UI reads
    def events(self) -> list[HostEvent]:
        """Drain the inbox (call each frame)."""
        out = []
        while True:
            try:
                out.append(self._inbox.get_nowait())
            except queue.Empty:
                return out

    @property
    def inbox(self) -> queue.Queue:
        return self._inbox

    def address(self) -> str:
        """What students type: this machine's LAN address and the port (127.0.0.1 when bound to loopback)."""
        ip = self.bind if self.bind not in ("0.0.0.0", "", "::") else lan_address()
        return f"{ip}:{self.port}"

    @property
    def current_round(self) -> dict | None:
        with self._lock:
            return self._round_info(self._round) if self._round else None

    def students(self) -> list[dict]:
        with self._lock:
            rid = self._round.id if self._round else None
            out = []
            for st in self._students.values():
                e = st.rounds.get(rid) if rid else None
                out.append({"name": st.name, "connected": st.connected, "left": st.left, "address": st.address,
                            "joined_at": st.joined_at, "role": e.role if e else None,
                            "in_round": e is not None})
            return out

    def leaderboard(self, round_id: int | None = None) -> list[dict]:
        """Rows best first: rank, name, role, score (mean chat total), outcome, avg_reply (s), messages,
        done/chats, connected, status (playing, done, buyer, problem), problem."""
        with self._lock:
            rnd = self._rounds.get(round_id) if round_id is not None else self._round
            return views.rows(self._students, rnd)

    def podium(self, round_id: int | None = None) -> list[dict]:
        """The top three of a round: [{place, name, score}]."""
        with self._lock:
            rnd = self._rounds.get(round_id) if round_id is not None else self._round
            return views.podium(self._students, rnd)

    def transcript(self, name: str, round_id: int | None = None) -> list[dict]:
        """A student's chats of a round (live): [{chat, persona, title, outcome, total, grade, messages}].
        A role-play buyer gets the chat they played in."""
        with self._lock:
            rnd = self._rounds.get(round_id) if round_id is not None else self._round
            st = self._students.get(P.name_key(str(name)))
            if rnd is None or st is None or rnd.id not in st.rounds:
                return []
            return views.transcript(self._students, rnd, st)

    def export(self, path: str | Path | None = None, *, fmt: str = "html", round_id: int | None = None,
               content=None) -> Path | None:
        """Write a round's chats (all students) as the store's trainer report (html) or table (csv)."""
        if self.store is None:
            return None
        from game.store.export import to_csv, to_html
        self.flush()
        with self._lock:
            rnd = self._rounds.get(round_id) if round_id is not None else self._round
        if rnd is None:
            return None
        sessions = [s for s in self.store.sessions()
                    if s.source == "classroom" and s.info.get("classroom") == rnd.tag]
        if fmt == "csv":
            text = to_csv(self.store, sessions)
        else:
            text = to_html(self.store, sessions, since=datetime.fromtimestamp(rnd.started_at).strftime("%Y-%m-%d"))
        out = Path(path) if path else Path(f"kefusim-classroom-{rnd.tag}.{fmt}")
        from game.store.commands import write_atomic
        write_atomic(out, text)
        return out

    # ---------------------------------------------------------------- closing
    def close(self, timeout: float = 5.0) -> None:
        if self._closed:
            return
        self._closed = True
        loop = self._loop
        if self._stop is not None and not loop.is_closed():
            def stop():
                if not self._stop.done():
                    self._stop.set_result(None)
            try:
                loop.call_soon_threadsafe(stop)
            except RuntimeError:
                pass
        self._thread.join(timeout)
        if not self._thread.is_alive() and not loop.is_closed():
            loop.close()
        self._referee.close()
        self._records.close()

    def __enter__(self) -> "ClassroomHost":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
