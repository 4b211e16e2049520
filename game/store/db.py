"""The SQLite store: schema and migrations, recovery from a damaged or foreign file, reads and writes.

One file in the data folder, WAL mode, every write its own committed transaction, so a process
killed at any moment loses nothing that was already written. The schema version lives in
`PRAGMA user_version`; a new store is built by running the first schema and then every migration,
so the migrations are exercised on every fresh store, not only on old files.
"""
from __future__ import annotations

import contextlib
import os
import re
import socket
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from .jsonable import dumps, loads
from .paths import DB_NAME, data_dir

APPLICATION_ID = 0x4B465331  # "KFS1": marks a KefuSim store among SQLite files
SQLITE_HEADER = b"SQLite format 3\x00"
STALE_LIVE = 2 * 3600.0      # a "live" session untouched this long is interrupted, whoever owned it

# The first schema, exactly as version 1 shipped it. Kept as data: never edit, add a migration.
SCHEMA_V1: tuple[str, ...] = (
    """CREATE TABLE profiles (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        created_at REAL NOT NULL)""",
    """CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        profile_id INTEGER NOT NULL REFERENCES profiles(id),
        persona_id TEXT NOT NULL,
        persona_digest TEXT NOT NULL DEFAULT '',
        mode TEXT NOT NULL DEFAULT 'practice',
        seed INTEGER,
        started_at REAL NOT NULL,
        ended_at REAL,
        outcome TEXT,
        state TEXT)""",
    """CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES sessions(id),
        seq INTEGER NOT NULL,
        time REAL NOT NULL,
        who TEXT NOT NULL,
        kind TEXT NOT NULL DEFAULT 'line',
        text TEXT NOT NULL,
        wait REAL NOT NULL DEFAULT 0,
        feedback TEXT,
        UNIQUE (session_id, seq))""",
    "CREATE INDEX sessions_by_profile ON sessions (profile_id, started_at)",
)

# MIGRATIONS[n] takes a store from version n to n + 1, in one transaction.
MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: (
        # v2: the buyer's state changes, the final report, liveness (interrupted sessions), content hash.
        "ALTER TABLE sessions ADD COLUMN persona_title TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE sessions ADD COLUMN content_hash TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE sessions ADD COLUMN source TEXT NOT NULL DEFAULT 'play'",
        "ALTER TABLE sessions ADD COLUMN status TEXT NOT NULL DEFAULT 'live'",
        "ALTER TABLE sessions ADD COLUMN reason TEXT",
        "ALTER TABLE sessions ADD COLUMN mood REAL",
        "ALTER TABLE sessions ADD COLUMN flags TEXT NOT NULL DEFAULT '[]'",
        "ALTER TABLE sessions ADD COLUMN info TEXT NOT NULL DEFAULT '{}'",
        "ALTER TABLE sessions ADD COLUMN report TEXT",
        "ALTER TABLE sessions ADD COLUMN total REAL",
        "ALTER TABLE sessions ADD COLUMN grade TEXT",
        "ALTER TABLE sessions ADD COLUMN seen_at REAL",
        "ALTER TABLE sessions ADD COLUMN host TEXT",
        "ALTER TABLE sessions ADD COLUMN pid INTEGER",
        """UPDATE sessions SET status = CASE WHEN outcome IS NULL THEN 'interrupted' ELSE 'finished' END,
                               seen_at = COALESCE(ended_at, started_at)""",
        "ALTER TABLE messages ADD COLUMN first INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE messages ADD COLUMN typing_started REAL",
        "ALTER TABLE messages ADD COLUMN intents TEXT NOT NULL DEFAULT '[]'",
        "ALTER TABLE messages ADD COLUMN at REAL",
        "UPDATE messages SET at = (SELECT s.started_at FROM sessions s WHERE s.id = messages.session_id) + time",
        """UPDATE messages SET first = 1 WHERE who = 'agent' AND seq = (
               SELECT MIN(m.seq) FROM messages m WHERE m.session_id = messages.session_id AND m.who = 'agent')""",
        """CREATE TABLE transitions (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions(id),
            seq INTEGER NOT NULL,
            time REAL NOT NULL,
            trigger TEXT NOT NULL,
            src TEXT NOT NULL,
            dst TEXT NOT NULL,
            UNIQUE (session_id, seq))""",
        "CREATE INDEX sessions_by_persona ON sessions (persona_id, started_at)",
        "CREATE INDEX sessions_live ON sessions (status) WHERE status = 'live'",
    ),
}
LATEST = 1 + len(MIGRATIONS)

