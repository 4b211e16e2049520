"""kill -9 of the host mid-round: every result it acknowledged is in the records (issue 13)."""
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from game.classroom import protocol as P
from game.store.db import Store

ROOT = Path(__file__).resolve().parent.parent.parent
PERSONA = "haggler-nurse-shoes"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie not yet reaped by init is gone all the same
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True


def test_every_acknowledged_result_survives_a_killed_host_and_its_scoring_process_goes_with_it(tmp_path):
    from websockets.sync.client import connect
    data = tmp_path / "data"
    script = textwrap.dedent(f"""
        import multiprocessing, time
        from game.content.loader import load_library
        from game.classroom.host import ClassroomHost
        from game.store.db import Store
        lib = load_library({str(ROOT / 'scenarios')!r})
        host = ClassroomHost(lib, host="127.0.0.1", port=0, store=Store.open({str(data)!r}))
        host.start_round([{PERSONA!r}], seed=1)
        print("READY", host.port, host.code, *[c.pid for c in multiprocessing.active_children()], flush=True)
        time.sleep(120)
    """)
    p = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         cwd=str(ROOT), env=dict(os.environ, PYTHONPATH=str(ROOT)))
    acked: set[int] = set()
    try:
        line = p.stdout.readline().split()
        assert line and line[0] == "READY", p.stderr.read()
        port, code, children = int(line[1]), line[2], [int(x) for x in line[3:]]
        assert children  # the host scores in a process of its own
        with connect(f"ws://127.0.0.1:{port}/", proxy=None, open_timeout=10, max_size=P.MAX_HOST_FRAME) as ws:
            ws.send(P.encode("hello", name="小杀", code=code, role="student"))
            rnd = None
            while rnd is None:
                m = json.loads(ws.recv(timeout=10))
                rnd = m["round"] if m["type"] == "round_start" else None
            chat = f"1:{PERSONA}"
            ws.send(P.encode("chat_open", round=rnd, seq=1, chat=chat, persona=PERSONA, time=0.0, seed=5))
            for n in range(200):  # sent without waiting: many are in flight when the host dies
                who = "buyer" if n % 2 == 0 else "agent"
                ws.send(P.encode("chat_msg", round=rnd, seq=n + 2, chat=chat, n=n, who=who, kind="line",
                                 text=f"第{n}条消息", time=float(n), wait=1.0, first=n == 1, typing=None, intents=[],
                                 state="s", mood=50.0, feedback=None))
            while len(acked) < 42:
                m = json.loads(ws.recv(timeout=10))
                if m["type"] == "ack":
                    acked.update(range(1, m["seq"] + 1))
            os.kill(p.pid, signal.SIGKILL)
            try:
                while True:
                    m = json.loads(ws.recv(timeout=5))
                    if m["type"] == "ack":
                        acked.update(range(1, m["seq"] + 1))
            except Exception:  # noqa: BLE001 - the connection dies with the host
                pass
    finally:
        p.kill()
        p.wait(10)
        p.stdout.close()
        p.stderr.close()
    deadline = time.monotonic() + 30
    while any(_alive(c) for c in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(c) for c in children), "the scoring process outlived its host"
    with Store.open(str(data)) as store:
        (sess,) = [s for s in store.sessions() if s.source == "classroom"]
        stored = {m.seq for m in store.messages(sess.id)}
    want = {seq - 2 for seq in acked if seq >= 2}  # chat_msg n has seq n + 2
    assert len(want) >= 40 and want <= stored, sorted(want - stored)[:10]
