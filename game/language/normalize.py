"""Text preparation for the reader.

Three views of one trainee message, with index maps back to the original text:

* normalized: NFKC (full width to half width), lower-case Latin, traditional to
  simplified, unified punctuation, collapsed whitespace. Wangwang emoticon codes
  (``/:^_^``, ``/:087``) are copied verbatim.
* compact: only letters and digits of the normalized text, so that "不 行",
  "不-行" and "不。行" all read as "不行". Emoticons are dropped.
* clauses and negation scopes over the compact form, shared by phrase matching
  (reader) and fact extraction (facts). The negation words (negators, words that
  only look negative, postfix negators, conditionals...) are data: the lexicon
  from scenarios/rules/reader.yaml (game.language.lexicon).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass
from typing import Any, Iterable

# Pattern, phrase and fact work stops after this many normalized characters:
# nobody types a longer chat line, and it bounds the cost of a pasted essay.
MAX_ANALYSIS_CHARS = 2000

# Punctuation NFKC leaves alone (CJK full stop, enumeration comma, quotes, dashes...).
_PUNCT = str.maketrans({
    "。": ".", "｡": ".", "、": ",", "﹑": ",", "，": ",", "！": "!", "？": "?",
    "：": ":", "；": ";",
    "「": '"', "」": '"', "『": '"', "』": '"', "“": '"', "”": '"', "„": '"',
    "‟": '"', "〝": '"', "〞": '"', "〟": '"', "″": '"',
    "‘": "'", "’": "'", "‚": "'", "‛": "'", "`": "'", "´": "'", "′": "'",
    "【": "[", "】": "]", "〔": "[", "〕": "]", "〖": "[", "〗": "]",
    "〘": "[", "〙": "]", "《": "<", "》": ">", "〈": "<", "〉": ">",
    "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-", "−": "-",
    "﹣": "-", "⁃": "-", "〜": "~", "〰": "~", "・": "·", "•": "·",
})

_NEWLINES = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")

# Wangwang codes: three digits, a short word (/:girl, /:Q), a symbol run that
# may carry letters but no digits (/:^_^, /:,@f), or digit-symbol-digit (/:8*8).
_EMOTICON_RE = re.compile(
    r"/:(?:\d{3}(?!\d)|\d[^\w\s]\d|[A-Za-z]{1,4}(?![A-Za-z])"
    r"|\([A-Za-z]{1,4}\)|[!-/:-@\[-`{-~][!-/:-@\[-`{-~A-Za-z]{0,4})"
)

# Characters that end a clause for negation scope (after normalization).
_CLAUSE_BREAKS = frozenset(",.!?;:\n")


def _space_break(s: str, n: int) -> bool:
    """A lone space between Chinese words is a comma typed the quick way; not between characters
    typed one by one ("不 包邮"), nor next to digits or Latin letters (learned.py splits alike)."""
    around = s[n - 2:n] + s[n + 1:n + 3] if n >= 2 else ""
    return len(around) == 4 and all(c > "\x7f" and not c.isspace() for c in around)

_CHAR_CACHE: dict[str, str] = {}
_T2S_CACHE: dict[str, str] = {}
_CACHE_LIMIT = 20000
_converter = None


def _t2s():
    """The OpenCC converter, created on first use (it loads dictionaries)."""
    global _converter
    if _converter is None:
        import opencc

        _converter = opencc.OpenCC("t2s")
    return _converter


def _norm_char(ch: str) -> str:
    """Normalized replacement for one original character (may be '' or several)."""
    got = _CHAR_CACHE.get(ch)
    if got is not None:
        return got
    if 0xD800 <= ord(ch) <= 0xDFFF:
        out = "\ufffd"  # lone surrogate: OpenCC cannot encode it
    else:
        parts = []
        for c in unicodedata.normalize("NFKC", ch).lower().translate(_PUNCT):
            if c.isspace():
                parts.append("\n" if c in _NEWLINES else " ")
                continue
            cat = unicodedata.category(c)
            if cat == "Cc":
                parts.append(" ")
            elif cat == "Cf":
                continue  # zero-width joiners, BOM, soft hyphen: invisible
            elif cat == "Cs":
                parts.append("\ufffd")
            else:
                parts.append(c)
        out = "".join(parts)
    if len(_CHAR_CACHE) < _CACHE_LIMIT:
        _CHAR_CACHE[ch] = out
    return out


def _t2s_char(c: str) -> str:
    got = _T2S_CACHE.get(c)
    if got is None:
        conv = _t2s().convert(c)
        got = conv if len(conv) == 1 else c
        if len(_T2S_CACHE) < _CACHE_LIMIT:
            _T2S_CACHE[c] = got
    return got


def _normalize_mapped(text: str) -> tuple[str, list[int], list[bool]]:
    """Normalized text, original index of each normalized char, emoticon flags."""
    emo_spans = [m.span() for m in _EMOTICON_RE.finditer(text)] if "/:" in text else []
    chars: list[str] = []
    idx: list[int] = []
    emo: list[bool] = []
    span_i = 0
    next_emo = emo_spans[0] if emo_spans else None
    for i, ch in enumerate(text):
        if next_emo is not None and i >= next_emo[0]:
            if i < next_emo[1]:
                chars.append(ch)
                idx.append(i)
                emo.append(True)
                if i == next_emo[1] - 1:
                    span_i += 1
                    next_emo = emo_spans[span_i] if span_i < len(emo_spans) else None
                continue
        piece = _norm_char(ch)
        if len(piece) == 1:
            chars.append(piece)
            idx.append(i)
            emo.append(False)
        else:
            for c in piece:
                chars.append(c)
                idx.append(i)
                emo.append(False)

    joined = "".join(chars)
    if not joined.isascii():
        conv = _t2s().convert(joined)
        if len(conv) == len(joined):
            joined = conv
        else:  # phrase-level rewrite changed the length: convert char by char
            joined = "".join(_t2s_char(c) for c in joined)

    # Collapse whitespace runs; a run holding a newline stays a newline.
    out_c: list[str] = []
    out_i: list[int] = []
    out_e: list[bool] = []
    pending = ""
    pending_i = 0
    for c, i, e in zip(joined, idx, emo):
        if c == " " or c == "\n":
            if not pending:
                pending, pending_i = c, i
            elif c == "\n":
                pending = "\n"
            continue
        if pending:
            if out_c:
                out_c.append(pending)
                out_i.append(pending_i)
                out_e.append(False)
            pending = ""
        out_c.append(c)
        out_i.append(i)
        out_e.append(e)
    return "".join(out_c), out_i, out_e


def normalize(text: str) -> str:
    """NFKC, lower-case, traditional to simplified, unified punctuation, collapsed spaces."""
    if not isinstance(text, str):
        text = str(text)
    return _normalize_mapped(text)[0]


def compact(text: str) -> tuple[str, tuple[int, ...]]:
    """Compact form of ``text`` and, for each compact char, its index in ``text``."""
    norm, n2o, emo = _normalize_mapped(text if isinstance(text, str) else str(text))
    out: list[str] = []
    idx: list[int] = []
    for c, i, e in zip(norm, n2o, emo):
        if c.isalnum() and not e:
            out.append(c)
            idx.append(i)
    return "".join(out), tuple(idx)


def compact_phrase(phrase: str) -> str:
    """Compact form of a vocabulary phrase (same rules as for messages)."""
    return compact(phrase)[0]


# ---------------------------------------------------------------- negation

def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


def probe_chars(words: Iterable[str]) -> tuple[str, ...]:
    """A few characters such that each word holds at least one: a cheap "could any
    of these words be in the text" test before a full scan."""
    todo = [w for w in dict.fromkeys(words) if w]
    out: list[str] = []
    while todo:
        count: dict[str, int] = {}
        for w in todo:
            for c in dict.fromkeys(w):
                count[c] = count.get(c, 0) + 1
        best = max(count, key=lambda c: count[c])  # first seen wins a tie: stable
        out.append(best)
        todo = [w for w in todo if best not in w]
    return tuple(out)


