"""Text preparation for the reader.

Three views of one trainee message, with index maps back to the original text:

* normalized: NFKC (full width to half width), lower-case Latin, traditional to
  simplified, unified punctuation, collapsed whitespace. Wangwang emoticon codes
  (``/:^_^``, ``/:087``) are copied verbatim.
* compact: only letters and digits of the normalized text, so that "不 行",
  "不-行" and "不。行" all read as "不行". Emoticons are dropped.
* clauses and negation scopes over the compact form, shared by phrase matching
  (reader) and fact extraction (facts).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass
from typing import Iterable

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
# A condition ends where 就/才 begins: "没洗过就可以换" negates 洗, not 换.
_SCOPE_BREAKERS = frozenset("就才")

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
    p = prepare(text, limit=None)
    return p.compact, tuple(p.norm_to_orig[n] for n in p.compact_to_norm)


def compact_phrase(phrase: str) -> str:
    """Compact form of a vocabulary phrase (same rules as for messages)."""
    return prepare(phrase, limit=None).compact


# ---------------------------------------------------------------- negation

# Negators, longest first so "不能" wins over "不".
NEGATORS = (
    "没有办法", "不可以", "没办法", "不能", "不会", "不再", "不用", "没有", "没法",
    "无法", "不", "没", "别", "未",
)

# Words that hold a negator character but do not negate what follows.
NON_NEGATING = (
    "不过", "不错", "不好意思", "不客气", "不用谢", "不用客气", "不少", "不仅", "不但",
    "不管", "不论", "不然", "要不然", "要不", "不久", "不断", "不停", "不妨", "不如",
    "不知道", "不知", "对不起", "差不多", "了不起", "说不定", "不得不", "不用担心",
    "不必担心", "不要担心", "不要着急", "不止", "不只", "毫不", "不定期", "不满意",
    "不合适", "不喜欢", "不合脚", "不舒服", "不习惯", "没关系", "没问题", "没事",
    "没错", "别着急", "别急", "别担心", "别客气", "别生气", "别人", "别家", "别的",
    "别款", "别处", "特别", "区别", "分别", "差别", "个别", "告别", "级别", "类别",
    "性别", "识别", "鉴别", "辨别", "无论", "未来",
    # Negated product traits: the negation ends with the word ("不掉色包邮" still offers).
    "不掉色", "不褪色", "不退色", "不磨脚", "不累脚", "不变形", "不起球", "不闷脚", "不开胶",
    "不伤脚", "不臭脚", "不打滑", "不起皱", "不缩水", "不勒脚", "不挤脚", "不夹脚", "不硌脚",
)

# Negation after a phrase: "包邮不了", "包邮是不可以的".
_POSTFIX = ("不了", "不行", "不可以", "不到", "没办法", "不可能", "做不到", "办不到",
            "已经送完", "已送完", "送完了", "送光了", "没有了", "没了")
_POSTFIX_FILLER = frozenset("是的就也都还可真")
_CONDITIONAL_BEFORE = ("如果", "要是", "假如", "万一", "若是", "假若", "如若")

NEG_WINDOW = 3  # max chars between a negator and the phrase it negates
QUESTION_WINDOW = 2  # same for an A-not-A question ("能不能给您包邮")
_NEG_REACH = NEG_WINDOW + max(len(n) for n in NEGATORS) + 1  # how far back a negator can act


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


# Leftmost scan: a non-negating word or an A-not-A question ("能不能", "有没有")
# is consumed before a bare negator can match inside it.
_NEG_SCAN = re.compile(
    "(?P<x>" + _alternation(NON_NEGATING) + ")"
    "|(?P<q>(?P<a>[^不没])[不没](?P=a))"
    "|(?P<n>" + _alternation(NEGATORS) + ")"
)


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
        reach = k - _NEG_REACH
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
        for start in (j, j + 1):
            if start > j and c[j] not in _POSTFIX_FILLER:
                break
            if start >= len(c) or self.clause[start] != clause:
                break
            for w in _POSTFIX:
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
        if c.startswith("的话", j):
            return True
        return any(c.startswith(w, k - len(w)) for w in _CONDITIONAL_BEFORE if k >= len(w))


def prepare(text: str, limit: int | None = MAX_ANALYSIS_CHARS) -> Prepared:
    """Build every view of ``text``; analysis views stop at ``limit`` normalized chars."""
    if not isinstance(text, str):
        text = str(text)
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
            if ch in _SCOPE_BREAKERS:
                clause += 1
            comp.append(ch)
            c2n.append(n)
            clause_of.append(clause)
        elif ch in _CLAUSE_BREAKS and not emo[n]:
            clause += 1
    n2c.append(len(comp))
    clause_of.append(clause)
    compact_s = "".join(comp)

    negs: list[tuple[int, int, int]] = []
    questions: list[tuple[int, int]] = []
    if "不" in compact_s or "没" in compact_s or "别" in compact_s or "无法" in compact_s or "未" in compact_s:
        for m in _NEG_SCAN.finditer(compact_s):
            if m.lastgroup == "n":
                negs.append((m.start(), m.end(), NEG_WINDOW))
            elif m.group("q") is not None:
                # "看能不能给您优惠" is tentative, not an offer: it also blocks what follows.
                questions.append(m.span())
                negs.append((m.start(), m.end(), QUESTION_WINDOW))

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
    """

    def __init__(self, phrases: Iterable[tuple[str, int]]):
        buckets: dict[str, list[tuple[str, int, bool]]] = {}
        seen = set()
        for raw, key in phrases:
            p = compact_phrase(raw)
            if not p or (p, key) in seen:
                continue
            seen.add((p, key))
            has_neg = any(n in p for n in ("不", "没", "别", "无法", "未"))
            buckets.setdefault(p[0], []).append((p, key, has_neg))
        for lst in buckets.values():
            lst.sort(key=lambda t: -len(t[0]))
        self._buckets = buckets
        self._longest = max((len(p) for p, _k in seen), default=0)

    def scan(self, prep: Prepared) -> list[PhraseHit]:
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
            if has_neg:
                if prep.in_question(k, j) or prep.conditional(k, j):
                    continue
                lo = bisect_left(starts, k - self._longest)
                hi = bisect_left(starts, k + 1)
                if any(
                    j <= j2 and (j2 - k2) > (j - k) and key2 != key
                    for k2, j2, key2, _p, _n in raw[lo:hi]
                ):
                    continue
            elif prep.negators and prep.negated_before(k):
                continue
            elif prep.negated_after(j):
                continue
            hits.append(PhraseHit(key, k, j, p))
        return hits
