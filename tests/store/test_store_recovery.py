"""A damaged or foreign database file is set aside with a timestamped name and a fresh store starts."""
import sqlite3

import pytest

from game.cli import main
from game.store.commands import open_store
from game.store.db import APPLICATION_ID, LATEST, Store, StoreError
from game.store.db import StoredMessage


def _use(store: Store) -> None:
    sid = store.begin_session("小王", "haggler-nurse-shoes")
    store.add_message(sid, StoredMessage(0, 1.0, "buyer", "line", "在吗?"))
    assert [m.text for m in store.messages(sid)] == ["在吗?"]


def _aside(folder, kind):
    return sorted(p for p in folder.iterdir() if p.name.startswith(f"kefusim.db.{kind}-"))


def test_fresh_store_is_wal_and_versioned(tmp_path):
    with Store(tmp_path / "kefusim.db") as s:
        assert s.version == LATEST
        assert s.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert s.conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert s.notices == []
        _use(s)


def test_garbage_file_is_set_aside(tmp_path):
    path = tmp_path / "kefusim.db"
    junk = b"this is not a database at all\n" * 200
    path.write_bytes(junk)
    with Store(path) as s:
        [aside] = _aside(tmp_path, "damaged")
        assert aside.read_bytes() == junk                       # kept, not deleted
        assert len(s.notices) == 1 and "已损坏" in s.notices[0] and "was damaged" in s.notices[0]
        assert str(aside) in s.notices[0]
        _use(s)


def test_damaged_sqlite_pages_are_set_aside(tmp_path):
    path = tmp_path / "kefusim.db"
    with Store(path) as s:
        for i in range(50):
            s.profile(f"学员{i}")
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)                     # wreck the schema page, keep the header
    path.write_bytes(bytes(data))
    with Store(path) as s:
        assert len(_aside(tmp_path, "damaged")) == 1
        assert "已损坏" in s.notices[0]
        assert s.profiles() == []
        _use(s)


def test_foreign_sqlite_file_is_set_aside(tmp_path):
    path = tmp_path / "kefusim.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.execute("INSERT INTO notes VALUES ('someone else''s data')")
    conn.commit()
    conn.close()
    with Store(path) as s:
        [aside] = _aside(tmp_path, "foreign")
        assert "不是 KefuSim 的数据库" in s.notices[0] and "not a KefuSim database" in s.notices[0]
        _use(s)
    conn = sqlite3.connect(aside)
    try:
        assert conn.execute("SELECT body FROM notes").fetchone() == ("someone else's data",)
    finally:
        conn.close()


def test_empty_file_becomes_a_store_and_says_so(tmp_path):
    path = tmp_path / "kefusim.db"
    path.write_bytes(b"")
    with Store(path) as s:
        assert s.version == LATEST
        assert len(s.notices) == 1 and "0 字节" in s.notices[0] and "0 bytes" in s.notices[0]


def test_a_damaged_store_is_salvaged_row_by_row(tmp_path):
    """4 KB of garbage in the middle of a store: the file is set aside, and every session and message
    still readable in it is copied into the fresh store, with a notice of what came back."""
    path = tmp_path / "kefusim.db"
    with Store(path) as s:
        for k in range(6):
            sid = s.begin_session(f"学员{k}", "haggler-nurse-shoes")
            for i in range(9 if k < 5 else 7):
                s.add_message(sid, StoredMessage(i, float(i), "buyer" if i % 2 else "agent", "line",
                                                 f"第{k}次练习第{i}句" + "很长的话" * 40))
    data = bytearray(path.read_bytes())
    mid = len(data) // 2 // 4096 * 4096
    data[mid:mid + 4096] = b"\xa5" * 4096
    path.write_bytes(bytes(data))
    with Store(path) as s:
        assert len(_aside(tmp_path, "damaged")) == 1
        assert any("找回" in n and "Recovered" in n for n in s.notices), s.notices
        sessions = s.conn.execute("SELECT count(*) FROM sessions").fetchone()[0]
        messages = s.conn.execute("SELECT count(*) FROM messages").fetchone()[0]
        assert sessions >= 5 and messages >= 30
        _use(s)


def test_store_from_a_newer_version_is_left_alone(tmp_path):
    path = tmp_path / "kefusim.db"
    with Store(path) as s:
        s.conn.execute(f"PRAGMA user_version = {LATEST + 5}")
    before = path.read_bytes()
    with pytest.raises(StoreError, match="更新版本"):
        Store(path)
    assert path.read_bytes() == before and not _aside(tmp_path, "damaged")


def test_data_dir_that_is_a_file_gives_a_clear_error(tmp_path, capsys):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    assert open_store(blocker) is None
    assert "无法创建数据文件夹" in capsys.readouterr().err


def test_cli_recovers_and_says_so(tmp_path, capsys):
    (tmp_path / "kefusim.db").write_bytes(b"\x00garbage" * 64)
    assert main(["--data-dir", str(tmp_path), "history"]) == 0
    io = capsys.readouterr()
    assert "已损坏" in io.err and "fresh store" in io.err
    assert "还没有练习记录" in io.out
    assert main(["history", "--data-dir", str(tmp_path)]) == 0      # the fresh store opens quietly
    assert capsys.readouterr().err == ""


def test_env_var_chooses_the_data_dir(tmp_path, monkeypatch):
    from game.store.paths import data_dir, db_path
    monkeypatch.setenv("KEFUSIM_DATA_DIR", str(tmp_path / "env"))
    assert data_dir() == tmp_path / "env"
    assert data_dir(tmp_path / "flag") == tmp_path / "flag"       # --data-dir wins
    assert db_path().name == "kefusim.db"
    monkeypatch.delenv("KEFUSIM_DATA_DIR")
    assert "KefuSim" in str(data_dir())                           # the platform's user data folder


@pytest.mark.skipif(not __import__("os").path.exists("/proc/self/stat"), reason="needs /proc (Linux)")
def test_a_zombie_process_counts_as_ended(tmp_path):
    """A game process that exited but was never reaped still answers kill(0); its chat is interrupted."""
    import os
    import subprocess
    import sys

    from game.store.db import _pid_alive
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        for _ in range(200):  # wait until it has exited (a zombie: not reaped, we never call wait yet)
            with open(f"/proc/{child.pid}/stat", "rb") as f:
                if b") Z" in f.read():
                    break
            import time
            time.sleep(0.01)
        assert not _pid_alive(child.pid)
        assert _pid_alive(os.getpid())
    finally:
        child.wait()
