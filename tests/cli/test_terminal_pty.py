"""Terminal play in a real terminal (a pty): every way out leaves the terminal as it found it
(`stty -g` equal before and after), so the next command's typing is visible (issue 12)."""
import os
import select
import signal
import sys
import termios
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent

pytestmark = pytest.mark.skipif(not hasattr(os, "login_tty"), reason="needs a POSIX pty")


class _Terminal:
    """The game on the slave side of a pty, as in a terminal window; the test types on the master."""

    def __init__(self, *args, piped=False):
        self.master, self.slave = os.openpty()
        self.before = termios.tcgetattr(self.slave)
        self.out = b""
        self.pipe = os.pipe() if piped else None  # `play --text | head`: output into a pipe
        self.pid = os.fork()
        if self.pid == 0:  # the child: the pty is its controlling terminal, as in a shell
            try:
                os.close(self.master)
                os.login_tty(self.slave)
                # as a shell starts a foreground job: Ctrl-C interrupts even when the test runner was
                # started in the background, where SIGINT comes ignored and exec keeps it so
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                if self.pipe:
                    os.dup2(self.pipe[1], 1)
                    os.close(self.pipe[0])
                os.chdir(ROOT)
                os.execv(sys.executable, [sys.executable, "main.py", "play", "--text", *args])
            finally:
                os._exit(127)

    def read_until(self, text: str, timeout: float = 30.0) -> None:
        want = text.encode()
        src = self.pipe[0] if self.pipe else self.master
        deadline = time.monotonic() + timeout
        while want not in self.out:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"{text!r} never appeared in:\n{self.out.decode(errors='replace')}")
            ready, _, _ = select.select([src], [], [], left)
            if ready:
                try:
                    self.out += os.read(src, 65536)
                except OSError:  # the game has gone and closed the terminal's far side
                    raise AssertionError(f"{text!r} never appeared in:\n{self.out.decode(errors='replace')}")

    def type(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def wait(self, timeout: float = 30.0) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return os.waitstatus_to_exitcode(status)
            if select.select([self.master], [], [], 0.05)[0]:  # keep the pty drained
                try:
                    self.out += os.read(self.master, 65536)
                except OSError:
                    pass
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        raise AssertionError("the game did not end:\n" + self.out.decode(errors="replace"))

    def after(self):
        state = termios.tcgetattr(self.slave)
        os.close(self.master)
        os.close(self.slave)
        return state


@pytest.mark.parametrize("how, keys", [
    ("quit", "/quit\r"),
    ("q", "q\r"),
    ("ctrl-c", "\x03"),
    ("ctrl-d", "\x04"),
])
def test_the_terminal_is_as_it_was_after_every_way_out(how, keys):
    t = _Terminal("haggler-nurse-shoes", "--seed", "4")
    t.read_until("小雨:")
    t.type("亲,您好!很高兴为您服务\r")
    t.read_until("回复用时")
    t.type(keys)
    t.wait()
    assert t.after() == t.before, how
    assert b"Traceback" not in t.out


def test_the_terminal_is_as_it_was_after_a_chat_that_ends_on_its_own():
    t = _Terminal("haggler-nurse-shoes", "--seed", "4")
    t.read_until("小雨:")
    t.type("你爱买不买\r")  # the buyer leaves and the chat ends without a quit
    t.wait(120)
    assert t.after() == t.before
    assert b"Traceback" not in t.out


def test_the_terminal_is_as_it_was_when_the_output_pipe_closes():
    t = _Terminal("haggler-nurse-shoes", "--seed", "4", piped=True)
    os.close(t.pipe[1])
    t.read_until("小雨:")
    os.close(t.pipe[0])  # `| head` has had enough: the next line the game prints has nowhere to go
    t.type("亲,您好!很高兴为您服务\r")
    t.wait()
    assert t.after() == t.before
