"""One buyer chat: a `transitions` machine built from a persona, mood and patience, the transcript.

The caller drives it with `trainee_says(text)` and `tick()`; both return events. Time comes from
an injected clock and every random choice from an injected numpy Generator, so a script replays
identically. Timeouts are checked in `tick()` on the caller's thread (no timer threads).
"""
from __future__ import annotations

import itertools
import re
from collections import deque
from dataclasses import dataclass, replace
from functools import partial
from typing import Protocol

import numpy as np
from transitions import Machine, State

from game.content import placeholders
from game.content.model import Persona, TransitionDef
from game.language.facts import extract_facts, offered_price

from .events import Event, Message

class Judge(Protocol):
    """Scores each trainee message as it is sent (the scoring package fills this in).

    `judge` returns feedback with a `mood_delta` attribute: a rude reply makes the buyer colder at once.
    """

    def judge(self, conv: "Conversation", message: Message, reading) -> object: ...


class KefuState(State):
    """A transitions State that carries the persona's own keys."""

    def __init__(self, name, say=(), end=None, **kwargs):
        super().__init__(name, **kwargs)
        self.say = say
        self.end = end


class _Model:
    """What transitions binds its trigger methods to; kept apart so intent names never clash."""

    def __init__(self, conv: "Conversation"):
        self.conv = conv


def _condition(tdef: TransitionDef, event) -> bool:
    return tdef.cond(event.model.conv.vars)


def _after(tdef: TransitionDef, event) -> None:
    event.model.conv._apply(tdef, event.transition.source)


def machine_for(persona: Persona) -> Machine:
    """One shared Machine per persona; each conversation is added to it as a model."""
    if persona._machine is None:
        states = [KefuState(n, say=s.say, end=s.end) for n, s in persona.states.items()]
        m = Machine(model=None, states=states, initial=persona.start, auto_transitions=False,
                    send_event=True, ignore_invalid_triggers=True)
        for sname, sdef in persona.states.items():
            for trig, tdefs in sdef.on.items():
                for t in tdefs:
                    m.add_transition(trig, sname, t.dest, conditions=[partial(_condition, t)] if t.cond else None,
                                     after=[partial(_after, t)])
        persona._machine = m
    return persona._machine


_ids = itertools.count(1)
_MAX_CHAIN = 4  # moves of one message taken in turn: bounds a chain through a cyclic graph
_CJK = re.compile(r"[\u3400-\u9fff]")
# A sentence and the mark that ends it (a question: buyer.yaml `question_marks`).
_SENTENCE = re.compile(r"([^。!！?？\n]+)([。!！?？\n]|$)")
_CLAUSE = re.compile(r"[,，~～;；、\s]+")


@dataclass
class _Pending:
    due: float
    text: str
    kind: str  # "line", "nudge", "confused", "leave"