class NegationRules:
    """The negation words of a lexicon (reader.yaml), compiled for ``prepare``."""

    __slots__ = ("negators", "minimal", "keep", "scan", "probes", "window", "question_window", "reach",
                 "postfix", "postfix_fillers", "scope_breakers", "cond_before", "cond_after")

    def __init__(self, lex):
        negators = lex.words("negators", "words")
        self.negators = negators
        # The negators that hold no shorter one ("不", "没", "无法"): enough to tell
        # whether a phrase holds a negation.
        self.minimal = tuple(n for n in negators if not any(m != n and m in n for m in negators))
        keep = lex.words("not_negating", "words") + lex.words("descriptive", "words")
        self.keep = tuple(sorted(set(keep), key=len, reverse=True))
        qchars = "".join(lex.words("questions", "chars"))
        # Leftmost scan: a non-negating word or an A-not-A question ("能不能", "有没有")
        # is consumed before a bare negator can match inside it.
        parts = []
        if keep:
            parts.append("(?P<x>" + _alternation(keep) + ")")
        if qchars:
            q = "".join(re.escape(c) for c in qchars)
            parts.append(f"(?P<q>(?P<a>[^{q}])[{q}](?P=a))")
        if negators:
            parts.append("(?P<n>" + _alternation(negators) + ")")
        self.scan = re.compile("|".join(parts)) if negators or qchars else None
        self.probes = tuple(dict.fromkeys(probe_chars(negators) + tuple(qchars)))
        self.window = lex.number("negators", "window")  # max chars between a negator and what it negates
        self.question_window = lex.number("questions", "window")  # same for "能不能给您包邮"
        # How far back a negator or question can act.
        self.reach = max(self.window + max((len(n) for n in negators), default=0),
                         self.question_window + 3) + 1
        # Negation after a phrase: "包邮不了", "包邮是不可以的".
        self.postfix = lex.words("postfix_negators", "words")
        self.postfix_fillers = frozenset(lex.words("postfix_negators", "fillers"))
        # A condition ends where 就/才 begins: "没洗过就可以换" negates 洗, not 换.
        self.scope_breakers = frozenset(lex.words("scope_breakers", "chars"))
        self.cond_before = lex.words("conditionals", "before")
        self.cond_after = lex.words("conditionals", "after")