# SQLite primary result codes that mean "this file is not a usable database".
_DAMAGED_CODES = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB


class StoreError(Exception):
    """The store cannot be used; the message is for the user (Chinese, then English)."""


@dataclass
class Profile:
    id: int
    name: str
    created_at: float


@dataclass
class Session:
    id: int
    profile: str
    persona_id: str
    persona_title: str
    persona_digest: str
    content_hash: str
    mode: str
    source: str
    seed: int | None
    status: str            # live, finished, interrupted
    outcome: str | None    # success, lost, bad_review, escalated; None unless finished
    reason: str | None
    state: str | None
    mood: float | None
    flags: list[str]
    info: dict
    report: dict | None
    total: float | None
    grade: str | None
    started_at: float
    ended_at: float | None
    seen_at: float | None

    @property
    def converted(self) -> bool:
        return self.outcome == "success"

    @property
    def title(self) -> str:
        return self.persona_title or self.persona_id


@dataclass
class StoredMessage:
    seq: int
    time: float            # seconds since the chat opened
    who: str               # buyer, agent
    kind: str
    text: str
    wait: float = 0.0
    first: bool = False
    typing_started: float | None = None
    intents: list[str] = field(default_factory=list)
    feedback: object = None  # JSON as the scorer produced it, or None
    at: float | None = None  # wall-clock time it was written


@dataclass
class StoredTransition:
    seq: int
    time: float
    trigger: str
    src: str
    dst: str



def _text(text):
    """Any str the game holds can be stored: a lone surrogate (a byte that was not UTF-8) becomes U+FFFD."""
    if isinstance(text, str):
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return _SURROGATE.sub("\ufffd", text)
    return text


_SURROGATE = re.compile("[\ud800-\udfff]")

def _stamp() -> str:
    return datetime.now().strftime("%Y%m%d-%H%M%S")


