"""The reader: one trainee message in, intents and facts out.

Deterministic, no model, no eval. Everything is compiled in ``Reader.__init__``;
``read`` does one normalization pass, one phrase scan, the intent regexes and
fact extraction. It never raises on a string.

Two kinds of data drive it, both from the content folder: the intents
(scenarios/rules/intents.yaml) and the reader word lists, its lexicon
(scenarios/rules/reader.yaml: negators, offer words, price and size cues...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from game.language.facts import EMPTY_FACTS, Facts, scan_facts
from game.language.lexicon import Lexicon, default_lexicon
from game.language.normalize import PhraseMatcher, Prepared, normalize, prepare
from game.language.vocab import IntentDef

# Intents implied by facts even when no phrase of theirs matched.
FACT_INTENTS = ("offer_discount", "offer_free_shipping", "offer_gift")

_MAX_PATTERN_MATCHES = 16  # per pattern and message: bounds work on odd input


@dataclass(frozen=True, slots=True)
class IntentHit:
    name: str
    start: int  # span in the ORIGINAL text
    end: int
    matched: str  # original text of the span


@dataclass(frozen=True, slots=True)
class Reading:
    text: str  # as typed
    normalized: str
    intents: tuple[IntentHit, ...]  # in order of first appearance
    facts: Facts

    def has(self, name: str) -> bool:
        return any(h.name == name for h in self.intents)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(h.name for h in self.intents)


class Reader:
    def __init__(self, intents: list[IntentDef], lexicon: Lexicon | None = None):
        """``intents`` from intents.yaml (``Library.intents``); ``lexicon`` from reader.yaml
        (``Library.lexicon``), None for the shipped scenarios/rules/reader.yaml."""
        self._lexicon = (lexicon if lexicon is not None else default_lexicon()).compile()
        self._negators = self._lexicon.negation.minimal
        self._names: list[str] = []
        index: dict[str, int] = {}
        for d in intents:
            if d.name not in index:
                index[d.name] = len(self._names)
                self._names.append(d.name)
        for name in FACT_INTENTS:
            if name not in index:
                index[name] = len(self._names)
                self._names.append(name)
        self._index = index
        self._matcher = PhraseMatcher(
            ((p, index[d.name]) for d in intents for p in d.phrases), self._lexicon
        )
        patterns: list[tuple[int, re.Pattern[str]]] = []
        for d in intents:
            for p in d.patterns:
                try:
                    patterns.append((index[d.name], re.compile(p)))
                except re.error as e:
                    raise ValueError(f"intent {d.name}: bad pattern {p!r}: {e}") from e
        self._patterns = patterns

    @property
    def intent_names(self) -> tuple[str, ...]:
        return tuple(self._names)

    @property
    def lexicon(self) -> Lexicon:
        """The word lists this reader reads with (pass it to ``prepare`` for the same negation)."""
        return self._lexicon

    def read(self, text: str) -> Reading:
        """Intents and facts of one message. Never raises."""
        if not isinstance(text, str):
            text = "" if text is None else str(text)
        try:
            return self._read(text)
        except Exception:  # last resort: a reader bug must not end a training session
            try:
                normalized = normalize(text)
            except Exception:
                normalized = text
            return Reading(text, normalized, (), EMPTY_FACTS)

    def _read(self, text: str) -> Reading:
        prep = prepare(text, lexicon=self._lexicon)
        best: dict[int, tuple[int, int]] = {}  # intent index -> original span

        def keep(i: int, span: tuple[int, int]) -> None:
            old = best.get(i)
            if old is None or span[0] < old[0]:
                best[i] = span

        for h in self._matcher.scan(prep):
            keep(h.key, prep.orig_span(h.start, h.end))

        if self._patterns and prep.analysed:
            for i, rx in self._patterns:
                span = self._pattern_hit(prep, rx, self._negators)
                if span is not None:
                    keep(i, span)

        facts, offers = scan_facts(prep)
        for name, (a, b) in offers.items():
            keep(self._index[name], prep.orig_span_norm(a, b))

        order = sorted(best.items(), key=lambda kv: (kv[1][0], kv[0]))
        hits = tuple(
            IntentHit(self._names[i], s, e, text[s:e]) for i, (s, e) in order
        )
        return Reading(text, prep.text, hits, facts)

    @staticmethod
    def _pattern_hit(prep: Prepared, rx: re.Pattern[str], negators: tuple[str, ...]) -> tuple[int, int] | None:
        """Original span of the first non-negated match of ``rx``."""
        for n, m in enumerate(rx.finditer(prep.analysed)):
            if n >= _MAX_PATTERN_MATCHES:
                break
            a, b = m.span()
            if a == b:
                continue
            k, j = prep.to_compact(a), prep.to_compact(b)
            if k < j:
                if any(c in m.group() for c in negators):
                    if prep.in_question(k, j) or prep.conditional(k, j):
                        continue
                elif prep.negated(k, j):
                    continue
            span = prep.orig_span_norm(a, b)
            if span[0] < span[1]:
                return span
        return None
