import pytest

from game.engine.script import parse_script, simulate
from game.store.db import Store
from game.store.recorder import SessionRecorder


class Tick:
    """A wall clock for the store that moves one second a call, so orders and dates are deterministic."""

    def __init__(self, start: float = 1_700_000_000.0):
        self.t = start

    def __call__(self) -> float:
        self.t += 1.0
        return self.t


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "kefusim.db", wallclock=Tick())
    yield s
    s.close()


@pytest.fixture
def record(library, reader):
    """Play a script against a persona and store it: record(store, persona, script, ...) -> session id."""

    def run(store, persona_id, script, *, seed=3, profile="小王", judge=None, report=None):
        persona = library.personas[persona_id]
        result = simulate(persona, parse_script(script), reader, seed=seed, defaults=library.buyer_defaults,
                          judge=judge)
        rec = SessionRecorder(store, profile=profile, persona=persona, seed=seed, source="simulate",
                              content_root=library.root)
        rec.start(result.conversation)
        rec.finish(result.conversation, report)
        rec.close()
        assert rec.error is None
        return rec.session_id

    return run
