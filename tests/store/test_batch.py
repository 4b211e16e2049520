"""Store.batch(): many writes, one transaction; a write that fails inside is undone alone."""
import sqlite3

import pytest

from game.store.db import Store, StoredMessage


def test_a_batch_keeps_the_good_writes_and_drops_the_failing_one(tmp_path):
    with Store(tmp_path / "k.db") as store:
        sid = store.begin_session("小王", "haggler-nurse-shoes", source="classroom")
        with store.batch():
            store.add_message(sid, StoredMessage(seq=0, time=1.0, who="buyer", kind="line", text="在吗"))
            with pytest.raises(sqlite3.IntegrityError):  # the same seq again breaks the table's key
                store.add_message(sid, StoredMessage(seq=0, time=2.0, who="agent", kind="line", text="重复"))
            store.add_message(sid, StoredMessage(seq=1, time=3.0, who="agent", kind="line", text="亲,您好"))
        assert [m.text for m in store.messages(sid)] == ["在吗", "亲,您好"]
    with Store(tmp_path / "k.db") as again:  # committed to disk
        assert [m.text for m in again.messages(sid)] == ["在吗", "亲,您好"]
