"""Classroom host latency: many students on loopback sending chat results at a steady rate.

The host runs in its own process (as on the trainer's machine); the students are asyncio websocket
clients in this one. Each student joins, gets the round, opens a chat and sends a chat message
every 1/RATE seconds for SECONDS; latency is send -> host validated, applied, stored -> ack back.
Run twice: without a store, and with a SQLite store (every result committed before its ack).
The host scores every agent line itself (referee.py) after the ack; the scoring lag is the time
from a line's arrival to its score on the board. With --replies every message is a trainee reply
from a real script (each one scored); the issue's load is 100 students replying every 5 s:

    python benchmarks/classroom.py [CLIENTS=100] [SECONDS=5] [RATE=4]
    python benchmarks/classroom.py 100 30 0.2 --replies

Prints figures; asserts nothing.
"""
from __future__ import annotations

import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from game.classroom import protocol as P  # noqa: E402

REPLIES = "--replies" in sys.argv
ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
CLIENTS = int(ARGS[0]) if len(ARGS) > 0 else 100
SECONDS = float(ARGS[1]) if len(ARGS) > 1 else 5.0
RATE = float(ARGS[2]) if len(ARGS) > 2 else 4.0
SCRIPT = ["亲,您好!欢迎光临,很高兴为您服务", "我们家都是明码标价的哦,这款是头层牛皮,做工和质量都很好",
          "非常理解您,我请示一下店长看能不能给您优惠,您稍等", "亲,店长同意给您160元,再送您一双鞋垫",
          "今天3点半前拍下当天就给您发货哦", "好的亲,请核对一下收货地址,感谢您的惠顾"]
PERSONA = "haggler-nurse-shoes"

HOST = """
import sys, time
sys.path.insert(0, {root!r})
from game.content.loader import load_library
from game.classroom.host import ClassroomHost
store = None
if {data!r}:
    from game.store.db import Store
    store = Store.open({data!r})
lib = load_library({content!r})
host = ClassroomHost(lib, host="127.0.0.1", port=0, max_clients={clients}, store=store)
host.start_round([{persona!r}], seed=1)
lags = []
plain = host._referee.do
def timed_do(fn, *args):  # the scoring lag: arrival on the loop -> the host's score is on the board
    if fn.__name__ != "_message":
        return plain(fn, *args)
    t = time.perf_counter()
    def run(*a):
        fn(*a)
        if a[1]["who"] == "agent":
            lags.append(time.perf_counter() - t)
    run.__name__ = fn.__name__
    return plain(run, *args)
host._referee.do = timed_do
host._referee.warm(120)  # the scoring process has loaded its content
print("READY", host.port, host.code, flush=True)
sys.stdin.read()
host.flush(60)
host.close()
if lags:
    lags.sort()
    q = lambda p: lags[min(len(lags) - 1, int(p * (len(lags) - 1)))] * 1000
    print("LAG", len(lags), q(0.5), q(0.99), lags[-1] * 1000, flush=True)
if store is not None:
    n = sum(1 for s in store.sessions() if s.source == "classroom")
    m = sum(len(store.messages(s.id)) for s in store.sessions() if s.source == "classroom")
    print("STORED", n, m, flush=True)
    store.close()
"""

FEEDBACK = {"score": 85.0, "faults": [{"rule": "r", "title": "称呼", "why": "没有称呼顾客", "severity": "minor",
                                      "text": "你"}], "strengths": ["主动问好"], "rewrite": "亲,您好!"}


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))] if xs else float("nan")


async def student(i: int, port: int, code: str, lat: list, errors: list, stop: list, ready: list, start_evt) -> int:
    from websockets.asyncio.client import connect
    sent: dict[int, float] = {}
    async with connect(f"ws://127.0.0.1:{port}/", proxy=None, compression=None, open_timeout=20,
                       max_size=P.MAX_HOST_FRAME) as ws:
        await ws.send(P.encode("hello", name=f"学员{i:03d}", code=code, role="student"))
        rnd = None
        while rnd is None:
            m = json.loads(await ws.recv())
            if m["type"] == "refused":
                errors.append(m["reason"])
                return 0
            if m["type"] == "round_start":
                rnd = m["round"]
        ready[0] += 1
        await start_evt.wait()
        chat = f"1:{PERSONA}"

        async def reader():
            while True:
                m = json.loads(await ws.recv())
                if m["type"] == "ack" and m["seq"] in sent:
                    lat.append(time.perf_counter() - sent.pop(m["seq"]))
                elif m["type"] == "error":
                    errors.append(m["reason"])
        rd = asyncio.create_task(reader())
        seq = 0
        try:
            sent[1] = time.perf_counter()
            await ws.send(P.encode("chat_open", round=rnd, seq=1, chat=chat, persona=PERSONA, time=0.0, seed=1))
            seq, n = 1, 0
            period = 1.0 / RATE
            nxt = time.perf_counter() + (i % 10) * period / 10  # spread the clients over the period
            while time.perf_counter() < stop[0]:
                await asyncio.sleep(max(0.0, nxt - time.perf_counter()))
                nxt += period
                seq += 1
                who = "agent" if (n % 2 or REPLIES) else "buyer"
                text = (SCRIPT[n % len(SCRIPT)] if REPLIES
                        else "亲,您好!这款是头层牛皮,做工和质量都很好,今天下单送您一双鞋垫哦")
                frame = P.encode("chat_msg", round=rnd, seq=seq, chat=chat, n=n, who=who, kind="line", text=text,
                                 time=float(n) * (6.0 if REPLIES else 1.0), wait=2.0 if who == "agent" else 0.0,
                                 first=n == 1, typing=None,
                                 intents=["greet"], state="asking", mood=60.0,
                                 feedback=FEEDBACK if who == "agent" else None)
                sent[seq] = time.perf_counter()
                await ws.send(frame)
                n += 1
            end = time.perf_counter() + 10
            while sent and time.perf_counter() < end:
                await asyncio.sleep(0.01)
        finally:
            rd.cancel()
            try:
                await rd
            except (asyncio.CancelledError, Exception):
                pass
        return seq


