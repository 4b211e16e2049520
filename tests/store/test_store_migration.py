"""A store written by the first schema version is migrated forward, with a copy kept from before."""
import sqlite3

from game.store.db import APPLICATION_ID, LATEST, MIGRATIONS, SCHEMA_V1, Store, StoredMessage


def make_v1(path):
    conn = sqlite3.connect(path)
    try:
        for stmt in SCHEMA_V1:
            conn.execute(stmt)
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute("PRAGMA user_version = 1")
        conn.execute("INSERT INTO profiles (id, name, created_at) VALUES (1, '小王', 1000)")
        conn.execute("INSERT INTO sessions (id, profile_id, persona_id, persona_digest, mode, seed, started_at,"
                     " ended_at, outcome, state) VALUES (1, 1, 'haggler-nurse-shoes', 'abc', 'exam', 3, 1000, 1060,"
                     " 'success', 'ordered')")
        conn.execute("INSERT INTO sessions (id, profile_id, persona_id, started_at)"
                     " VALUES (2, 1, 'damaged-dress', 2000)")
        rows = [(1, 0, 1.0, "buyer", "在吗?", 0, None), (1, 1, 5.0, "agent", "亲,您好", 4.0, '{"score": 90}'),
                (1, 2, 9.0, "agent", "这款很好", 0, None), (2, 0, 1.0, "buyer", "衣服破了", 0, None)]
        conn.executemany("INSERT INTO messages (session_id, seq, time, who, text, wait, feedback)"
                         " VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        conn.commit()
    finally:
        conn.close()


def test_migrates_v1_to_latest(tmp_path):
    assert LATEST == 1 + len(MIGRATIONS) and LATEST >= 2
    path = tmp_path / "kefusim.db"
    make_v1(path)
    with Store(path) as s:
        assert s.version == LATEST
        assert any("升级" in n and "migrated" in n for n in s.notices)
        done, cut = s.sessions()
        assert (done.status, done.outcome, done.mode, done.seed, done.persona_digest) == (
            "finished", "success", "exam", 3, "abc")
        assert done.seen_at == 1060 and done.report is None and done.flags == []
        assert (cut.status, cut.outcome) == ("interrupted", None)       # unfinished in v1: interrupted now
        msgs = s.messages(1)
        assert [m.at for m in msgs] == [1001.0, 1005.0, 1009.0]
        assert [m.first for m in msgs] == [False, True, False]
        assert msgs[1].feedback == {"score": 90} and msgs[1].intents == []
        assert s.transitions(1) == []
        sid = s.begin_session("小王", "damaged-dress")                   # and it keeps working
        s.add_message(sid, StoredMessage(0, 1.0, "buyer", "line", "在吗"))
        assert len(s.sessions(profile="小王")) == 3
    [backup] = [p for p in tmp_path.iterdir() if p.name.startswith("kefusim.db.v1-backup-")]
    conn = sqlite3.connect(backup)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
        assert conn.execute("SELECT count(*) FROM messages").fetchone()[0] == 4
    finally:
        conn.close()
    with Store(path) as s:                                            # opening again: nothing more to do
        assert s.notices == [] and s.version == LATEST


def test_fresh_and_migrated_stores_have_the_same_tables(tmp_path):
    make_v1(tmp_path / "old.db")

    def shape(path):
        with Store(path) as s:
            tables = [r[0] for r in s.conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
            return {t: [c[1] for c in s.conn.execute(f"PRAGMA table_info({t})")] for t in tables}

    assert shape(tmp_path / "old.db") == shape(tmp_path / "new.db")