def _default_lexicon():
    from game.language.lexicon import current_default

    return current_default()


@dataclass(frozen=True, slots=True)
class Prepared:
    """One message in every view the reader needs, with index maps."""

    original: str
    text: str  # normalized, full length
    norm_to_orig: tuple[int, ...]  # per normalized char
    analysed: str  # normalized, cut at the analysis limit, emoticons blanked
    compact: str
    compact_to_norm: tuple[int, ...]  # per compact char
    norm_to_compact: tuple[int, ...]  # per analysed char + 1: first compact index at/after it
    clause: tuple[int, ...]  # clause id per compact char + 1
    negators: tuple[tuple[int, int, int], ...]  # compact (start, end, window) of active negators
    negator_starts: tuple[int, ...]  # starts of ``negators``, for bisect
    questions: tuple[tuple[int, int], ...]  # compact spans of A-not-A triples
    lexicon: Any  # game.language.lexicon.Lexicon the views were read with
    neg: NegationRules  # its negation rules

    # ---- spans
    def orig_span(self, k: int, j: int) -> tuple[int, int]:
        """Original-text span for compact span [k, j)."""
        n0 = self.compact_to_norm[k]
        n1 = self.compact_to_norm[j - 1]
        return self.norm_to_orig[n0], self.norm_to_orig[n1] + 1

    def orig_span_norm(self, a: int, b: int) -> tuple[int, int]:
        """Original-text span for normalized span [a, b), trimming spaces."""
        while a < b and self.text[a].isspace():
            a += 1
        while b > a and self.text[b - 1].isspace():
            b -= 1
        if a >= b:
            o = self.norm_to_orig[a] if a < len(self.norm_to_orig) else len(self.original)
            return o, o
        return self.norm_to_orig[a], self.norm_to_orig[b - 1] + 1

    def to_compact(self, n: int) -> int:
        """Compact index of the first compact char at or after normalized index n."""
        if n >= len(self.norm_to_compact):
            return len(self.compact)
        return self.norm_to_compact[n]

    # ---- negation
    def negated_before(self, k: int) -> bool:
        """A negator ends within its window before compact index k, in the same clause."""
        clause = self.clause[k]
        i = bisect_left(self.negator_starts, k) - 1
        reach = k - self.neg.reach
        while i >= 0:
            s, e, window = self.negators[i]
            i -= 1
            if s < reach:
                break
            if e > k:  # starts inside the negator or question: "有没有现货" holds no "有现货"
                return True
            if k - e <= window and self.clause[s] == clause:
                return True
        return False

    def negated_after(self, j: int) -> bool:
        """A postfix negator ("不了", "不行") follows compact index j in the same clause."""
        c = self.compact
        if j <= 0 or j >= len(c):
            return False
        clause = self.clause[j - 1]
        neg = self.neg
        for start in (j, j + 1):
            if start > j and c[j] not in neg.postfix_fillers:
                break
            if start >= len(c) or self.clause[start] != clause:
                break
            for w in neg.postfix:
                if c.startswith(w, start):
                    return True
        return False

    def negated(self, k: int, j: int) -> bool:
        return self.negated_before(k) or self.negated_after(j)

    def in_question(self, k: int, j: int) -> bool:
        """Span [k, j) uses the 不/没 of an A-not-A question it does not fully contain."""
        qs = self.questions
        if not qs:
            return False
        i = max(0, bisect_left(qs, (k - 2, -1)))
        for s, e in qs[i:]:
            if s >= j:
                break
            mid = s + 1
            if k <= mid < j and not (k <= s and e <= j):
                return True
        return False

    def conditional(self, k: int, j: int) -> bool:
        """"不行的话" / "如果不行": a condition, not a refusal."""
        c = self.compact
        neg = self.neg
        if neg.cond_after and c.startswith(neg.cond_after, j):
            return True
        return any(c.startswith(w, k - len(w)) for w in neg.cond_before if k >= len(w))