def _code(exc: sqlite3.Error) -> int:
    return (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if pid == os.getpid():
        return True
    if os.name == "nt":  # os.kill would terminate the process on Windows: ask the kernel instead
        import ctypes
        k = ctypes.windll.kernel32  # type: ignore[attr-defined]
        h = k.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not h:
            return k.GetLastError() == 5  # access denied: it exists
        try:
            code = ctypes.c_ulong()
            return bool(k.GetExitCodeProcess(h, ctypes.byref(code))) and code.value == 259  # STILL_ACTIVE
        finally:
            k.CloseHandle(h)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return not _zombie(pid)


def _zombie(pid: int) -> bool:
    """A process that has exited but not been reaped still answers kill(0): it plays no more."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
    except OSError:
        return False  # no /proc (macOS): trust kill(0)
    state = stat[stat.rfind(b")") + 2:stat.rfind(b")") + 3]
    return state in (b"Z", b"X")


def set_aside(path: Path, why: str) -> Path:
    """Rename a database file (and its -wal/-shm companions) to a timestamped name beside it."""
    base = f"{path.name}.{why}-{_stamp()}"
    target = path.with_name(base)
    n = 1
    while target.exists():
        target = path.with_name(f"{base}-{n}")
        n += 1
    os.replace(path, target)
    for suffix in ("-wal", "-shm", "-journal"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            os.replace(side, target.with_name(target.name + suffix))
    return target


_SALVAGE_TABLES = ("profiles", "sessions", "messages", "transitions")  # parents before children
_SALVAGE_MAX_ROWS = 1_000_000


def salvage(source: Path, conn: sqlite3.Connection) -> dict[str, int]:
    """Rows of `source` (a damaged KefuSim store) that can still be read, inserted into `conn` with their
    ids; {table: rows recovered}. Reads each row by itself, so one bad page costs only its rows."""
    out: dict[str, int] = {}
    try:
        # immutable: no -wal/-shm files are made beside the damaged one
        src = sqlite3.connect(f"file:{source}?mode=ro&immutable=1", uri=True, timeout=1)
    except sqlite3.Error:
        return out
    try:
        conn.execute("BEGIN IMMEDIATE")
        for table in _SALVAGE_TABLES:
            try:
                have = [r[1] for r in src.execute(f"PRAGMA table_info({table})")]
            except sqlite3.Error:
                continue
            want = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
            cols = [c for c in have if c in want]
            if "id" not in cols:
                continue
            try:
                top = src.execute(f"SELECT max(rowid) FROM {table}").fetchone()[0] or 0
            except sqlite3.Error:
                top = 100_000  # the b-tree's root is damaged: try ids up to a bound
            names = ", ".join(cols)
            marks = ", ".join("?" * len(cols))
            n = 0
            for rowid in range(1, min(int(top), _SALVAGE_MAX_ROWS) + 1):
                try:
                    row = src.execute(f"SELECT {names} FROM {table} WHERE rowid = ?", (rowid,)).fetchone()
                except sqlite3.Error:
                    continue
                if row is None:
                    continue
                try:
                    conn.execute(f"INSERT OR IGNORE INTO {table} ({names}) VALUES ({marks})", row)
                    n += 1
                except sqlite3.Error:
                    continue  # a row whose parent was lost
            out[table] = n
        conn.execute("COMMIT")
    except sqlite3.Error:
        try:
            conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass
        return {}
    finally:
        src.close()
    return out


def _inspect(path: Path) -> tuple[str, str] | None:
    """None when the file is absent, empty or a healthy KefuSim store; else (kind, detail).

    kind: "damaged" (not a database or failing its integrity check), "foreign" (another program's
    SQLite file), "newer" (a store from a newer KefuSim), "unusable" (locked, unreadable: leave it).
    """
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return None
    except OSError as exc:
        return "unusable", str(exc)
    if size:
        try:
            with open(path, "rb") as f:
                head = f.read(16)
        except OSError as exc:
            return "unusable", str(exc)
        if head != SQLITE_HEADER:
            return "damaged", "not an SQLite file"
    try:
        conn = sqlite3.connect(str(path), timeout=5)
    except sqlite3.Error as exc:
        return "unusable", str(exc)
    try:
        app = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if app == 0 and tables == 0:
            return None
        if app != APPLICATION_ID:
            return "foreign", f"application_id {app:#x}, {tables} schema objects"
        if version > LATEST:
            return "newer", str(version)
        check = conn.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            return "damaged", str(check)
    except sqlite3.Error as exc:
        if _code(exc) in _DAMAGED_CODES or isinstance(exc, sqlite3.DatabaseError) and "malformed" in str(exc):
            return "damaged", str(exc)
        return "unusable", str(exc)
    finally:
        conn.close()
    return None


def _connect(path: Path, synchronous: str = "FULL") -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), timeout=5, isolation_level=None, check_same_thread=False)
    try:
        conn.execute("PRAGMA busy_timeout = 5000")
        conn.execute("PRAGMA journal_mode = WAL")
        # FULL: each commit reaches the disk, so even a power cut keeps every message already shown
        # (0.3-4 ms a commit on this machine, see benchmarks/store.py). NORMAL survives a killed process only.
        conn.execute(f"PRAGMA synchronous = {'NORMAL' if synchronous == 'NORMAL' else 'FULL'}")
        conn.execute("PRAGMA foreign_keys = ON")
    except BaseException:
        conn.close()
        raise
    return conn


def migrate(conn: sqlite3.Connection) -> tuple[int, int]:
    """Bring an open store to LATEST; returns (from_version, to_version)."""
    start = conn.execute("PRAGMA user_version").fetchone()[0]
    version = start
    if version == 0:
        conn.execute("BEGIN IMMEDIATE")
        try:
            for stmt in SCHEMA_V1:
                conn.execute(stmt)
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute("PRAGMA user_version = 1")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        version = 1
    while version < LATEST:
        conn.execute("BEGIN IMMEDIATE")
        try:
            for stmt in MIGRATIONS[version]:
                conn.execute(stmt)
            conn.execute(f"PRAGMA user_version = {version + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        version += 1
    return start, version


_MSG_SET_ASIDE = ("数据文件{what},已移到 {target},并新建了一个空的数据库。\n"
                  "The data file {what_en}; it was moved to {target} and a fresh store was started.")
_WHAT = {
    "damaged": ("已损坏", "was damaged"),
    "foreign": ("不是 KefuSim 的数据库", "is not a KefuSim database"),
}


class Store:
    """An open store. Use as a context manager or call close(); safe to share between threads."""

    def __init__(self, path: Path, *, wallclock=time.time, synchronous: str = "FULL"):
        self.path = Path(path)
        self._sync_mode = synchronous
        self.notices: list[str] = []  # what the user should be told (set-aside files, migrations)
        self._now = wallclock
        self._lock = threading.RLock()
        self._batch = False  # inside batch(): writes are savepoints of one transaction
        self._host = socket.gethostname()
        self.conn = self._open()
        try:
            self._sweep()
        except BaseException:
            self.conn.close()
            raise

    @classmethod
    def open(cls, data_dir_override=None, **kw) -> "Store":
        return cls(data_dir(data_dir_override) / DB_NAME, **kw)

    # ------------------------------------------------------------ opening
    def _open(self) -> sqlite3.Connection:
        path = self.path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"无法创建数据文件夹 {path.parent}: {exc.strerror}\n"
                             f"Cannot create the data folder {path.parent}: {exc.strerror}") from None
        try:
            if path.exists() and path.stat().st_size == 0:
                self.notices.append(f"数据文件 {path} 是空的(0 字节),以前的记录已不在其中;已新建数据库。\n"
                                    f"The store {path} was empty (0 bytes): no earlier records were in it; "
                                    f"a fresh store was started.")
        except OSError:
            pass
        aside: list[Path] = []
        for attempt in range(2):
            problem = _inspect(path)
            if problem is not None:
                kind, detail = problem
                if kind == "newer":
                    raise StoreError(f"数据文件 {path} 来自更新版本的 KefuSim (结构版本 {detail},本程序支持 {LATEST})。"
                                     f"请升级 KefuSim,或用 --data-dir 指定其他文件夹。\n"
                                     f"The store {path} was written by a newer KefuSim (schema {detail}; this one "
                                     f"knows up to {LATEST}). Upgrade, or choose another folder with --data-dir.")
                if kind == "unusable":
                    raise StoreError(f"无法打开数据文件 {path}: {detail}\nCannot open the store {path}: {detail}")
                target = self._set_aside(kind, detail)
                if kind == "damaged":
                    aside.append(target)
            try:
                conn = _connect(path, self._sync_mode)
            except sqlite3.Error as exc:
                if attempt == 0 and _code(exc) in _DAMAGED_CODES:
                    aside.append(self._set_aside("damaged", str(exc)))
                    continue
                raise StoreError(f"无法打开数据文件 {path}: {exc}\nCannot open the store {path}: {exc}") from None
            try:
                old = conn.execute("PRAGMA user_version").fetchone()[0]
                if 0 < old < LATEST:
                    backup = self._backup(conn, f"v{old}-backup")
                    migrate(conn)
                    self.notices.append(f"数据库已从结构版本 {old} 升级到 {LATEST},升级前的副本: {backup}\n"
                                        f"The store was migrated from schema {old} to {LATEST}; a copy from before: "
                                        f"{backup}")
                else:
                    migrate(conn)
                for target in aside:
                    self._salvage(conn, target)
                return conn
            except sqlite3.Error as exc:
                conn.close()
                if attempt == 0 and _code(exc) in _DAMAGED_CODES:
                    aside.append(self._set_aside("damaged", str(exc)))
                    continue
                raise StoreError(f"无法打开数据文件 {path}: {exc}\nCannot open the store {path}: {exc}") from None
        raise StoreError(f"无法打开数据文件 {path}\nCannot open the store {path}")  # pragma: no cover

    def _salvage(self, conn: sqlite3.Connection, source: Path) -> None:
        """Copy every row still readable in a damaged store into the fresh one, row by row (a damaged
        page loses the rows on it, not the file), and say what came back."""
        got = salvage(source, conn)
        if got.get("sessions") or got.get("messages"):
            self.notices.append(f"已从损坏的文件中找回 {got.get('sessions', 0)} 次练习、{got.get('messages', 0)} 条消息。\n"
                                f"Recovered {got.get('sessions', 0)} sessions and {got.get('messages', 0)} messages "
                                f"from the damaged file.")

    def _set_aside(self, kind: str, detail: str) -> Path:
        try:
            target = set_aside(self.path, "damaged" if kind == "damaged" else "foreign")
        except OSError as exc:
            raise StoreError(f"数据文件 {self.path} 无法使用 ({detail}),也无法移开: {exc.strerror}。"
                             f"请用 --data-dir 指定其他文件夹。\n"
                             f"The store {self.path} is unusable ({detail}) and cannot be moved aside: "
                             f"{exc.strerror}. Choose another folder with --data-dir.") from None
        zh, en = _WHAT[kind]
        self.notices.append(_MSG_SET_ASIDE.format(what=zh, what_en=en, target=target) + f"  ({detail})")
        return target

    def _backup(self, conn: sqlite3.Connection, why: str) -> Path:
        target = self.path.with_name(f"{self.path.name}.{why}-{_stamp()}")
        dst = sqlite3.connect(str(target))
        try:
            conn.backup(dst)
        finally:
            dst.close()
        return target

    def _sweep(self) -> None:
        """Sessions left 'live' by a process that is gone are interrupted, not missing."""
        now = self._now()
        rows = self.conn.execute("SELECT id, host, pid, seen_at FROM sessions WHERE status = 'live'").fetchall()
        dead = [sid for sid, host, pid, seen in rows
                if (seen or 0) < now - STALE_LIVE or (host == self._host and not _pid_alive(pid or 0))]
        for sid in dead:
            self._write("UPDATE sessions SET status = 'interrupted', reason = COALESCE(reason, 'killed') "
                        "WHERE id = ? AND status = 'live'", (sid,))

    def close(self) -> None:
        with self._lock:
            self.conn.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def version(self) -> int:
        return self._rows("PRAGMA user_version")[0][0]

    # ------------------------------------------------------------ writing
    @contextlib.contextmanager
    def batch(self):
        """Writes inside are one transaction, synced to disk once (the classroom host groups what its
        writer has queued). A write that fails inside is undone alone; the others are kept."""
        with self._lock:
            if self._batch:
                yield
                return
            self.conn.execute("BEGIN IMMEDIATE")
            self._batch = True
            try:
                yield
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            finally:
                self._batch = False

    def _write(self, sql: str, params=(), *more: tuple[str, tuple]) -> int:
        """Run one or more statements as one committed transaction; returns the first's lastrowid."""
        with self._lock:
            if self._batch:
                self.conn.execute("SAVEPOINT one_write")
                try:
                    rowid = self.conn.execute(sql, params).lastrowid
                    for s, p in more:
                        self.conn.execute(s, p)
                    self.conn.execute("RELEASE one_write")
                except BaseException:
                    self.conn.execute("ROLLBACK TO one_write")
                    self.conn.execute("RELEASE one_write")
                    raise
                return rowid
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                cur = self.conn.execute(sql, params)
                rowid = cur.lastrowid
                for s, p in more:
                    self.conn.execute(s, p)
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            return rowid

    def profile(self, name: str) -> Profile:
        """The profile called `name`, created on first use."""
        name = check_profile_name(name)
        with self._lock:
            row = self.conn.execute("SELECT id, name, created_at FROM profiles WHERE name = ?", (name,)).fetchone()
            if row is None:
                self._write("INSERT OR IGNORE INTO profiles (name, created_at) VALUES (?, ?)", (name, self._now()))
                row = self.conn.execute("SELECT id, name, created_at FROM profiles WHERE name = ?", (name,)).fetchone()
        return Profile(*row)

    def _rows(self, sql: str, params=()) -> list[tuple]:
        with self._lock:  # one connection shared by threads (the classroom host): one statement at a time
            return self.conn.execute(sql, params).fetchall()

    def profiles(self) -> list[Profile]:
        return [Profile(*r) for r in self._rows("SELECT id, name, created_at FROM profiles ORDER BY name")]

    def begin_session(self, profile: str, persona_id: str, *, persona_title: str = "", persona_digest: str = "",
                      content_hash: str = "", mode: str = "practice", source: str = "play",
                      seed: int | None = None, info: dict | None = None, state: str | None = None,
                      mood: float | None = None) -> int:
        if mode not in ("practice", "exam"):
            raise ValueError(f"mode must be practice or exam, not {mode!r}")
        pid = self.profile(profile).id
        now = self._now()
        return self._write(
            "INSERT INTO sessions (profile_id, persona_id, persona_title, persona_digest, content_hash, mode, source,"
            " seed, status, state, mood, info, started_at, seen_at, host, pid)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'live', ?, ?, ?, ?, ?, ?, ?)",
            (pid, persona_id, persona_title, persona_digest, content_hash, mode, source, seed, state, mood,
             dumps(info or {}), now, now, self._host, os.getpid()))

    def add_message(self, session_id: int, m: StoredMessage, *, state: str | None = None,
                    mood: float | None = None) -> None:
        now = self._now()
        self._write(
            "INSERT INTO messages (session_id, seq, time, who, kind, text, wait, first, typing_started, intents,"
            " feedback, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (session_id, m.seq, m.time, m.who, m.kind, _text(m.text), m.wait, int(m.first), m.typing_started,
             dumps(list(m.intents)), None if m.feedback is None else dumps(m.feedback), m.at or now),
            ("UPDATE sessions SET seen_at = ?, state = COALESCE(?, state), mood = COALESCE(?, mood) WHERE id = ?",
             (now, state, mood, session_id)))

    def set_feedback(self, session_id: int, seq: int, feedback) -> None:
        self._write("UPDATE messages SET feedback = ? WHERE session_id = ? AND seq = ?",
                    (dumps(feedback), session_id, seq))

    def add_transition(self, session_id: int, t: StoredTransition, *, mood: float | None = None) -> None:
        self._write(
            "INSERT INTO transitions (session_id, seq, time, trigger, src, dst) VALUES (?, ?, ?, ?, ?, ?)",
            (session_id, t.seq, t.time, t.trigger, t.src, t.dst),
            ("UPDATE sessions SET seen_at = ?, state = ?, mood = COALESCE(?, mood) WHERE id = ?",
             (self._now(), t.dst, mood, session_id)))

    def finish_session(self, session_id: int, *, outcome: str, reason: str | None = None, state: str | None = None,
                       mood: float | None = None, flags=(), report=None, info_update: dict | None = None) -> None:
        from .jsonable import jsonable, report_total
        rep = jsonable(report) if report is not None else None
        total, grade = report_total(rep)
        info = self._info(session_id)
        info.update(info_update or {})
        now = self._now()
        self._write(
            "UPDATE sessions SET status = 'finished', outcome = ?, reason = ?, state = COALESCE(?, state),"
            " mood = COALESCE(?, mood), flags = ?, report = ?, total = ?, grade = ?, info = ?, ended_at = ?,"
            " seen_at = ? WHERE id = ?",
            (outcome, reason, state, mood, dumps(list(flags)), None if rep is None else dumps(rep), total, grade,
             dumps(info), now, now, session_id))

    def set_report(self, session_id: int, report) -> None:
        """Attach (or replace) the final report of a session, e.g. when scoring runs after the chat."""
        from .jsonable import jsonable, report_total
        rep = jsonable(report)
        total, grade = report_total(rep)
        self._write("UPDATE sessions SET report = ?, total = ?, grade = ? WHERE id = ?",
                    (dumps(rep), total, grade, session_id))

    def interrupt_session(self, session_id: int, reason: str = "quit") -> None:
        self._write("UPDATE sessions SET status = 'interrupted', reason = ?, seen_at = ? "
                    "WHERE id = ? AND status = 'live'", (reason, self._now(), session_id))

    def _info(self, session_id: int) -> dict:
        rows = self._rows("SELECT info FROM sessions WHERE id = ?", (session_id,))
        data = loads(rows[0][0]) if rows else {}
        return data if isinstance(data, dict) else {}

    # ------------------------------------------------------------ reading
    _SESSION_COLS = ("s.id, p.name, s.persona_id, s.persona_title, s.persona_digest, s.content_hash, s.mode, s.source,"
                     " s.seed, s.status, s.outcome, s.reason, s.state, s.mood, s.flags, s.info, s.report, s.total,"
                     " s.grade, s.started_at, s.ended_at, s.seen_at")

    @staticmethod
    def _session(row) -> Session:
        (sid, prof, pid, title, digest, chash, mode, source, seed, status, outcome, reason, state, mood, flags,
         info, report, total, grade, started, ended, seen) = row
        flags = loads(flags)
        info = loads(info)
        return Session(sid, prof, pid, title or "", digest or "", chash or "", mode, source, seed, status, outcome,
                       reason, state, mood, flags if isinstance(flags, list) else [],
                       info if isinstance(info, dict) else {}, loads(report), total, grade, started, ended, seen)

    def session(self, session_id: int) -> Session | None:
        rows = self._rows(f"SELECT {self._SESSION_COLS} FROM sessions s JOIN profiles p ON p.id = s.profile_id"
                          " WHERE s.id = ?", (session_id,))
        return self._session(rows[0]) if rows else None

    def sessions(self, *, profile: str | None = None, persona: str | None = None, since: float | None = None,
                 status: str | None = None) -> list[Session]:
        """Sessions in the order they started (oldest first)."""
        where, params = [], []
        if profile is not None:
            where.append("p.name = ?")
            params.append(profile)
        if persona is not None:
            where.append("s.persona_id = ?")
            params.append(persona)
        if since is not None:
            where.append("s.started_at >= ?")
            params.append(since)
        if status is not None:
            where.append("s.status = ?")
            params.append(status)
        sql = (f"SELECT {self._SESSION_COLS} FROM sessions s JOIN profiles p ON p.id = s.profile_id"
               + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY s.started_at, s.id")
        return [self._session(r) for r in self._rows(sql, params)]

    def messages(self, session_id: int) -> list[StoredMessage]:
        out = []
        for (seq, t, who, kind, text, wait, first, typing, intents, fb, at) in self._rows(
                "SELECT seq, time, who, kind, text, wait, first, typing_started, intents, feedback, at"
                " FROM messages WHERE session_id = ? ORDER BY seq", (session_id,)):
            ints = loads(intents)
            out.append(StoredMessage(seq, t, who, kind, text, wait or 0.0, bool(first), typing,
                                     ints if isinstance(ints, list) else [], loads(fb), at))
        return out

    def transitions(self, session_id: int) -> list[StoredTransition]:
        return [StoredTransition(*r) for r in self._rows(
            "SELECT seq, time, trigger, src, dst FROM transitions WHERE session_id = ? ORDER BY seq", (session_id,))]


def check_profile_name(name: str) -> str:
    """A profile name: 1-32 printable characters after trimming; raises ValueError (Chinese) otherwise."""
    n = " ".join(str(name).split())
    if not n:
        raise ValueError("学员名称不能为空 / the profile name is empty")
    if len(n) > 32:
        raise ValueError("学员名称最多 32 个字符 / the profile name is longer than 32 characters")
    if any(not ch.isprintable() for ch in n):
        raise ValueError("学员名称含有不可打印字符 / the profile name has unprintable characters")
    return n
