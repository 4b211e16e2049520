"""A student's connection to the trainer's room, off the calling thread.

    client = ClassroomClient("192.168.1.5:8765", "小王", "482913")   # returns at once; connects in the background
    ... each frame: for msg in client.poll(): ...                     # received messages (dicts, validated)
    client.send_reliable("chat_msg", round=1, chat=..., ...)          # numbered, resent until acknowledged
    client.close()

The connection runs on its own thread with its own asyncio loop (websockets' asyncio client), so
neither connecting (up to `connect_timeout`) nor a slow network ever blocks the game's loop.
A dropped connection is reopened with the same name, code and resume key; results not yet
acknowledged are sent again (the host drops duplicates by sequence number), so nothing is lost.
Refusals arrive as {"type": "refused", "reason", "text"} with a Chinese text; after a final one
(wrong code, duplicate name, room full ...) the client stops.

Besides the protocol's host-to-client messages, poll() returns local status messages:
{"type": "status", "state": connecting|connected|reconnecting|closed, "text": ...}.
"""
from __future__ import annotations

import asyncio
import itertools
import queue
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from .loops import close_loop
from . import protocol as P
from .protocol import ProtocolError

BACKOFF = (0.1, 0.3, 0.6, 1.0, 2.0, 3.0)
STATUS_TEXT = {
    "connecting": "正在连接培训师的电脑…",
    "connected": "已加入房间。",
    "reconnecting": "连接断开,正在重新连接…",
    "closed": "已离开房间。",
}


@dataclass
class _Pending:
    round: int
    seq: int
    text: str
    sent_at: float | None = None


def _seat(host, port, code, name) -> str:
    return f"{host}:{port}|{code}|{name}"


