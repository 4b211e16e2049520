"""The room's state: students with their seats, rounds, each student's entry in a round and the chats
it holds, and role-play pairs. Plain records, no sockets: the host changes them on its event loop
under its lock; views.py reads them; records.py writes them to the store.
"""
from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from . import protocol as P

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


def make_pairs(names: list[str], seed: int | None) -> list[list[str]]:
    """[buyer, agent] pairs in join order, or shuffled by `seed`; an odd one out is left unpaired."""
    names = list(names)
    if seed is not None:
        random.Random(seed).shuffle(names)
    return [[names[i], names[i + 1]] for i in range(0, len(names) - 1, 2)]
