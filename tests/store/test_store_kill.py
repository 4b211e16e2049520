"""Kill -9 in the middle of a chat: every message already sent or shown is in the store afterwards,
and the session shows as interrupted."""
import os
import queue
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from game.store.db import Store

ROOT = Path(__file__).resolve().parent.parent.parent
TIMEOUT = 20.0


class Child:
    """A subprocess whose stdout lines are collected by a thread, with `expect` to wait for a line."""

    def __init__(self, args, cwd=ROOT):
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONIOENCODING": "utf-8", "PYTHONPATH": str(ROOT)}
        self.proc = subprocess.Popen(args, cwd=cwd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.lines: list[str] = []
        self._q: queue.Queue[str] = queue.Queue()
        self._t = threading.Thread(target=self._read, daemon=True)
        self._t.start()

    def _read(self):
        for raw in self.proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            self.lines.append(line)
            self._q.put(line)

    def expect(self, pattern: str, timeout: float = TIMEOUT) -> str:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                if self.proc.poll() is None:
                    self.proc.kill()
                err = self.proc.stderr.read().decode("utf-8", "replace")
                self.kill()
                raise AssertionError(f"no line matching {pattern!r}; output so far:\n" + "\n".join(self.lines)
                                     + "\nstderr:\n" + err)
            try:
                line = self._q.get(timeout=left)
            except queue.Empty:
                continue
            if re.search(pattern, line):
                return line

    def send(self, text: str) -> None:
        self.proc.stdin.write((text + "\n").encode("utf-8"))
        self.proc.stdin.flush()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()  # SIGKILL on POSIX: no handler, no cleanup, no atexit
        self.proc.wait(timeout=TIMEOUT)
        self._t.join(timeout=TIMEOUT)
        for s in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            s.close()


@pytest.fixture
def fast_content(tmp_path):
    """The shipped content with quick-typing buyers, so the real-time chat takes a second, not ten."""
    content = tmp_path / "scenarios"
    shutil.copytree(ROOT / "scenarios", content)
    buyer = content / "rules" / "buyer.yaml"
    text = buyer.read_text(encoding="utf-8")
    for key, value in (("chars_per_second", "200"), ("think", "0.1"), ("min_delay", "0.2"), ("max_delay", "0.6")):
        text, n = re.subn(rf"(?m)^(\s*{key}:)\s*[\d.]+", rf"\g<1> {value}", text)
        assert n == 1, key
    buyer.write_text(text, encoding="utf-8")
    return content


def _buyer_lines(output: list[str], name: str) -> list[str]:
    out = []
    for line in output:
        m = re.search(rf"\[\d\d:\d\d\] {name}: (.*?)( \[催促\])?$", line)
        if m:
            out.append(m.group(1))
    return out


def test_kill_terminal_play_mid_chat_loses_nothing(tmp_path, fast_content):
    data = tmp_path / "data"
    child = Child([sys.executable, str(ROOT / "main.py"), "--content", str(fast_content), "--data-dir", str(data),
                   "play", "--text", "haggler-nurse-shoes", "--seed", "3", "--profile", "测试学员"])
    sent = ["亲,您好!欢迎光临大礼拜旗舰店,很高兴为您服务",
            "亲,我们家都是明码标价的哦,这款是头层牛皮,做工和质量都很好,真的值这个价呢"]
    try:
        child.expect(r"小雨: ")                  # the buyer's opening line
        child.send(sent[0])
        child.expect(r"回复用时")                # the reply was taken (and stored before this was printed)
        child.expect(r"小雨: ")                  # her question
        child.send(sent[1])
        child.expect(r"回复用时")
        assert child.proc.poll() is None, "the chat ended before the kill"
    finally:
        child.kill()
    assert child.proc.returncode != 0
    shown = _buyer_lines(child.lines, "小雨")
    assert len(shown) >= 2

    with Store.open(data) as store:
        [s] = store.sessions()
        assert s.status == "interrupted" and s.reason == "killed" and s.outcome is None
        assert s.profile == "测试学员" and s.persona_id == "haggler-nurse-shoes" and s.seed == 3
        msgs = store.messages(s.id)
        agent = [m.text for m in msgs if m.who == "agent"]
        buyer = [m.text for m in msgs if m.who == "buyer"]
        assert agent[:2] == sent
        assert buyer[:len(shown)] == shown       # every line shown on screen is in the store, in order
        assert [m.seq for m in msgs] == list(range(len(msgs)))
        assert msgs[1].who == "agent" and msgs[1].first and msgs[1].wait > 0 and "greet" in msgs[1].intents
        assert [t.trigger for t in store.transitions(s.id)][:1] == ["greet"]
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        # the same seed and content replay the real-time chat exactly, up to the moment it was killed
        from game.content.loader import load_library
        from game.language.reader import Reader
        from game.store.rerun import rerun
        lib = load_library(fast_content)
        r = rerun(s, msgs, lib.personas["haggler-nurse-shoes"], Reader(lib.intents), defaults=lib.buyer_defaults)
        assert r.same, r.differences


RECORDER_SCRIPT = r"""
import sys
import numpy as np
from game.content.loader import load_library
from game.engine.clock import ManualClock
from game.engine.conversation import Conversation
from game.language.reader import Reader
from game.store.db import Store
from game.store.recorder import SessionRecorder

lib = load_library(sys.argv[1])
persona = lib.personas["haggler-nurse-shoes"]
clock = ManualClock()
conv = Conversation(persona, Reader(lib.intents), clock, np.random.default_rng(1), defaults=lib.buyer_defaults)
store = Store.open(sys.argv[2])
rec = SessionRecorder(store, profile="脚本", persona=persona, seed=1, source="script")
rec.start(conv)
print("ready", flush=True)
for n, line in enumerate(sys.stdin):
    clock.advance(3)
    conv.tick()
    conv.trainee_says(line.strip())
    rec.sync(conv)
    print("stored", n, flush=True)
"""


def test_kill_recorder_process_after_each_message(tmp_path):
    data = tmp_path / "data"
    child = Child([sys.executable, "-c", RECORDER_SCRIPT, str(ROOT / "scenarios"), str(data)])
    lines = ["亲,您好", "这款是头层牛皮,质量很好", "亲,您稍等,我问问店长", "给您送一双鞋垫", "今天就给您发货"]
    try:
        child.expect("ready")
        for n, text in enumerate(lines):
            child.send(text)
            child.expect(f"stored {n}")
    finally:
        child.kill()
    with Store.open(data) as store:
        [s] = store.sessions()
        assert s.status == "interrupted"
        assert [m.text for m in store.messages(s.id) if m.who == "agent"] == lines