class ClassroomClient:
    def __init__(self, address, name: str, code: str, *, role: str = "student", token: str | None = None,
                 connect_timeout: float = 5.0, reconnect: bool = True, key: str | None = None,
                 client_name: str = "kefusim", key_file=None):
        self.host, self.port = P.parse_address(address) if isinstance(address, str) else address
        self.name = name
        self.code = str(code).strip()
        self.role = role
        self.token = token
        # The seat key of the first welcome, kept in a file across restarts: a rejoin needs it.
        self.key_file = key_file
        self.key = key or self._saved_key()
        self.connect_timeout = connect_timeout
        self.reconnect = reconnect
        self.client_name = client_name
        self.state = "connecting"
        self.refusal: dict | None = None       # the final refusal, when there was one
        self.welcome: dict | None = None
        self.connections = 0                   # successful joins (1 + rejoins)
        self._inbox: queue.Queue = queue.Queue()
        self._lock = threading.Lock()
        self._seq: dict[int, int] = {}          # round -> last seq given out (loop thread)
        self._pending: dict[tuple[int, int], _Pending] = {}  # unacknowledged reliable messages (loop thread)
        self._unposted = 0                      # handed to send_reliable, not yet numbered by the loop
        self._plain: list[str] = []             # fire-and-forget frames for the current connection
        self._ws = None
        self._closing = False
        self._loop = asyncio.new_event_loop()
        self._wake: asyncio.Event | None = None
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"classroom-client-{name}", daemon=True)
        self._thread.start()
        self._started.wait(5)

    # ================================================================ the caller's side
    def poll(self, timeout: float = 0.0) -> list[dict]:
        """Messages received since the last call; never blocks unless timeout > 0 (then waits for the first)."""
        out = []
        if timeout > 0:
            try:
                out.append(self._inbox.get(timeout=timeout))
            except queue.Empty:
                return out
        while True:
            try:
                out.append(self._inbox.get_nowait())
            except queue.Empty:
                return out

    def send(self, type_: str, **fields) -> None:
        """Send a message once (ping, bye): validated here, dropped if the connection is down."""
        text = P.encode(type_, **fields)
        self._post(self._queue_plain, text)

    def send_reliable(self, type_: str, **fields) -> None:
        """Send a round result (chat_open, chat_msg, chat_end, round_problem, rp_say, rp_end): numbered
        per round and sent again until the host acknowledges it, across reconnects."""
        if "round" not in fields:
            raise ProtocolError("missing_field", "round")
        P.make(type_, seq=1, **fields)  # a bad message is the caller's bug: raise here, not on the wire
        with self._lock:
            self._unposted += 1
        self._post(self._queue_reliable, type_, fields)

    @property
    def connected(self) -> bool:
        return self.state == "connected"

    @property
    def finished(self) -> bool:
        """Closed or finally refused: this client will not connect again."""
        return self.state in ("closed", "refused")

    def pending(self) -> int:
        """Results sent but not yet acknowledged by the host."""
        with self._lock:
            return len(self._pending) + self._unposted

    def drop(self) -> None:
        """Cut the connection abruptly, as a pulled cable would (for tests and drills); it reconnects."""
        def cut():
            ws = self._ws
            if ws is not None and ws.transport is not None:
                ws.transport.abort()
        self._post(cut)

    def close(self, timeout: float = 5.0, *, bye: bool = True, flush: bool = True) -> None:
        """Leave the room (after results in flight are acknowledged, up to 2 s; say bye) and stop the thread."""
        if flush and self.connected:
            end = time.monotonic() + min(2.0, timeout / 2)
            while self.pending() and self.connected and time.monotonic() < end:
                time.sleep(0.02)
        if not self._thread.is_alive():
            if not self._loop.is_closed():
                self._loop.close()
            return

        def stop():
            self._closing = True
            if bye and self._ws is not None and self.state == "connected":
                self._plain.append(P.encode("bye"))
            if self._wake is not None:
                self._wake.set()
        self._post(stop)
        self._thread.join(timeout)
        if not self._thread.is_alive() and not self._loop.is_closed():
            self._loop.close()

    def __enter__(self) -> "ClassroomClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _post(self, fn, *args) -> None:
        try:
            self._loop.call_soon_threadsafe(fn, *args)
        except RuntimeError:  # the loop is closed: the client has stopped
            pass

    def _emit(self, msg: dict) -> None:
        self._inbox.put(msg)

    def _saved_key(self) -> str | None:
        if not self.key_file:
            return None
        try:
            import json
            keys = json.loads(Path(self.key_file).read_text(encoding="utf-8"))
            got = keys.get(_seat(self.host, self.port, self.code, self.name))
            return got if isinstance(got, str) else None
        except (OSError, ValueError, AttributeError):
            return None

    def _save_key(self, key: str) -> None:
        if not self.key_file or self.role != "student":
            return
        try:
            import json
            path = Path(self.key_file)
            try:
                keys = json.loads(path.read_text(encoding="utf-8"))
                keys = keys if isinstance(keys, dict) else {}
            except (OSError, ValueError):
                keys = {}
            keys[_seat(self.host, self.port, self.code, self.name)] = key
            keys = dict(list(keys.items())[-50:])  # the last rooms only
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(path.name + ".tmp")
            tmp.write_text(json.dumps(keys, ensure_ascii=False), encoding="utf-8")
            tmp.replace(path)
        except OSError:
            pass  # a rejoin then needs the trainer; play goes on

    def _status(self, state: str, text: str | None = None) -> None:
        self.state = state
        self._emit({"type": "status", "state": state, "text": text or STATUS_TEXT.get(state, state)})

    # ================================================================ the loop thread
    def _queue_plain(self, text: str) -> None:
        if self._ws is not None:
            self._plain.append(text)
            self._wake.set()

    def _queue_reliable(self, type_: str, fields: dict) -> None:
        r = fields["round"]
        seq = self._seq.get(r, 0) + 1
        self._seq[r] = seq
        text = P.encode(type_, seq=seq, **fields)
        with self._lock:
            self._unposted -= 1
            self._pending[(r, seq)] = _Pending(r, seq, text)
        self._wake.set()

    def _acked(self, r: int, seq: int) -> None:
        with self._lock:
            for k in [k for k in self._pending if k[0] == r and k[1] <= seq]:
                del self._pending[k]
        if self._seq.get(r, 0) < seq:
            self._seq[r] = seq  # a restarted client continues after what the host has

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._main())
        except Exception as exc:  # never a silent dead client: the UI is told
            self._status("closed", f"连接出错: {exc}")
        finally:
            close_loop(self._loop)

    async def _main(self) -> None:
        from websockets.asyncio.client import connect
        from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

        self._wake = asyncio.Event()
        self._started.set()
        delays = itertools.chain(BACKOFF, itertools.repeat(BACKOFF[-1]))
        uri = f"ws://{self.host}:{self.port}/" if ":" not in self.host else f"ws://[{self.host}]:{self.port}/"
        self._status("connecting")
        while not self._closing:
            try:
                ws = await connect(uri, open_timeout=self.connect_timeout, max_size=P.MAX_HOST_FRAME,
                                   compression=None, proxy=None, ping_interval=10, ping_timeout=20,
                                   close_timeout=2, max_queue=256)
            except (OSError, asyncio.TimeoutError, InvalidHandshake, InvalidURI, ConnectionClosed) as exc:
                if not self.reconnect:
                    self._status("closed", f"无法连接 {self.host}:{self.port}: {exc}")
                    return
                await self._sleep(next(delays))
                continue
            self._ws = ws
            try:
                outcome = await self._connection(ws)
            except ConnectionClosed:
                outcome = "lost"
            finally:
                self._ws = None
                self._plain.clear()
                await ws.close()
            if outcome == "refused":
                return
            if outcome == "joined":
                delays = itertools.chain(BACKOFF, itertools.repeat(BACKOFF[-1]))
            if self._closing or not self.reconnect:
                break
            self._status("reconnecting")
            await self._sleep(next(delays))
        self._status("closed")

    async def _sleep(self, seconds: float) -> None:
        self._wake.clear()
        try:
            await asyncio.wait_for(self._wake.wait(), seconds)
        except asyncio.TimeoutError:
            pass

    async def _connection(self, ws) -> str:
        """One connection: hello, welcome (or a refusal), then send and receive until it drops."""
        from websockets.exceptions import ConnectionClosed

        hello = {"name": self.name, "code": self.code, "role": self.role, "client": self.client_name[:40]}
        if self.key:
            hello["key"] = self.key
        if self.token:
            hello["token"] = self.token
        try:
            await ws.send(P.encode("hello", **hello))
        except ProtocolError as exc:  # a name or code that cannot even be sent
            self.refusal = {"type": "refused", "reason": "bad_name" if "name" in exc.detail else "wrong_code",
                            "text": exc.text, "detail": exc.detail}
            self._emit(dict(self.refusal))
            self._status("refused", exc.text)
            return "refused"
        try:
            raw = await asyncio.wait_for(ws.recv(), self.connect_timeout + P.HELLO_TIMEOUT)
            msg = P.decode(raw, direction="h>c", max_bytes=P.MAX_HOST_FRAME)
        except (asyncio.TimeoutError, ProtocolError):
            return "lost"
        if msg["type"] == "refused":
            if msg["reason"] in P.FATAL:
                self.refusal = msg
                self._emit(msg)
                self._status("refused", msg["text"])
                return "refused"
            self._emit(msg)
            return "lost"
        if msg["type"] != "welcome":
            return "lost"
        self.welcome = msg
        self.key = msg["key"]
        self._save_key(self.key)
        self.connections += 1
        self._status("connected")
        self._emit(msg)
        with self._lock:
            for p in self._pending.values():
                p.sent_at = None  # everything unacknowledged goes again on this connection
        sender = asyncio.create_task(self._sender(ws))
        try:
            async for raw in ws:
                try:
                    msg = P.decode(raw, direction="h>c", max_bytes=P.MAX_HOST_FRAME)
                except ProtocolError as exc:
                    self._emit({"type": "error", "reason": exc.reason, "text": "收到无法识别的消息",
                                "detail": exc.detail, "ref": None})
                    continue
                t = msg["type"]
                if t == "ack":
                    self._acked(msg["round"], msg["seq"])
                    continue
                if t == "resume":
                    self._acked(msg["round"], msg["seq"])
                if t == "refused":
                    if msg["reason"] in P.FATAL:
                        self.refusal = msg
                        self._emit(msg)
                        self._status("refused", msg["text"])
                        return "refused"
                self._emit(msg)
        except ConnectionClosed:
            pass
        finally:
            sender.cancel()
            try:
                await sender
            except (asyncio.CancelledError, ConnectionClosed):
                pass
        return "joined"

    async def _sender(self, ws) -> None:
        """Send queued frames, paced under the host's rate limit; resend unacknowledged results."""
        bucket = P.TokenBucket(P.CLIENT_RATE, P.CLIENT_BURST, time.monotonic())
        bucket.take(time.monotonic())  # the hello
        while True:
            now = time.monotonic()
            frame = None
            if self._plain:
                frame = self._plain[0]
            else:
                with self._lock:
                    due = [p for p in self._pending.values()
                           if p.sent_at is None or now - p.sent_at >= P.RESEND_AFTER]
                    if due:
                        p = min(due, key=lambda x: (x.round, x.seq))
                        frame = p
            if frame is None:
                if self._closing:
                    await ws.close()
                    return
                self._wake.clear()
                try:
                    await asyncio.wait_for(self._wake.wait(), 0.5)
                except asyncio.TimeoutError:
                    pass
                continue
            wait = bucket.wait(now)
            if wait > 0:
                await asyncio.sleep(wait)
                continue
            bucket.take(now)
            if isinstance(frame, str):
                self._plain.pop(0)
                await ws.send(frame)
            else:
                frame.sent_at = now
                await ws.send(frame.text)