def prepare(text: str, limit: int | None = MAX_ANALYSIS_CHARS, lexicon=None) -> Prepared:
    """Build every view of ``text``; analysis views stop at ``limit`` normalized chars.

    ``lexicon`` (game.language.lexicon.Lexicon) gives the negation words; None means
    the shipped scenarios/rules/reader.yaml.
    """
    if not isinstance(text, str):
        text = str(text)
    if lexicon is None:
        lexicon = _default_lexicon()
    neg = lexicon.negation
    breakers = neg.scope_breakers
    norm, n2o, emo = _normalize_mapped(text)
    analysed = norm if limit is None else norm[:limit]
    # Blank emoticons so their digits and letters never read as facts.
    if any(emo[: len(analysed)]):
        analysed = "".join(" " if e else c for c, e in zip(analysed, emo))

    comp: list[str] = []
    c2n: list[int] = []
    n2c: list[int] = []
    clause_of: list[int] = []
    clause = 0
    for n, ch in enumerate(analysed):
        n2c.append(len(comp))
        if ch.isalnum():
            if ch in breakers:
                clause += 1
            comp.append(ch)
            c2n.append(n)
            clause_of.append(clause)
        elif (ch in _CLAUSE_BREAKS and not emo[n]) or (ch == " " and _space_break(analysed, n)):
            clause += 1
    n2c.append(len(comp))
    clause_of.append(clause)
    compact_s = "".join(comp)

    negs: list[tuple[int, int, int]] = []
    questions: list[tuple[int, int]] = []
    scan = neg.scan
    if scan is not None:
        for p in neg.probes:
            if p in compact_s:
                break
        else:
            scan = None
    if scan is not None:
        window, qwindow = neg.window, neg.question_window
        for m in scan.finditer(compact_s):
            g = m.lastgroup
            if g == "n":
                negs.append((m.start(), m.end(), window))
            elif g == "q":
                # "看能不能给您优惠" is tentative, not an offer: it also blocks what follows.
                questions.append(m.span())
                negs.append((m.start(), m.end(), qwindow))

    return Prepared(
        original=text,
        text=norm,
        norm_to_orig=tuple(n2o),
        analysed=analysed,
        compact=compact_s,
        compact_to_norm=tuple(c2n),
        norm_to_compact=tuple(n2c),
        clause=tuple(clause_of),
        negators=tuple(negs),
        negator_starts=tuple(n[0] for n in negs),
        questions=tuple(questions),
        lexicon=lexicon,
        neg=neg,
    )


