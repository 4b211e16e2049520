"""The reader: one trainee message in, intents and facts out.

Deterministic, no model, no eval. Everything is compiled in ``Reader.__init__``;
``read`` does one normalization pass, one phrase scan, the intent regexes and
fact extraction. It never raises on a string.

Two kinds of data drive it, both from the content folder: the intents
(scenarios/rules/intents.yaml) and the reader word lists, its lexicon
(scenarios/rules/reader.yaml: negators, offer words, price and size cues...).
"""

from __future__ import annotations

import copy
import logging
import re
import threading
from dataclasses import dataclass, replace

import numpy as np

from game.content import patterns as content_patterns
from game.language import learned
from game.language.facts import EMPTY_FACTS, Facts, scan_facts
from game.language.lexicon import Lexicon, default_lexicon
from game.language.normalize import PhraseMatcher, Prepared, normalize, prepare
from game.language.vocab import IntentDef

log = logging.getLogger(__name__)

# Intents implied by facts even when no phrase of theirs matched.
FACT_INTENTS = ("offer_discount", "offer_free_shipping", "offer_gift")

_MAX_PATTERN_MATCHES = 16  # per pattern and message: bounds work on odd input
# A phrase or pattern counts where the classifier gives its intent at least this (below its own
# threshold: the author's words lower the bar); under it the words are there, the meaning is not.
VETO = 0.5
RULE_CONFIDENCE = 0.9
OWN_SIMILARITY = 0.65  # how close to a persona's own example a window must be to read as its intent
FAULT_THRESHOLD = 0.9  # a fault intent (fault: true in intents.yaml) reads at this probability or more
# No fallback to a clause's best intent below the threshold (Rasa's 0.6 with a 0.2 lead was tried):
# on the four development reply sets it added more wrong moves than right ones (macro F1 0.805 with
# it, 0.814 without; precision 0.753 -> 0.782, recall 0.859 -> 0.849).
MAX_CLAUSES = 40  # the classifier reads this many clauses of a message; a pasted essay is left to the rules
# ... and the clauses that start within this many characters of it. A chat reply is far shorter (the
# longest in the labelled sets is 343); each clause read costs the encoder, so a pasted essay of short
# clauses would otherwise cost several times a long reply.
MAX_READ_CHARS = 400
WINDOW_CHARS = 800  # characters of all windows read (a clause, two clauses, the whole): see _windows
_RECENT = 256  # readings kept
clause_spans = learned.clause_spans
_HAN = re.compile(r"[\u3400-\u9fff]")


def _windows(spans: list[tuple[int, int]], budget: int = WINDOW_CHARS) -> list[tuple[int, int]]:
    """What the classifier reads: each clause, each two neighbouring clauses, and the whole
    message, so a move spread over two clauses ("这款不能机洗,建议手洗") is read too. The encoder's
    cost grows with the characters it reads, so past ``budget`` characters in all (a long paste)
    the pairs stop and the whole message is left out."""
    out = list(spans)
    used = sum(b - a for a, b in spans)
    for k in range(len(spans) - 1):
        w = (spans[k][0], spans[k + 1][1])
        if used + w[1] - w[0] > budget:
            break
        out.append(w)
        used += w[1] - w[0]
    if len(spans) > 2 and spans[-1][1] - spans[0][0] <= budget - used:
        out.append((spans[0][0], spans[-1][1]))
    return out


