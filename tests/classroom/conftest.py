"""Classroom fixtures: a host on 127.0.0.1 (port 0), simulated students, raw sockets."""
import contextlib

import pytest

from game.classroom import protocol as P
from game.engine.clock import ManualClock
from tests.classroom.helpers import Raw


@pytest.fixture(scope="session")
def scorer(library):
    from game.scoring.cli import make_scorer
    return make_scorer(library)


@pytest.fixture
def judge_factory(scorer):
    from game.scoring.judge import Judge
    return lambda: Judge(scorer)


@pytest.fixture
def store(tmp_path):
    from game.store.db import Store
    s = Store(tmp_path / "kefusim.db", synchronous="NORMAL")
    yield s
    s.close()


@pytest.fixture
def make_host(library, scorer):
    from game.classroom.host import ClassroomHost
    from game.scoring.judge import Judge
    hosts = []

    def make(**kw):
        kw.setdefault("host", "127.0.0.1")
        kw.setdefault("judge", Judge(scorer))
        h = ClassroomHost(library, **kw)
        hosts.append(h)
        return h
    yield make
    for h in hosts:
        h.close()


@pytest.fixture
def make_client():
    from game.classroom.client import ClassroomClient
    clients = []

    def make(host, name, code=None, **kw):
        c = ClassroomClient(host.address(), name, host.code if code is None else code, **kw)
        clients.append(c)
        return c
    yield make
    for c in clients:
        c.close(flush=False)


@pytest.fixture
def make_student(library, make_client, judge_factory):
    """A simulated student: a client and the student driver with a manual clock."""
    from game.classroom.student import ClassroomStudent

    def make(host, name, **kw):
        c = make_client(host, name, **kw)
        return ClassroomStudent(c, library, clock_factory=ManualClock, judge_factory=judge_factory)
    return make


@pytest.fixture
def raw():
    from websockets.sync.client import connect

    @contextlib.contextmanager
    def open_(host):
        with connect(f"ws://127.0.0.1:{host.port}/", proxy=None, open_timeout=5, close_timeout=1,
                     compression=None, max_size=P.MAX_HOST_FRAME) as ws:
            yield Raw(ws)
    return open_
