"""What the trainer sees of a round, computed from the room's records: the leaderboard rows, the
podium, a student's chats (transcript) and their results. Pure functions; the host calls them
under its lock.
"""
from __future__ import annotations

import statistics

from . import protocol as P
from .room import ChatRecord, Round, Student


def rows(students: dict[str, Student], rnd: Round | None) -> list[dict]:
    """Leaderboard rows, best first (see ClassroomHost.leaderboard)."""
    if rnd is None:
        return []
    out = []
    for st in students.values():
        e = st.rounds.get(rnd.id)
        if e is None:
            continue
        chats = list(e.chats.values())
        totals = [c.total for c in chats if c.total is not None]
        waits = [m["wait"] for c in chats for m in c.messages if m["who"] == "agent" and m["wait"] > 0]
        expected = len(e.personas) if e.kind == "normal" else (1 if e.role == "agent" else 0)
        done = sum(1 for c in chats if c.ended)
        outcomes = [c.outcome for c in chats]
        if e.role == "buyer":
            status = "buyer"
        elif e.problem:
            status = "problem"
        elif expected and done >= expected:
            status = "done"
        else:
            status = "playing"
        if len(outcomes) == 1 and expected == 1:
            outcome = outcomes[0]
        else:
            outcome = f"{sum(1 for o in outcomes if o == 'success')}/{expected} success" if outcomes else None
        out.append({
            "rank": None, "name": st.name, "role": e.role, "kind": e.kind,
            "score": round(statistics.fmean(totals), 1) if totals else None,
            "outcome": outcome, "outcomes": outcomes,
            "avg_reply": round(statistics.fmean(waits), 1) if waits else None,
            "messages": sum(1 for c in chats for m in c.messages if m["who"] == "agent"),
            "done": done, "chats": expected, "connected": st.connected, "status": status, "problem": e.problem,
            "grade": chats[0].grade if len(chats) == 1 else None,
        })
    out.sort(key=lambda r: (r["score"] is None, -(r["score"] or 0.0), r["avg_reply"] is None,
                             r["avg_reply"] or 0.0, r["name"]))
    n = 0
    for r in out:
        if r["score"] is not None and r["role"] == "agent":
            n += 1
            r["rank"] = n
    return out


def podium(students: dict[str, Student], rnd: Round | None) -> list[dict]:
    top = [r for r in rows(students, rnd) if r["rank"] is not None][:3]
    return [{"place": r["rank"], "name": r["name"], "score": r["score"]} for r in top]


def chats_of(students: dict[str, Student], rnd: Round, st: Student) -> list[ChatRecord]:
    """A student's chats of a round; a role-play buyer's is the chat they played in (their agent's)."""
    e = st.rounds.get(rnd.id)
    if e is None:
        return []
    if e.role == "buyer" and e.chat is not None:
        pair = next(p for p in rnd.pairs if p.chat == e.chat)
        return [students[P.name_key(pair.agent)].rounds[rnd.id].chats[e.chat]]
    return list(e.chats.values())


def results(students: dict[str, Student], rnd: Round, st: Student) -> list[dict]:
    """The round_end `results` record: a student's chats as the host scored them."""
    return [{"chat": c.chat, "title": c.title[:80], "outcome": c.outcome or "unfinished", "total": c.total,
             "grade": c.grade} for c in chats_of(students, rnd, st)][:P.MAX_PERSONAS]


def transcript(students: dict[str, Student], rnd: Round, st: Student) -> list[dict]:
    return [{"chat": c.chat, "persona": c.persona, "title": c.title, "outcome": c.outcome, "total": c.total,
             "grade": c.grade, "report": c.report,
             "messages": [{"who": m["who"], "text": m["text"], "time": round(m["time"] - c.opened, 2),
                           "wait": m["wait"], "kind": m["kind"],
                           "score": (m["feedback"] or {}).get("score")} for m in c.messages]}
            for c in chats_of(students, rnd, st)]