@dataclass(frozen=True, slots=True)
class IntentHit:
    name: str
    start: int  # span in the ORIGINAL text
    end: int
    matched: str  # original text of the span
    confidence: float = 1.0  # the classifier's probability; 1.0 for a rule match it did not weigh


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
    def __init__(self, intents: list[IntentDef], lexicon: Lexicon | None = None, *,
                 design: learned.Design | None = None, learn: bool = True, encoder=None,
                 fusion: str = "veto"):
        """``intents`` from intents.yaml (``Library.intents``); ``lexicon`` from reader.yaml
        (``Library.lexicon``), None for the shipped scenarios/rules/reader.yaml.

        With ``learn`` (the default) a classifier is trained from the intents' examples (or read
        from the cache) and reads every clause; the phrases and patterns still count, and the
        classifier can overrule a phrase it finds very unlikely in its clause (``fusion="veto"``;
        ``"union"`` keeps every phrase hit, ``"learned"`` keeps only facts besides the classifier,
        ``"rules"`` ignores the classifier).
        """
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
        # An intent that gives way when another is in the same message ("不换了,我直接补偿您").
        self._persona_readers: dict[tuple, "Reader"] = {}
        self._own = None  # a persona's own examples (for_persona)
        self._recent: dict[str, Reading] = {}
        self._recent_lock = threading.Lock()
        self.remembered = tuple(d.name for d in intents if d.remembered)
        self.fallbacks = {d.name: d.fallback for d in intents if d.fallback}
        faults = {d.name for d in intents if d.fault}
        self.fault_names = frozenset(faults)
        self._yields = {index[d.name]: {index[y] for y in d.yields_to if y in index}
                        for d in intents if d.yields_to}
        self._softened = {index[d.name]: (index[d.softened_to], {index[y] for y in d.softened_by if y in index})
                          for d in intents if d.softened_by and d.softened_to in index}
        self._markers = learned.marker_re(self._lexicon.words("clauses", "markers"))
        # a price said with no offer word is an offer unless one of these moves frames it
        pct = self._lexicon.number("offer", "plain_min_percent")
        self._plain_floor = pct / 100 if pct <= 100 else None
        self._plain_not = {index[n] for n in self._lexicon.words("offer", "plain_not_with") if n in index}
        self._plain_with = self._lexicon.words("offer", "plain_with")
        self.design = design or learned.DEFAULT_DESIGN
        self.fusion = fusion
        self.veto = VETO
        self.fault_threshold = FAULT_THRESHOLD
        self._encoder = None
        self._model = None
        self._columns: list[int] = []
        if learn and fusion != "rules":
            if self.design.embed:
                if encoder is None:
                    from game.language.encoder import shared_encoder

                    encoder = shared_encoder()
                self._encoder = encoder
            self._model = learned.trained(learned.training_set(intents), self.design, self._encoder,
                                          learned.Negation(self._lexicon.negation))
            if self._model is not None:
                self._columns = [index[n] for n in self._model.names]
                self._sure_only = np.asarray([n in faults for n in self._model.names], bool)
                # A fault needs more certainty than a move: calling a good reply rude costs more.
                self._thresholds = np.where(self._sure_only, np.maximum(self._model.thresholds, self.fault_threshold),
                                            self._model.thresholds)
                if self._encoder is not None and self._model.dense is not None:
                    self._encoder.encode(["您好"])  # load its weights now, not on the first reply

    def for_persona(self, persona) -> "Reader":
        """This reader, or a copy that also knows the persona's own examples (``intents:`` in its
        file): a window of a message close enough to one of them reads as its intent. Nothing is
        trained again, so a persona's words cost nothing at start-up."""
        own = tuple(getattr(persona, "intents", ()) or ())
        if not own or self._model is None:
            return self
        key = (getattr(persona, "id", ""), getattr(persona, "digest", ""))
        got = self._persona_readers.get(key)
        if got is None:
            got = copy.copy(self)
            got._recent, got._recent_lock = {}, threading.Lock()
            got._names = list(self._names)
            got._index = dict(self._index)
            got._persona_readers = {}
            pos, neg = [], []
            for d in own:
                if d.name not in got._index:
                    got._index[d.name] = len(got._names)
                    got._names.append(d.name)
                i = got._index[d.name]
                pos += [(i, normalize(t)) for t in d.examples]
                neg += [(i, normalize(t)) for t in d.counter_examples]
            got._own = (pos, neg, got._vectors([t for _i, t in pos]), got._vectors([t for _i, t in neg]))
            self._persona_readers[key] = got
        return got

    def _vectors(self, texts: list[str]) -> np.ndarray:
        """Unit vectors to compare windows with a persona's examples: sentence embeddings, or the
        classifier's tf-idf features when there is no encoder."""
        if not texts:
            return np.zeros((0, 1), np.float32)
        if self._encoder is not None:
            return self._encoder.encode(texts)
        rows = self._model._sparse_rows(texts)
        out = np.zeros((len(texts), len(self._model.vocab)), np.float32)
        for r, (ia, v) in enumerate(rows):
            out[r, ia] = v
        return out

    @property
    def encoder(self):
        """The sentence encoder this reader shares (None without one)."""
        return self._encoder

    @property
    def model(self):
        """The trained classifier (game.language.learned.IntentModel), None without one."""
        return self._model

    @property
    def intent_names(self) -> tuple[str, ...]:
        return tuple(self._names)

    @property
    def lexicon(self) -> Lexicon:
        """The word lists this reader reads with (pass it to ``prepare`` for the same negation)."""
        return self._lexicon

    def read(self, text: str) -> Reading:
        """Intents and facts of one message. Never raises. The last readings are kept, so a reply
        read ahead on a worker thread is not read again on the frame."""
        if not isinstance(text, str):
            text = "" if text is None else str(text)
        with self._recent_lock:
            got = self._recent.get(text)
        if got is not None:
            return got
        try:
            got = self._read(text)
            with self._recent_lock:
                self._recent[text] = got
                if len(self._recent) > _RECENT:
                    self._recent.pop(next(iter(self._recent)))
            return got
        except Exception:  # last resort: a reader bug must not end a training session (logged)
            log.exception("reading failed on a reply of %d characters", len(text))
            try:
                normalized = normalize(text)
            except Exception:
                normalized = text
            return Reading(text, normalized, (), EMPTY_FACTS)

    def _read(self, text: str) -> Reading:
        prep = prepare(text, lexicon=self._lexicon)
        best: dict[int, tuple[int, int]] = {}  # intent index -> original span
        conf: dict[int, float] = {}
        from_rule: set[int] = set()

        def keep(i: int, span: tuple[int, int], p: float = 1.0, rule: bool = True) -> None:
            # A rule's span is exact and the earliest one wins; the classifier's first (smallest)
            # window stands only until a rule places the intent.
            old = best.get(i)
            if old is None or (rule and (i not in from_rule or span[0] < old[0])):
                best[i] = span
            if rule:
                from_rule.add(i)
            conf[i] = max(conf.get(i, 0.0), p)

        # (intent, original span, normalized start, from facts)
        rule_hits: list[tuple[int, tuple[int, int], int, bool]] = []
        dropped: list = []
        for h in self._matcher.scan(prep, dropped):
            rule_hits.append((h.key, prep.orig_span(h.start, h.end), prep.compact_to_norm[h.start], False))
        # (intent, normalized start) of words the negation rules turned down: "不包邮", "能不能打折"
        ruled_out = [(h.key, prep.compact_to_norm[h.start]) for h in dropped]

        if self._patterns and prep.analysed:
            for i, rx in self._patterns:
                hit = self._pattern_hit(prep, rx, self._negators, ruled_out, i)
                if hit is not None:
                    rule_hits.append((i, *hit, False))

        facts, offers = scan_facts(prep)
        for name, (a, b) in offers.items():
            rule_hits.append((self._index[name], prep.orig_span_norm(a, b), a, True))

        if self._model is None:
            for i, span, _n, _f in rule_hits:
                keep(i, span)
        else:
            spans = self._read_spans(prep.analysed)
            windows = _windows(spans)
            texts = [prep.analysed[a:b] for a, b in windows]
            probs, vecs = self._clause_scores(texts)
            cols = self._columns
            thr = self._thresholds
            col_of = {i: c for c, i in enumerate(cols)}
            if self._own is not None:
                for r, i, v in self._own_hits(texts, vecs):
                    a, b = windows[r]
                    keep(i, prep.orig_span_norm(a, b), v, rule=False)
            found = {(i, n) for i, _span, n, _f in rule_hits}
            for r, (a, b) in enumerate(windows):
                fire = list(np.flatnonzero(probs[r] >= thr))
                for c in fire:
                    i = cols[c]
                    # Negation by scope: the intent's own words stand here, turned down, and
                    # nothing else in the window says it ("不包邮", "包邮不了", "看能不能打折").
                    if any(k == i and a <= n < b for k, n in ruled_out) and not any(
                            k == i and a <= n < b for k, n in found):
                        continue
                    keep(i, prep.orig_span_norm(a, b), float(probs[r, c]), rule=False)
            for i, span, n, from_facts in rule_hits:
                c = col_of.get(i)
                # A price offer read from the numbers, or a gift named with its verb (送您一双袜子),
                # stands on its own grammar; a bare 礼物 is only a topic until the classifier agrees.
                strong = from_facts and (self._names[i] == "offer_discount" or (
                    self._names[i] == "offer_gift" and facts.gift not in (None, "礼品")))
                if (strong or c is None or not windows or not self._model.trained_on(c)
                        or not _HAN.search(text, *span)):
                    # the classifier reads Chinese: "88", "3q", "hi" are left to the author's words
                    keep(i, span)  # an offer read from the numbers has its own negation rules
                    continue
                if self.fusion == "learned":
                    continue
                p = max((float(probs[r, c]) for r, (a, b) in enumerate(windows) if a <= n < b), default=0.0)
                if self.fusion != "union" and p < self.veto:
                    continue  # the words are there, the meaning is not ("说回礼物,您女朋友…")
                keep(i, span, max(p, RULE_CONFIDENCE))

        for i, over in self._yields.items():
            if i in best and over & best.keys():
                del best[i]
        for i, (to, by) in self._softened.items():
            if i in best and by & best.keys():
                span, p = best.pop(i), conf.pop(i, 1.0)
                if to not in best:
                    best[to], conf[to] = span, p
        if (self._plain_floor and facts.offers and self._index["offer_discount"] not in best
                and not self._plain_not & best.keys() and any(w in prep.text for w in self._plain_with)):
            facts = replace(facts, plain_floor=self._plain_floor)
        order = sorted(best.items(), key=lambda kv: (kv[1][0], kv[0]))
        hits = tuple(
            IntentHit(self._names[i], s, e, text[s:e], round(conf.get(i, 1.0), 3)) for i, (s, e) in order
        )
        return Reading(text, prep.text, hits, facts)

    def likely(self, text: str, names, floor: float) -> list[IntentHit]:
        """Windows of ``text`` where one of ``names`` scores at least ``floor``, best first per intent:
        for a judge who wants a second look at faults below the reading threshold."""
        if self._model is None or not isinstance(text, str) or not text.strip():
            return []
        cols = {self._names[i]: c for c, i in enumerate(self._columns)}
        want = [(n, cols[n]) for n in names if n in cols]
        if not want:
            return []
        try:
            prep = prepare(text, lexicon=self._lexicon)
            spans = self._read_spans(prep.analysed)
            windows = _windows(spans)
            if not windows:
                return []
            probs, _v = self._clause_scores([prep.analysed[a:b] for a, b in windows])
        except Exception:  # never let a second look break scoring
            return []
        out = []
        for name, c in want:
            r = int(np.argmax(probs[:, c]))
            p = float(probs[r, c])
            if p >= floor:
                s0, e0 = prep.orig_span_norm(*windows[r])
                out.append(IntentHit(name, s0, e0, text[s0:e0], round(p, 3)))
        return out

    def _read_spans(self, analysed: str) -> list[tuple[int, int]]:
        """The clauses the classifier reads: those with Chinese in them (it reads Chinese; "12345"
        is left to the rules), within MAX_CLAUSES and MAX_READ_CHARS."""
        return [(a, b) for a, b in self.clauses(analysed)
                if a < MAX_READ_CHARS and _HAN.search(analysed, a, b)][:MAX_CLAUSES]

    def clauses(self, text: str) -> list[tuple[int, int]]:
        """Spans of the clauses of a normalized text: split at punctuation, spaces and the
        lexicon's clause markers (不过, 另外...); empty pieces dropped."""
        return clause_spans(text, self._markers)

    def _clause_scores(self, clauses: list[str]) -> tuple[np.ndarray, np.ndarray | None]:
        emb = self._encoder.encode(clauses) if self._encoder is not None and self._model.dense is not None else None
        return self._model.scores(clauses, emb), emb

    def _own_hits(self, texts: list[str], vecs: np.ndarray | None) -> list[tuple[int, int, float]]:
        """(window, intent, similarity) where a window is as close to one of the persona's examples
        as OWN_SIMILARITY and closer to it than to any of that intent's counter-examples."""
        pos, neg, pv, nv = self._own
        if not pos or not texts:
            return []
        wv = vecs if vecs is not None and self._encoder is not None else self._vectors(texts)
        sim = wv @ pv.T
        nsim = wv @ nv.T if len(neg) else None
        out = []
        for r in range(len(texts)):
            best: dict[int, float] = {}
            for k, (i, _t) in enumerate(pos):
                best[i] = max(best.get(i, 0.0), float(sim[r, k]))
            for i, v in best.items():
                if v < OWN_SIMILARITY:
                    continue
                if nsim is not None and any(j == i and float(nsim[r, k]) >= v for k, (j, _t) in enumerate(neg)):
                    continue
                out.append((r, i, v))
        return out

    @staticmethod
    def _pattern_hit(prep: Prepared, rx: re.Pattern[str], negators: tuple[str, ...],
                     ruled_out: list | None = None, key: int = -1) -> tuple[tuple[int, int], int] | None:
        """(original span, normalized start) of the first non-negated match of ``rx``; negated
        matches go to ``ruled_out`` as (key, normalized start)."""
        for n, m in enumerate(content_patterns.finditer(rx, prep.analysed)):
            if n >= _MAX_PATTERN_MATCHES:
                break
            a, b = m.span()
            if a == b:
                continue
            k, j = prep.to_compact(a), prep.to_compact(b)
            if k < j:
                if any(c in m.group() for c in negators):
                    if prep.in_question(k, j) or prep.conditional(k, j):
                        if ruled_out is not None:
                            ruled_out.append((key, a))
                        continue
                elif prep.negated(k, j):
                    if ruled_out is not None:
                        ruled_out.append((key, a))
                    continue
            span = prep.orig_span_norm(a, b)
            if span[0] < span[1]:
                return span, a
        return None