class Conversation:
    def __init__(self, persona: Persona, reader, clock, rng: np.random.Generator, *,
                 chat_id: str | None = None, judge: Judge | None = None, defaults=None, seed: int | None = None):
        self.persona = persona
        # A persona may teach the reader its own shop words (intents: in its file).
        self.reader = reader.for_persona(persona) if hasattr(reader, "for_persona") else reader
        self.clock = clock
        self.rng = rng
        self.id = chat_id or f"chat{next(_ids)}"
        self.seed = seed  # the seed of `rng`, kept so a stored chat can be replayed exactly
        self.judge = judge
        d = self.defaults = defaults  # buyer.yaml figures (also the titles of flags, for what is shown)
        self._think = getattr(d, "think", 1.0)
        self._min_delay = getattr(d, "min_delay", 1.0)
        self._max_delay = getattr(d, "max_delay", 8.0)
        self._mood_nudge = getattr(d, "mood_nudge", -8.0)
        self._mood_confused = getattr(d, "mood_confused", -3.0)
        b = persona.buyer
        self.started = clock.now()
        self.vars: dict[str, float] = {
            "mood": b.mood, "turns": 0, "concessions": 0, "offer_price": persona.list_price,
            "list_price": persona.list_price, "floor_price": persona.floor_price, "last_concession": 0,
            "discount": 0, "quantity": 1, "gift": 0, "free_shipping": 0, "nudges": 0, "elapsed": 0,
            "wait": 0, "confused": 0, "mentioned_price": 0, "compensation": 0, "shipping_threshold": 0,
            "stock_count": 0, "mentioned_threshold": 0,
            **persona.shop.numeric_vars(), **persona.vars,
        }
        # Every move of every message counts: said.<intent> is how many messages made it.
        # now.<intent> is 1 while the message being read makes it (a move said with another one)
        for name in getattr(reader, "intent_names", ()):
            self.vars.setdefault(f"said.{name}", 0)
            self.vars.setdefault(f"now.{name}", 0)
        self._remembered = frozenset(getattr(reader, "remembered", ()))
        self._fallbacks = dict(getattr(reader, "fallbacks", {}) or {})
        self._faults = frozenset(getattr(reader, "fault_names", ()) or ())
        self._open_offers: list[str] = []  # offers made earlier that no transition has taken up yet
        self._chain_say: list | None = None  # while several moves chain: the last buyer line wins
        self._used: set[str] = set()
        self._answered: set[str] = set()  # question topics the buyer has answered in this chat
        self._question_words = dict(getattr(d, "question_topics", {}) or {})
        self._question_marks = dict(getattr(d, "question_marks", {}) or {})
        self._question_which = tuple(self._question_marks.get("which", ()))
        self._with_greeting = frozenset(getattr(d, "with_greeting", ()) or ())
        self._greeting_topics = frozenset(getattr(d, "greeting_topics", ()) or ())
        self._question_moves = frozenset(getattr(d, "question_moves", ()) or ())
        self._asking_drops = dict(getattr(d, "asking_drops", {}) or {})
        self._proposals = dict(getattr(d, "proposals", {}) or {})
        self._last_mood = 0.0
        self._sent_at: float | None = None
        self.flags: list[str] = []
        self.transcript: list[Message] = []
        self.history: list[tuple[float, str, str, str]] = []  # (time, trigger, from, to)
        self.outcome: str | None = None
        self.outcome_reason = ""
        self._ending: tuple[str, str] | None = None
        self._pending: deque[_Pending] = deque()
        self._waiting_since: float | None = None    # patience counts from the buyer's latest line
        self._unanswered_since: float | None = None  # the reply time counts from the first unanswered one
        self._nudges = 0
        self._mood_low_fired = False
        self._replied = False
        self._out: list[Event] = []
        self.model = _Model(self)
        machine_for(persona).add_model(self.model, initial=persona.start)
        # The chat opens with the buyer's first line already sent, as on a real platform.
        self._say(persona.states[persona.start].say, quick=True)
        self._check_ending(persona.start)

    # ------------------------------------------------------------ public
    @property
    def state(self) -> str:
        return self.model.state

    @property
    def mood(self) -> float:
        return self.vars["mood"]

    @property
    def finished(self) -> bool:
        return self.outcome is not None

    @property
    def buyer_typing(self) -> bool:
        return bool(self._pending)

    @property
    def waiting_since(self) -> float | None:
        """When the buyer's first unanswered line appeared (None: nothing to answer)."""
        return self._unanswered_since

    def trainee_says(self, text: str, *, typing_started: float | None = None) -> list[Event]:
        now = self.clock.now()
        # Everything this message causes happens at the moment it was sent: however long reading
        # it takes, a replay with a stopped clock gives the buyer the same timing.
        self._sent_at = now
        try:
            return self._trainee_says(text, now, typing_started)
        finally:
            self._sent_at = None

    def _now(self) -> float:
        return self._sent_at if self._sent_at is not None else self.clock.now()

    def _trainee_says(self, text: str, now: float, typing_started: float | None) -> list[Event]:
        self._deliver(now)
        if self.finished:
            return self._flush()
        away = self.persona.states[self.state].away
        limit = self.reply_limit
        wait = (now - self._unanswered_since) if self._unanswered_since is not None and not away else 0.0
        first = not self._replied
        self._replied = True
        msg = Message(now, "agent", text, "message" if away else "line", wait=wait, first=first,
                      typing_started=typing_started, situation=getattr(self.persona.states.get(self.state), "situation", None))
        self.transcript.append(msg)
        self._emit("agent_line", text, wait=wait, first=first, limit=limit)
        reading = self.reader.read(text)
        msg.intents = reading.names
        v = self.vars
        v["turns"] += 1
        v["wait"] = wait
        v["elapsed"] = now - self.started
        self._waiting_since = self._unanswered_since = None
        self._nudges = 0
        self._apply_facts(reading)
        if self.judge is not None:
            msg.feedback = self.judge.judge(self, msg, reading)
            self._mood(float(getattr(msg.feedback, "mood_delta", 0.0) or 0.0))
            self._emit("feedback", text, feedback=msg.feedback)
        before, mood = len(self._pending), self.vars["mood"]
        self._react(reading)
        if self.vars["mood"] >= mood:  # a buyer the reply upset answers no question
            self._answer_questions(text, before)
        self._check_mood_low()
        if not self._pending and self._ending:
            self._finish()
        return self._flush()

    def tick(self) -> list[Event]:
        now = self.clock.now()
        self._deliver(now)
        if self.finished or self._pending or self._waiting_since is None:
            return self._flush()
        if now >= self._patience_deadline():
            self.vars["elapsed"] = now - self.started
            st = self.persona.states[self.state]
            if self._nudges < (st.nudges if st.nudges is not None else self.persona.buyer.nudges):
                self._nudges += 1
                self.vars["nudges"] += 1
                self._mood(self._mood_nudge)
                self._say(self.persona.buyer.nudge_lines, kind="nudge", quick=True)
                self._check_mood_low()
            else:
                self._waiting_since = None
                if not self._fire("timeout"):
                    self._say(self.persona.buyer.leave_lines, kind="leave")
                    self._ending = ("lost", self.state)
                    self.outcome_reason = "timeout"
                if not self._pending and self._ending:
                    self._finish()
            self._deliver(now)
        return self._flush()

    def next_due(self) -> float | None:
        """The next time something can happen without the trainee: a buyer line or a patience limit."""
        if self.finished:
            return None
        if self._pending:
            return self._pending[0].due
        if self._waiting_since is not None:
            return self._patience_deadline()
        return None

    def patience(self, now: float) -> tuple[float, float, bool] | None:
        """(seconds to the next nudge or to leaving, seconds of this wait in all, whether the buyer
        leaves then) while a buyer waits for the trainee; None otherwise."""
        if self.finished or self._pending or self._waiting_since is None:
            return None
        st = self.persona.states[self.state]
        allowed = st.nudges if st.nudges is not None else self.persona.buyer.nudges
        left = self._patience_deadline() - now
        return max(0.0, left), self.reply_limit, self._nudges >= allowed

    @property
    def reply_limit(self) -> float:
        """Seconds the buyer gives the trainee now: this state's own patience, else first or later reply."""
        b, st = self.persona.buyer, self.persona.states[self.state]
        return st.reply if st.reply is not None else (b.reply if self._replied else b.first_reply)

    def _patience_deadline(self) -> float:
        # One expression for both tick() and next_due(), so float rounding cannot make them disagree.
        return self._waiting_since + self.reply_limit

    @property
    def choices(self):
        """The beginner choices of the current state (empty when none or when finished)."""
        if self.finished:
            return ()
        # a choice is what the trainee would type: its {shop}/{product} filled like a buyer line
        return tuple(replace(c, text=self._format(c.text)) for c in self.persona.states[self.state].choices)

    def choose(self, index: int) -> list[Event]:
        """Send choice `index` exactly as if the trainee had typed it."""
        return self.trainee_says(self.choices[index].text)

    def close(self) -> None:
        """Detach from the shared machine (call when the chat is dropped)."""
        try:
            machine_for(self.persona).remove_model(self.model)
        except ValueError:
            pass

    # ------------------------------------------------------------ internals
    def _emit(self, kind: str, text: str = "", **data) -> None:
        self._out.append(Event(kind, self.id, self._now(), text, data))

    def _flush(self) -> list[Event]:
        out, self._out = self._out, []
        return out

    def _mood(self, delta: float) -> None:
        if delta:
            self.vars["mood"] = float(min(100.0, max(0.0, self.vars["mood"] + delta)))

    def _apply_facts(self, reading) -> None:
        v, facts = self.vars, reading.facts
        # A threshold (满199包邮) is a price mentioned too: personas test it against the shop's line.
        # A tax told ("按5%算,您补10块") is the figure of its reply, before the amounts it was worked from.
        v["mentioned_price"] = (getattr(facts, "tax", None) or (facts.prices[0] if facts.prices else
                                getattr(facts, "threshold", None)) or 0)
        offer = offered_price(reading, v["list_price"], v["offer_price"])
        if offer is not None:
            step = v["offer_price"] - offer
            v["concessions"] += 1
            v["last_concession"] = step
            v["offer_price"] = round(offer, 2)
            v["discount"] = v["list_price"] - v["offer_price"]
        if facts.quantity:
            v["quantity"] = facts.quantity
        # how many are left, in this message ("就剩6件了"); 0 when it tells no count
        v["stock_count"] = getattr(facts, "stock_count", None) or 0
        v["mentioned_threshold"] = getattr(facts, "threshold", None) or 0
        if facts.free_shipping:
            threshold = getattr(facts, "threshold", None)
            if threshold:
                # A threshold gives free shipping only to an order that reaches it; a total worked out
                # for an item more is a suggestion until two are ordered.
                v["shipping_threshold"] = threshold
                several = max(facts.quantity or 0, v["quantity"]) > 1
                order = (facts.total if several and facts.total else None) or v["offer_price"] * max(v["quantity"], 1)
                if order >= threshold:
                    v["free_shipping"] = 1
            else:
                v["free_shipping"] = 1
        if facts.gift:
            v["gift"] = 1
        if getattr(facts, "compensation", None):
            v["compensation"] = facts.compensation

    def _react(self, reading) -> None:
        names = list(dict.fromkeys(reading.names))
        if self._asking_drops:
            # "您把平时穿的码数告诉我,我帮您看看" asks her size: it gives no size advice yet...
            where: dict[str, list[str]] = {}
            asked = [t for t in self._asked(reading.text, where=where) if t not in self._answered]
            drops = {n for t in asked for n in self._asking_drops.get(t, ()) if n in names}
            if drops:
                # ...unless another sentence of the message gives it ("您穿几码?这款偏小,建议拍大一码")
                rest = reading.text
                for t in asked:
                    for sent in where.get(t, ()):
                        rest = rest.replace(sent, " ")
                if rest.strip() and _CJK.search(rest):
                    drops -= set(self.reader.read(rest).names)
            names = [n for n in names if n not in drops]
        for key in [k for k in self.vars if k.startswith("now.")]:
            self.vars[key] = 0
        for n in names:
            key = f"said.{n}"
            self.vars[key] = self.vars.get(key, 0) + 1
            self.vars[f"now.{n}"] = 1
        if self._take_moves(names, reading.text):
            self._open_offers = [o for o in self._open_offers if o not in names]
            self._open_offers += [n for n in names if n in self._remembered and n not in self._used]
            return
        self._open_offers += [n for n in names if n in self._remembered and n not in self._open_offers]
        state = self.persona.states[self.state]
        # Gibberish (nothing understood, no Chinese at all) is never taken as an answer; a curt
        # "在" or "嗯" is an answer, just a cold one.
        nonsense = not names and not _CJK.search(reading.text)
        if not nonsense and "any" in state.on and self._fire("any"):
            return
        if not names and "unknown" in state.on and self._fire("unknown"):
            return
        if names and state.say:
            # Understood, but not what this buyer is waiting for: they ask again.
            self._say(state.say, kind="repeat")
            return
        self.vars["confused"] += 1
        self._mood(self._mood_confused)
        self._say(self.persona.buyer.confused_lines, kind="confused")

    def _asked(self, text: str, topics=None, where: dict | None = None) -> list[str]:
        """The topics (buyer.yaml `questions`) of the trainee's questions in ``text``: a sentence
        that ends in a question mark or a question particle, holding one of a topic's words.
        Only the topics the buyer has answers for, unless ``topics`` names others."""
        topics = self.persona.buyer.answers if topics is None else topics
        if not topics:
            return []
        words, marks = self._question_words, self._question_marks
        out: list[str] = []
        for m in _SENTENCE.finditer(text):
            sent, mark = m.group(1), m.group(2)
            tail = sent.rstrip("~～ ,，")
            # "多大码?", "穿几码呀", "是送人吗": a mark, a closing particle, or a soft one after a question word
            # or a request for it ("把地址和码数发我一下")
            question = mark in ("?", "？") or tail.endswith(marks.get("end", ())) or (
                tail.endswith(marks.get("soft_end", ())) and any(w in tail for w in marks.get("ask", ())))
            if not (question or any(w in tail for w in marks.get("request", ()))):
                continue
            # what is asked: the closing clause, or one with a question word ("这款偏小半码,您穿几码呀");
            # a request asks only in its own clause ("单号发我一下,给您安排M码发出" asks no size)
            parts = [c for c in _CLAUSE.split(tail) if c]
            asked = [c for c in parts[:-1]
                     if any(w in c for w in marks.get("ask", ()) + marks.get("request", ()))] + parts[-1:]
            if not question:
                asked = [c for c in parts if any(w in c for w in marks.get("request", ()))]
            # "颜色有原木色、碳化色和清漆,您喜欢哪种呀?": a bare "which" asks about the clause before it
            which = self._question_which
            lead_topics: list[str] = []
            if question and len(parts) >= 2 and any(w in parts[-1] for w in which) and not any(
                    w in parts[-1] for t in topics for w in words.get(t, ()) if w not in which):
                before = "".join(parts[:-1])  # the rest of the sentence ("、" may split its list)
                lead_topics = [t for t in topics if any(w in before for w in words.get(t, ()))]
            for topic in topics:
                if lead_topics:
                    hit = topic in lead_topics
                else:
                    # "就拍粉色38码吧?" proposes a size for her to agree to: it does not ask hers
                    props = self._proposals.get(topic, ())
                    hit = any(w in c for c in asked if not any(p in c for p in props) for w in words.get(topic, ()))
                if hit:
                    if topic not in out:
                        out.append(topic)
                    if where is not None:
                        where.setdefault(topic, []).append(m.group(0))
        return out

    def _answer_questions(self, text: str, before: int) -> None:
        """A buyer answers what she is asked (her size, which item, her order number) before she
        goes on, when her state did not take the question itself. Each topic once a chat."""
        if self.finished or self._question_moves & self._used:
            return
        topics = [t for t in self._asked(text) if t not in self._answered]
        if not topics:
            return
        new = [k for k in range(before, len(self._pending)) if self._pending[k].kind == "line"]
        nxt = self._pending[new[0]].text if new else ""
        said = []
        for t in topics:
            self._answered.add(t)
            lines = self.persona.buyer.answers[t]
            line = self._format(lines[int(self.rng.integers(len(lines)))]).rstrip(",，")
            if not _said_in(line, t, nxt):  # her next line answers it already ("27的腰太紧了")
                said.append(line)
        if not said:
            return
        answer = ",".join(said)
        if new:
            k = new[0]
            p = self._pending[k]
            join = "" if answer[-1:] in "。!！?？~～," else ","
            self._pending[k] = _Pending(p.due, answer + join + p.text, p.kind)
        elif not self._ending:
            self._say((answer,))

    def _take_moves(self, names: list[str], text: str = "") -> bool:
        """Fire the message's moves in turn: the first one the state listens for, then, in the
        state it leads to, one said after it, and so on; in a state reached on good terms an offer
        made earlier in the chat counts too (the buyer never asks for what was offered). Only the
        last buyer line of the chain is said."""
        self._used: set[str] = set()
        spent: set[str] = set()  # moves answered with the greeting, not taken by a state
        fired = 0
        after = -1  # the buyer reads on from the move she took: what came before it is answered
        self._chain_say = []
        try:
            while fired < _MAX_CHAIN and not self._ending:
                state = self.persona.states[self.state]
                pool = [n for k, n in enumerate(names) if k > after and n not in self._used and n not in spent]
                if fired and self._last_mood >= 0:
                    pool += [o for o in self._open_offers if o not in self._used and o not in pool]
                # A move this state has no ear for is heard as its fallback (answer_invoice as
                # assure_quality in a persona written before answer_invoice existed).
                heard = {n: n for n in pool if n in state.on}
                trig = next((t for t in state.on if t in heard and self._fire(t)), None)
                # A loose hearing answers what the buyer just asked; it never runs on past her next
                # question, except a fault (criticism heard as rudeness), which she always minds.
                if trig is None:
                    heard = {}
                    for n in pool:
                        fb = self._fallbacks.get(n)
                        if fired and fb not in self._faults:
                            continue
                        if n not in state.on and fb and fb not in pool:
                            heard.setdefault(fb, n)
                    trig = next((t for t in state.on if t in heard and self._fire(t)), None)
                if trig is None:
                    break
                move = heard[trig]
                self._used.add(move)
                # "您好,想看看什么鞋?" answers the greeting: its companions do not run on into the
                # question the buyer has not asked yet
                if "greet" in names and (move == "greet" or move in self._with_greeting):
                    spent |= {"greet", *self._with_greeting}
                    # ...but a real question about her ("您平时穿多大码?") is hers to answer
                    if set(self._asked(text, self._question_words)) - self._greeting_topics:
                        spent -= self._question_moves
                if move in names:
                    after = max(after, names.index(move))
                fired += 1
        finally:
            says, self._chain_say = self._chain_say, None
        if says:
            # an answer to the trainee's question (her size, what the shoes are for) is said too,
            # before where the rest of the message took her
            for lines, kind, trig in says[:-1]:
                if trig in self._question_moves:
                    self._say(lines, kind=kind)
                    break
            lines, kind, _trig = says[-1]
            self._say(lines, kind=kind)
        if self._ending and not self._pending:
            self._finish()
        return fired > 0

    def _fire(self, trigger: str) -> bool:
        before = self.state
        if trigger not in self.persona.states[before].on:
            return False
        fired = self.model.trigger(trigger)
        return bool(fired)

    def _apply(self, t: TransitionDef, src: str) -> None:
        """After-callback of every transition: effects, the buyer's reply, a possible ending."""
        now = self._now()
        self.history.append((now, t.trigger, src, self.state))
        self._emit("state", self.state, trigger=t.trigger, source=src)
        self._mood(t.mood)
        self._last_mood = t.mood
        for k, val in t.set:
            self.vars[k] = val
        for k, val in t.add:
            self.vars[k] = self.vars.get(k, 0) + val
        self.flags.extend(f for f in t.flags if f not in self.flags)
        lines = t.say if t.say else (self.persona.states[self.state].say if t.dest is not None else None)
        if lines and self._chain_say is not None:
            self._chain_say.append((lines, "line", t.trigger))
        elif lines:
            self._say(lines)
        self._check_ending(self.state)

    def _check_ending(self, state: str) -> None:
        end = self.persona.states[state].end
        if end:
            self._ending = (end, state)
            if not self._pending and self._chain_say is None:
                self._finish()

    def _check_mood_low(self) -> None:
        if (not self._mood_low_fired and not self.finished and not self._ending
                and self.vars["mood"] <= self.persona.buyer.anger_at):
            self._mood_low_fired = True
            self._fire("mood_low")
            if not self._pending and self._ending:
                self._finish()

    def _finish(self) -> None:
        if self.outcome is None and self._ending:
            self.outcome, state = self._ending
            self._waiting_since = self._unanswered_since = None
            self._emit("outcome", self.outcome, state=state, reason=self.outcome_reason or state)

    def _format(self, text: str) -> str:
        p = self.persona
        values = {k: _num(v) for k, v in self.vars.items()}
        values.update(product=p.product.name, shop=p.shop.name, buyer=p.buyer.name, price=_num(p.list_price),
                      color=p.product.colors[0] if p.product.colors else "",
                      size=p.product.sizes[0] if p.product.sizes else "")
        return placeholders.fill(text, values)  # `{name}` only: never Python's format mini-language

    def _say(self, lines, kind: str = "line", quick: bool = False) -> None:
        if not lines:
            return
        text = self._format(lines[int(self.rng.integers(len(lines)))])
        now = self._now()
        start = self._pending[-1].due if self._pending else now
        if quick:
            delay = self._min_delay
        else:
            typing = len(text) / max(self.persona.buyer.chars_per_second, 0.1)
            delay = self._think + typing * float(self.rng.uniform(0.8, 1.2))
            delay = min(max(delay, self._min_delay), self._max_delay)
        if not self._pending:
            self._emit("buyer_typing")
        self._pending.append(_Pending(round(start + delay, 3), text, kind))
        self._waiting_since = None

    def _deliver(self, now: float) -> None:
        while self._pending and self._pending[0].due <= now:
            p = self._pending.popleft()
            self.transcript.append(Message(p.due, "buyer", p.text, p.kind))
            self._out.append(Event("buyer_line", self.id, p.due, p.text, {"kind": p.kind}))
            self._waiting_since = p.due
            # An offline buyer waits for nobody: her lines start no reply clock.
            if self._unanswered_since is None and not self.persona.states[self.state].away:
                self._unanswered_since = p.due
        if not self._pending and self._ending and not self.finished:
            self._finish()


def _num(v: float):
    return int(v) if float(v).is_integer() else round(v, 2)


def _said_in(answer: str, topic: str, line: str) -> bool:
    """The buyer's next line already answers ``topic``: it names a size (read as the reader reads
    sizes, reader.yaml), or holds most of the answer."""
    if not line:
        return False
    if topic == "size" and extract_facts(line).sizes:
        return True
    pairs = lambda t: {t[i:i + 2] for i in range(len(t) - 1)}  # noqa: E731
    keep = lambda t: "".join(ch for ch in t if ch.isalnum())  # noqa: E731
    a, b = pairs(keep(answer)), pairs(keep(line))
    return bool(a) and len(a & b) >= 0.5 * len(a)
