"""The reader's word lists (scenarios/rules/reader.yaml) as data.

``SCHEMA`` is the file's format: group -> key -> kind. The content loader checks a
file against it with positions (``check_reader_rules``); ``lexicon_from_data``
builds a ``Lexicon`` from plain data without complaint. A ``Lexicon`` compiles
what the negation scan (normalize) and fact extraction (facts) need on first use.

``default_lexicon()`` is the shipped file, for callers that pass no lexicon.
"""

from __future__ import annotations

import logging
import os
import unicodedata
from functools import cached_property
from pathlib import Path
from typing import Any, Mapping

log = logging.getLogger(__name__)


DEFAULT_PATH = Path(__file__).resolve().parents[2] / "scenarios" / "rules" / "reader.yaml"

COMPACT = "compact"  # words matched on the compact form (letters and digits only)
TEXT = "text"  # words matched on the normalized text
CHARS = "chars"  # single characters
NUMBER = "number"  # a whole number

SCHEMA: dict[str, dict[str, str]] = {
    "negators": {"words": COMPACT, "window": NUMBER},
    "questions": {"chars": CHARS, "window": NUMBER},
    "not_negating": {"words": COMPACT},
    "descriptive": {"words": COMPACT},
    "postfix_negators": {"words": COMPACT, "fillers": CHARS},
    "scope_breakers": {"chars": CHARS},
    "conditionals": {"before": COMPACT, "after": COMPACT},
    "free_shipping": {"words": COMPACT},
    "gift": {"verbs": TEXT, "not_verbs": TEXT, "recipients": TEXT, "counted_measures": TEXT,
             "bare_measures": TEXT, "stop_chars": CHARS, "bad_start_chars": CHARS, "generic": TEXT,
             "words": COMPACT, "things": TEXT, "granted": TEXT, "receivers": TEXT},
    "discount": {"verbs": TEXT, "not_units": TEXT, "half_price": TEXT},
    "reduction": {"verbs": TEXT, "not_verbs": TEXT, "fillers": TEXT},
    "price": {"currency": TEXT, "currency_before": TEXT, "cues_before": TEXT, "cue_joiners": TEXT,
              "cues_after": TEXT, "not_price_after": TEXT, "not_price_before": TEXT},
    "offer": {"cues_before": TEXT, "fillers": TEXT, "cues_after": TEXT, "not_after": TEXT,
              "plain_with": TEXT, "plain_not_with": TEXT, "plain_min_percent": NUMBER},
    "quantity": {"measures": TEXT, "not_measures": TEXT, "ordinals": TEXT, "gift_verbs": TEXT, "not_before": TEXT,
                 "not_before_fillers": TEXT, "if_after": TEXT},
    "sizes": {"number_before": TEXT, "number_before_fillers": TEXT, "number_after": TEXT,
              "number_join": TEXT, "letter_cues": TEXT, "one_size": TEXT},
    "phone": {"words": TEXT, "fillers": TEXT},
    "clock": {"afternoon": TEXT, "noon": TEXT, "morning": TEXT, "order_words": TEXT, "deadline_after": TEXT,
              "now_words": TEXT},
    "elapsed": {"since_words": TEXT, "day_units": TEXT, "week_units": TEXT, "month_units": TEXT},
    "fit": {"tight": TEXT, "loose": TEXT, "not_before": TEXT, "not_after": TEXT, "worn_before": TEXT,
            "runs_small": TEXT, "runs_large": TEXT},
    "clauses": {"markers": TEXT},
    "roles": {"together_after": TEXT, "percent_before": TEXT, "threshold_before": TEXT,
              "threshold_fillers": TEXT, "compensation_before": TEXT, "compensation_after": TEXT,
              "total_before": TEXT, "quoted_before": TEXT, "tax_before": TEXT, "tax_after": TEXT, "invoice_words": TEXT, "invoice_before": TEXT,
              "lone_one_after": TEXT, "extra_before": TEXT, "operators": TEXT, "operators_between": TEXT, "refusal_after": TEXT},
}
# (group, key) -> (lowest, highest, value when the key is missing)
NUMBERS: dict[tuple[str, str], tuple[int, int, int]] = {
    ("negators", "window"): (0, 10, 3),
    ("questions", "window"): (0, 10, 2),
    ("offer", "plain_min_percent"): (1, 100, 101),  # missing: a plain price is never an offer
}
EXAMPLE_KEYS = ("examples", "counter_examples")