async def run_clients(port: int, code: str) -> dict:
    lat: list[float] = []
    errors: list[str] = []
    start_evt = asyncio.Event()
    stop, ready = [float("inf")], [0]
    t0 = time.perf_counter()
    tasks = [asyncio.create_task(student(i, port, code, lat, errors, stop, ready, start_evt)) for i in range(CLIENTS)]
    deadline = t0 + 30
    while ready[0] < CLIENTS and time.perf_counter() < deadline and not all(t.done() for t in tasks):
        await asyncio.sleep(0.01)
    joined_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    stop[0] = t1 + SECONDS
    start_evt.set()
    sent = await asyncio.gather(*tasks, return_exceptions=True)
    elapsed = min(time.perf_counter() - t1, SECONDS)
    ok = [x for x in sent if isinstance(x, int)]
    return {"lat": lat, "errors": errors, "elapsed": elapsed, "sent": sum(ok), "joined": joined_s, "ready": ready[0],
            "failed": [repr(x) for x in sent if not isinstance(x, int)][:3]}


def bench(with_store: bool) -> None:
    data = tempfile.mkdtemp(prefix="kefusim-bench-") if with_store else ""
    code_ = HOST.format(root=str(ROOT), data=data, content=str(ROOT / "scenarios"), clients=CLIENTS, persona=PERSONA)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    p = subprocess.Popen([sys.executable, "-c", code_], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                         env=env)
    try:
        line = p.stdout.readline().split()
        assert line and line[0] == "READY", line
        port, code = int(line[1]), line[2]
        res = asyncio.run(run_clients(port, code))
    finally:
        p.stdin.close()
        tail = p.stdout.read()
        p.wait(30)
        p.stdout.close()
        if data:
            shutil.rmtree(data, ignore_errors=True)
    lat = [x * 1000 for x in res["lat"]]
    label = "SQLite store (FULL sync)" if with_store else "no store"
    print(f"-- host with {label}")
    print(f"   {res['ready']}/{CLIENTS} clients joined in {res['joined']:.2f} s; sending {RATE:g} msg/s each for {SECONDS:g} s")
    print(f"   sent {res['sent']} results, acknowledged {len(lat)}, {len(lat) / res['elapsed']:.0f} msg/s over "
          f"{res['elapsed']:.2f} s")
    if lat:
        print(f"   ack latency: p50 {pct(lat, 50):.2f} ms, p90 {pct(lat, 90):.2f} ms, p99 {pct(lat, 99):.2f} ms, "
              f"max {max(lat):.2f} ms, mean {statistics.fmean(lat):.2f} ms")
    if res["errors"]:
        print(f"   errors: {len(res['errors'])} ({', '.join(sorted(set(res['errors'])))})")
    if res["failed"]:
        print(f"   failed clients: {res['failed']}")
    for ln in tail.splitlines():
        if ln.startswith("LAG"):
            _, k, p50, p99, mx = ln.split()
            print(f"   host scoring lag ({k} agent lines scored): p50 {float(p50):.0f} ms, p99 {float(p99):.0f} ms, "
                  f"max {float(mx):.0f} ms")
        if ln.startswith("STORED"):
            _, n, m = ln.split()
            print(f"   store: {n} chats, {m} messages written")


if __name__ == "__main__":
    print(f"classroom benchmark: {CLIENTS} clients, {SECONDS:g} s at {RATE:g} msg/s each "
          f"(host rate limit {P.RATE:g}/s, burst {P.BURST})")
    bench(False)
    bench(True)
