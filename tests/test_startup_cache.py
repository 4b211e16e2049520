"""Pattern safety verdicts kept on disk between processes (a warm start skips the analysis): a
pattern judged safe is not judged again, a refused one is refused again with the same message, and
a damaged or unwritable cache never changes a verdict nor stops content from loading."""
import json
import logging

import pytest

from game.content import patterns
from game.content.loader import load_intents

SAFE = r"x\d+y"
UNSAFE = r"(\d+)+元"


@pytest.fixture
def fresh(tmp_path, monkeypatch):
    """A new process's state: no verdict in memory, the cache folder ``tmp_path/cache``."""
    monkeypatch.setenv("KEFUSIM_CACHE_DIR", str(tmp_path / "cache"))
    made = []

    def restart():
        made.append(patterns._SavedVerdicts())
        monkeypatch.setattr(patterns, "_VERDICTS", {})
        monkeypatch.setattr(patterns, "_SAVED", made[-1])
        judged = []
        real = patterns._check

        def counting(src, flags):
            judged.append(src)
            return real(src, flags)

        monkeypatch.setattr(patterns, "_check", counting)
        return judged

    yield restart
    for saved in made:
        saved.forget()  # nothing left to write at exit


def _refusal(src: str) -> str:
    with pytest.raises(patterns.UnsafePattern) as info:
        patterns.check(src)
    return str(info.value)


def _verdict_file(tmp_path):
    (path,) = (tmp_path / "cache").glob("pattern-verdicts-*.json")
    return path


def test_a_safe_verdict_is_kept_and_a_refusal_is_made_again(fresh, tmp_path):
    judged = fresh()
    patterns.check(SAFE)
    first = _refusal(UNSAFE)
    patterns._SAVED.flush()  # as at exit
    data = json.loads(_verdict_file(tmp_path).read_text(encoding="ascii"))
    assert [SAFE, 0] in data["safe"] and all(s != UNSAFE for s, _f in data["safe"])
    assert judged == [SAFE, UNSAFE]

    judged = fresh()  # a second process
    patterns.check(SAFE)
    assert _refusal(UNSAFE) == first
    assert judged == [UNSAFE]  # the safe one came from the file; the unsafe one is judged every time
    assert patterns.problem(UNSAFE) == first and patterns.problem(SAFE) is None
    patterns.check(SAFE, flags=2)  # other flags: another pattern, judged anew
    assert judged == [UNSAFE, SAFE]


@pytest.mark.parametrize("damage", [
    b"\x00\xff not json",
    b'{"checker": "0", "safe": [["(\\\\d+)+\\u5143", 0]]}',  # another checker's list is not trusted
    b'{"checker": "%s", "safe": [["x", "0"], [1, 0], "(\\\\d+)+"]}',  # malformed entries are skipped
    b"[" * 100_000,  # too deep for the parser
])
def test_a_damaged_verdict_file_changes_no_verdict(fresh, tmp_path, damage):
    fresh()
    patterns.check(SAFE)
    first = _refusal(UNSAFE)
    patterns._SAVED.flush()
    path = _verdict_file(tmp_path)
    if b"%s" in damage:
        damage = damage % patterns._SAVED.stamp().encode()
    path.write_bytes(damage)

    judged = fresh()
    patterns.check(SAFE)
    assert _refusal(UNSAFE) == first
    assert judged == [SAFE, UNSAFE]
    patterns._SAVED.flush()  # the file is whole again
    assert [SAFE, 0] in json.loads(path.read_text(encoding="ascii"))["safe"]


def test_an_unwritable_cache_folder_is_logged_and_checking_goes_on(fresh, tmp_path, monkeypatch, caplog):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    fresh()
    monkeypatch.setenv("KEFUSIM_CACHE_DIR", str(blocker / "cache"))
    with caplog.at_level(logging.WARNING, logger="game.content.patterns"):
        patterns.check(SAFE)
        first = _refusal(UNSAFE)
        patterns._SAVED.flush()
    assert "not written" in caplog.text
    fresh()
    monkeypatch.setenv("KEFUSIM_CACHE_DIR", str(blocker / "cache"))
    patterns.check(SAFE)
    assert _refusal(UNSAFE) == first


INTENTS = """\
version: 1
intents:
  greet:
    title: 问好
    phrases: [您好]
    patterns:
      - 'x\\d+y'
      - '(?:在|在在)+亲'
"""


def test_a_corrupted_cache_does_not_break_loading(fresh, tmp_path):
    path = tmp_path / "intents.yaml"
    path.write_text(INTENTS, encoding="utf-8")
    fresh()
    report, intents = load_intents(path)
    patterns._SAVED.flush()
    assert not report.ok and "unsafe pattern in intent 'greet'" in report.errors[0].format()
    _verdict_file(tmp_path).write_bytes(b'{"checker": "')  # cut short

    fresh()
    again, _ = load_intents(path)
    assert [e.format() for e in again.errors] == [e.format() for e in report.errors]
