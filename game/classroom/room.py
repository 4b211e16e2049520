"""The room's state: students with their seats, rounds, each student's entry in a round and the chats
it holds, and role-play pairs. Plain records, no sockets: the host changes them on its event loop
under its lock; views.py reads them; records.py writes them to the store.
"""
from __future__ import annotations

import collections
import random
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from . import protocol as P
from .protocol import ProtocolError

if TYPE_CHECKING:
    from .referee import ChatReplay
    from .roleplay import HumanBuyerChat


@dataclass
class ChatRecord:
    chat: str
    persona: str
    title: str
    opened: float                      # the student's round clock when the chat opened
    messages: list[dict] = field(default_factory=list)
    outcome: str | None = None
    reason: str = ""
    report: dict | None = None         # protocol REPORT record
    seed: int | None = None            # the chat's own seed (replays it from the store)
    session_id: int | None = None      # the store's session (set by the writer thread)
    replay: "ChatReplay | None" = None  # the host's own run of the chat (referee thread only)
    closing: bool = False              # the student ended it; the host's result may still be coming
    mismatch: str | None = None        # where the student's chat differs from the host's replay

    @property
    def ended(self) -> bool:
        return self.outcome is not None

    @property
    def total(self) -> float | None:
        return self.report["total"] if self.report else None

    @property
    def grade(self) -> str | None:
        return self.report["grade"] if self.report else None


@dataclass
class Entry:
    """One student in one round."""
    name: str
    round: int
    kind: str                          # normal (chats on the student's machine) or roleplay
    role: str                          # agent or buyer
    personas: list[str]
    start: dict                        # the round_start message, sent again on rejoin
    chat: str | None = None            # role-play chat id
    last_seq: int = 0
    done: bool = False                 # the student said round_done after the round was stopped
    chats: dict[str, ChatRecord] = field(default_factory=dict)
    problem: str | None = None


@dataclass
class Student:
    name: str
    key: str                           # resume key: lets a rejoin replace a connection the host thinks alive
    address: str
    joined_at: float
    conn: object | None = None      # the host's live connection (transport), None when away
    left: bool = False
    rounds: dict[int, Entry] = field(default_factory=dict)
    says: "P.TokenBucket | None" = None  # role-play lines: each is read and scored on the host

    @property
    def connected(self) -> bool:
        return self.conn is not None


@dataclass
class Pairing:
    buyer: str
    agent: str
    persona: str
    chat: str


@dataclass
class Round:
    id: int
    kind: str
    mode: str
    personas: list[str]
    seed: int
    gap: float
    title: str
    pass_mark: int | None
    tag: str
    started_at: float                  # wall clock
    lesson: str | None = None
    step: int | None = None
    stopping: bool = False             # end_round was called: students send their last results
    ended: bool = False                # the podium is out
    finished: threading.Event = field(default_factory=threading.Event)
    pairs: list[Pairing] = field(default_factory=list)
    chats: "dict[str, HumanBuyerChat]" = field(default_factory=dict)
    digests: dict[str, str] = field(default_factory=dict)  # persona -> content digest, hashed once a round


def make_pairs(names: list[str], seed: int | None) -> list[list[str]]:
    """[buyer, agent] pairs in join order, or shuffled by `seed`; an odd one out is left unpaired."""
    names = list(names)
    if seed is not None:
        random.Random(seed).shuffle(names)
    return [[names[i], names[i + 1]] for i in range(0, len(names) - 1, 2)]


class Gate:
    """The join code and its guessers: tries per address, and all wrong codes together within a
    window lock the room to new names for a while (10 s, doubling up to 5 min). Time is passed in."""

    def __init__(self, code: str):
        self.code = code
        self.wrong_codes = 0  # wrong codes tried since the room opened (the trainer sees them)
        self._tries: dict[str, collections.deque] = {}
        self._all: collections.deque = collections.deque()
        self._locked_until = 0.0
        self._lockouts = 0
        self.started: float | None = None

    def check(self, address: str, code: str, now: float, *, keyed: bool) -> None:
        """Raise ProtocolError unless `code` may come in; a keyed seat passes a lockout. A wrong code
        that starts a lockout leaves its seconds in `started` (the trainer is told)."""
        self.started = None
        tries = self._tries.setdefault(address, collections.deque())
        while tries and tries[0] < now - P.WRONG_CODE_WINDOW:
            tries.popleft()
        if len(tries) >= P.WRONG_CODE_LIMIT:
            raise ProtocolError("too_many_attempts")
        if now < self._locked_until and not keyed:  # guessing from many addresses: no new names for a while
            raise ProtocolError("too_many_attempts")
        if code == self.code:
            return
        tries.append(now)
        self.wrong_codes += 1
        g = self._all
        g.append(now)
        while g and g[0] < now - P.WRONG_CODE_WINDOW:
            g.popleft()
        if len(g) >= P.WRONG_CODE_GLOBAL:
            self._lockouts += 1
            self.started = min(P.LOCKOUT_MAX, P.LOCKOUT_FIRST * 2 ** (self._lockouts - 1))
            self._locked_until = now + self.started
            g.clear()
        raise ProtocolError("wrong_code")

    def failed(self, address: str, now: float) -> None:
        """A try that got in with the right code but the wrong host token counts too."""
        self._tries.setdefault(address, collections.deque()).append(now)


def keyed(students: dict[str, Student], name: str, key) -> bool:
    """The hello carries the key of the seat its name holds."""
    st = students.get(P.name_key(str(name)))
    return st is not None and bool(key) and secrets.compare_digest(str(key), st.key)


def seat(students: dict[str, Student], banned: set[str], name: str, key, address: str,
         max_clients: int) -> tuple[Student, bool]:
    """(seat, rejoin) for a student's hello, or ProtocolError. A seat is its first welcome's key: live
    or dropped, nobody takes it by the name alone. The room's size is the students present."""
    k = P.name_key(name)
    if k in banned:
        raise ProtocolError("banned", name)
    st = students.get(k)
    if st is not None:
        if not keyed(students, name, key):
            raise ProtocolError("duplicate_name" if st.connected else "seat_taken", name)
        return st, True
    if sum(1 for s in students.values() if s.connected) >= max_clients:
        raise ProtocolError("room_full", f"最多 {max_clients} 人")
    forget_old_seats(students, max_clients)
    st = Student(name, secrets.token_urlsafe(16), address, time.time())
    students[k] = st
    return st, False


def forget_old_seats(students: dict[str, Student], max_clients: int) -> None:
    """Names kept for rejoins are bounded: beyond 4 x the room, the longest-gone seats with no
    result of any round are forgotten first (a name that played keeps its seat)."""
    bound = 4 * max_clients
    if len(students) < bound:
        return
    gone = sorted((s for s in students.values() if not s.connected and not s.rounds), key=lambda s: s.joined_at)
    for s in gone[:len(students) - bound + 1]:
        students.pop(P.name_key(s.name), None)
