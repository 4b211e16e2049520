"""Helpers of the classroom tests: bounded waits, simulated students' scripts, a raw websocket."""
import json
import time

from game.classroom import protocol as P
from game.engine.script import parse_script

PERSONA = "haggler-nurse-shoes"


def wait_until(pred, timeout: float = 10.0, what: str = "condition"):
    """Poll `pred` until it is truthy (returns it) or fail after `timeout` seconds. Never an assertion by sleep."""
    end = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() > end:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.005)


def joined(client, timeout=10.0):
    wait_until(lambda: client.connected or client.finished, timeout, f"{client.name} to join")
    assert client.connected, client.refusal
    return client


def wait_round(student, timeout=10.0, round_id=None):
    """The student's round once its round_start arrived (round `round_id`, or any)."""
    def ready():
        student.update(tick=False)
        r = student.round
        return r if r is not None and (round_id is None or r.round == round_id) else None
    return wait_until(ready, timeout, f"round_start {round_id or ''}")


def play(rnd, script: str, *, drain: bool = True) -> None:
    """Play a script on a StudentRound's active chat with its manual clock, as `simulate` does
    (drain: then let the buyer finish the chat)."""
    conv = rnd.session.conversation
    clock = rnd.clock
    rnd.update()
    last_step = clock.now()
    for step in parse_script(script):
        if conv.finished:
            break
        while conv.buyer_typing and not conv.finished:
            rnd.advance_to(conv.next_due())
        last_buyer = max((m.time for m in conv.transcript if m.who == "buyer"), default=0.0)
        rnd.advance_to(max(last_step, last_buyer) + step.delay)
        last_step = clock.now()
        if step.text is not None and not conv.finished:
            rnd.say(step.text)
    limit = clock.now() + (600 if drain else 0)
    for _ in range(1000 if drain else 0):
        due = conv.next_due()
        if conv.finished or due is None or due > limit:
            break
        rnd.advance_to(due)


def acked(client, host=None, timeout=10.0):
    """The client's results are acknowledged and, given the host, the host has scored them (its
    referee works after the acknowledgement)."""
    wait_until(lambda: client.pending() == 0, timeout, f"{client.name}'s results to be acknowledged")
    if host is not None:
        host.flush(timeout)


class Raw:
    """A raw websocket to the host (the sync client, as a context manager): frames in, frames out."""

    def __init__(self, ws):
        self.ws = ws

    def send(self, obj) -> None:
        self.ws.send(obj if isinstance(obj, (str, bytes)) else json.dumps(obj, ensure_ascii=False))

    def recv(self, timeout=5.0) -> dict:
        return json.loads(self.ws.recv(timeout=timeout))

    def hello(self, host, name="测试", code=None, **kw) -> dict:
        self.send({"v": P.PROTOCOL_VERSION, "type": "hello", "name": name,
                   "code": host.code if code is None else code, "role": "student", **kw})
        return self.recv()

    def until(self, type_, timeout=5.0) -> dict:
        end = time.monotonic() + timeout
        while True:
            m = self.recv(max(0.01, end - time.monotonic()))
            if m["type"] == type_:
                return m


def end_round(host, students=(), timeout=10.0):
    """End the round while the students keep polling (they answer round_stop with their last results)."""
    host.end_round()

    def over():
        for s in students:
            s.update(tick=False)
        info = host.current_round
        return info is not None and info["ended"]
    wait_until(over, timeout, "the round to end")
    return host.podium()