# ---------------------------------------------------------------- phrases


@dataclass(frozen=True, slots=True)
class PhraseHit:
    key: int  # caller's tag (intent index, fact kind...)
    start: int  # compact span
    end: int
    phrase: str


class PhraseMatcher:
    """All occurrences of many literal phrases on the compact form, negation-aware.

    A phrase that itself holds a negator ("不行", "没有现货") matches as written,
    unless it borrows the 不 of an A-not-A question ("能不能" is not "不能"),
    states a condition ("不行的话"), or sits inside a longer hit of another key
    ("不能" inside "不能机洗"). Any other phrase is dropped when a negator
    precedes it in the same clause ("不包邮") or a postfix one follows ("包邮不了").

    Which phrases hold a negator is decided with ``lexicon`` (None: the shipped
    reader.yaml); the negation around a hit comes from the lexicon the scanned
    message was prepared with.
    """

    def __init__(self, phrases: Iterable[tuple[str, int]], lexicon=None):
        negators = (lexicon if lexicon is not None else _default_lexicon()).negation.minimal
        buckets: dict[str, list[tuple[str, int, bool]]] = {}
        seen = set()
        for raw, key in phrases:
            p = compact_phrase(raw)
            if not p or (p, key) in seen:
                continue
            seen.add((p, key))
            has_neg = any(n in p for n in negators)
            buckets.setdefault(p[0], []).append((p, key, has_neg))
        for lst in buckets.values():
            lst.sort(key=lambda t: -len(t[0]))
        self._buckets = buckets
        self._longest = max((len(p) for p, _k in seen), default=0)

    @staticmethod
    def _split(prep: Prepared, k: int, j: int) -> bool:
        a, b = prep.compact_to_norm[k], prep.compact_to_norm[j - 1]
        return b - a >= j - k and any(ch in _CLAUSE_BREAKS for ch in prep.text[a:b])

    def scan(self, prep: Prepared, ruled_out: list[PhraseHit] | None = None) -> list[PhraseHit]:
        """Hits; phrases found but negated (or asked, or conditional) go to ``ruled_out``."""
        c = prep.compact
        buckets = self._buckets
        raw: list[tuple[int, int, int, str, bool]] = []
        for i, ch in enumerate(c):
            cands = buckets.get(ch)
            if cands is None:
                continue
            for p, key, has_neg in cands:
                if c.startswith(p, i):
                    raw.append((i, i + len(p), key, p, has_neg))
        if not raw:
            return []
        starts = [r[0] for r in raw]  # raw is ordered by start
        hits: list[PhraseHit] = []
        for k, j, key, p, has_neg in raw:
            if len(p) > 1 and self._split(prep, k, j):
                continue  # "行不:可以给您换" holds no 不可以: a phrase never runs over a clause break
            if has_neg:
                if prep.in_question(k, j) or prep.conditional(k, j):
                    if ruled_out is not None:
                        ruled_out.append(PhraseHit(key, k, j, p))
                    continue
                lo = bisect_left(starts, k - self._longest)
                hi = bisect_left(starts, k + 1)
                if any(
                    j <= j2 and (j2 - k2) > (j - k) and key2 != key
                    for k2, j2, key2, _p, _n in raw[lo:hi]
                ):
                    continue
            elif (prep.negators and prep.negated_before(k)) or prep.negated_after(j):
                if ruled_out is not None:
                    ruled_out.append(PhraseHit(key, k, j, p))
                continue
            hits.append(PhraseHit(key, k, j, p))
        return hits