def _texts(value: Any) -> tuple[str, ...]:
    if not isinstance(value, (list, tuple)):
        return ()
    return tuple(str(v) for v in value
                 if isinstance(v, (str, int, float)) and not isinstance(v, bool) and str(v).strip())


def _number(value: Any, lo: int, hi: int, default: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        return default
    return value


def has_letter_or_digit(word: str) -> bool:
    """A compact word keeps only letters and digits; without any it can never match."""
    return any(c.isalnum() for c in unicodedata.normalize("NFKC", word))


def one_char(word: str) -> bool:
    return len(unicodedata.normalize("NFKC", word).strip()) == 1


class Lexicon:
    """The reader's word lists, normalized like messages and compiled on first use."""

    def __init__(self, groups: Mapping[str, Any] | None = None, source: str = ""):
        self.source = source  # the file it came from, for messages
        self._raw: dict[tuple[str, str], Any] = {}
        self._examples: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
        self._words: dict[tuple[str, str], tuple[str, ...]] = {}
        groups = groups if isinstance(groups, Mapping) else {}
        for group, keys in SCHEMA.items():
            body = groups.get(group)
            if not isinstance(body, Mapping):
                continue
            for key, kind in keys.items():
                if kind == NUMBER:
                    lo, hi, default = NUMBERS[(group, key)]
                    self._raw[(group, key)] = _number(body.get(key), lo, hi, default)
                else:
                    self._raw[(group, key)] = _texts(body.get(key))
            self._examples[group] = (_texts(body.get("examples")), _texts(body.get("counter_examples")))

    @classmethod
    def empty(cls) -> "Lexicon":
        """No words at all: the reader then sees no negation and no offer words."""
        return cls({})

    @property
    def groups(self) -> tuple[str, ...]:
        """Groups present in the data."""
        return tuple(g for g in SCHEMA if g in self._examples)

    def raw(self, group: str, key: str) -> tuple[str, ...]:
        """The words as written in the file."""
        v = self._raw.get((group, key), ())
        return v if isinstance(v, tuple) else ()

    def number(self, group: str, key: str) -> int:
        got = self._raw.get((group, key))
        return got if isinstance(got, int) else NUMBERS[(group, key)][2]

    def words(self, group: str, key: str) -> tuple[str, ...]:
        """Words normalized for matching (compact or text form, or single characters),
        without repeats, longest first."""
        got = self._words.get((group, key))
        if got is not None:
            return got
        from game.language.normalize import compact_phrase, normalize

        kind = SCHEMA[group][key]
        out: list[str] = []
        for w in self.raw(group, key):
            if kind == COMPACT:
                n = compact_phrase(w)
            elif kind == CHARS:
                n = normalize(w)
                if len(n) != 1:
                    continue
            else:
                n = normalize(w)
            if n and n not in out:
                out.append(n)
        got = tuple(sorted(out, key=len, reverse=True))
        self._words[(group, key)] = got
        return got

    def examples(self, group: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(examples, counter_examples) of a group."""
        return self._examples.get(group, ((), ()))

    @cached_property
    def negation(self):
        """Compiled negation rules (game.language.normalize.NegationRules)."""
        from game.language.normalize import NegationRules

        return NegationRules(self)

    @cached_property
    def facts(self):
        """Compiled fact rules (game.language.facts.FactRules)."""
        from game.language.facts import FactRules

        return FactRules(self)

    def compile(self) -> "Lexicon":
        """Compile everything now rather than on the first message."""
        self.negation  # noqa: B018
        self.facts  # noqa: B018
        return self


def lexicon_from_data(data: Any, source: str = "") -> Lexicon:
    """A lexicon from a parsed reader rules file ({version, group: {key: [...]}}).

    The loader checks the shape first; this only skips what it cannot use.
    """
    return Lexicon(data if isinstance(data, Mapping) else {}, source)


# (group, key) whose words are intent names, checked against intents.yaml
INTENT_KEYS = {("offer", "plain_not_with")}


def check_reader_rules(d, report, intent_names=None) -> Lexicon:
    """Check a parsed reader.yaml (a yamlpos.PosDict) into ``report`` with positions.

    A group with an error is left out (the reader runs without it until fixed); the
    other groups still load.
    """
    from game.content.schema import Shape
    from game.content.yamlpos import PosDict, PosList

    sh = Shape(report)
    sh.keys(d, "the reader rules file", {"version": None, **{g: dict for g in SCHEMA}})
    sh.version(d)
    good: dict[str, Any] = {}
    for group, keys in SCHEMA.items():
        where = f"group '{group}'"
        if group not in d:
            report.warning(d.mark, f"the reader rules file has no '{group}' group",
                           "the reader runs without these words")
            continue
        spec = d[group]
        before = len(report.errors)
        if not isinstance(spec, PosDict):  # the file's keys() check said it must be a mapping
            report.warning(d.key_mark(group), f"the reader runs without {where} until its errors are fixed")
            continue
        allowed = {k: (int if kind == NUMBER else list) for k, kind in keys.items()}
        allowed.update({k: list for k in EXAMPLE_KEYS})
        sh.keys(spec, where, allowed)
        for key, kind in keys.items():
            if kind == NUMBER:
                lo, hi, _unused = NUMBERS[(group, key)]
                sh.number(spec, key, where, lo=lo, hi=hi)
                continue
            v = spec.get(key)
            if not isinstance(v, PosList):
                continue  # keys() said it must be a list
            sh.text_list(spec, key, where, allow_scalar=False)
            marks = [v.item_mark(i) for i in range(len(v))]
            seen: set[str] = set()
            for i, item in enumerate(v):
                if not isinstance(item, (str, int, float)) or isinstance(item, bool) or not str(item).strip():
                    continue  # reported by text_list
                w = str(item)
                if kind == COMPACT and not has_letter_or_digit(w):
                    report.error(marks[i], f"'{w}' in '{key}' of {where} has no letter or digit",
                                 "these words are matched with spaces and punctuation removed")
                elif kind == CHARS and not one_char(w):
                    report.error(marks[i], f"'{w}' in '{key}' of {where} must be a single character")
                elif w in seen:
                    report.warning(marks[i], f"'{w}' is listed twice in '{key}' of {where}")
                elif (group, key) in INTENT_KEYS and intent_names is not None and w not in intent_names:
                    report.error(marks[i], f"'{w}' in '{key}' of {where} is no intent",
                                 "use an intent id from rules/intents.yaml")
                seen.add(w)
        for key in EXAMPLE_KEYS:
            if isinstance(spec.get(key), PosList):
                sh.text_list(spec, key, where, allow_scalar=False)
        if len(report.errors) == before:
            good[group] = spec
        else:
            report.warning(d.key_mark(group), f"the reader runs without {where} until its errors are fixed")
    return lexicon_from_data(good, report.path)


# ---------------------------------------------------------------- the shipped file

_default: Lexicon | None = None
_default_key: tuple[int, int] | None = None


def _file_key(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


def default_lexicon() -> Lexicon:
    """The shipped scenarios/rules/reader.yaml, loaded again when the file changes.

    Never raises: problems are reported when the content library loads the same file
    (``python main.py validate``); a broken group is left out, a missing or
    unreadable file gives the empty lexicon.
    """
    global _default, _default_key
    key = _file_key(DEFAULT_PATH)
    if _default is not None and key == _default_key:
        return _default
    lex = Lexicon.empty()
    if key is not None:
        try:
            from game.content.loader import load_reader_rules

            lex = load_reader_rules(DEFAULT_PATH)[1]
        except Exception:  # a reader must come up whatever the file holds (logged)
            log.exception("the shipped reader word lists could not be read; reading without them")
            lex = Lexicon.empty()
    _default, _default_key = lex, key
    return lex


def current_default() -> Lexicon:
    """The last loaded shipped lexicon, without looking at the file again (hot paths)."""
    return _default if _default is not None else default_lexicon()
