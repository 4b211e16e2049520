"""Fuzzed replies through live turns (reader + engine + scorer), counting exceptions and blow-ups.

Each reply is played as the trainee's line in a live chat with the judge on (the window's path), and
one in ten is also scored against a fuzzed buyer message. Replies mix chat words, hostile pieces
(control characters, lone surrogates, emoticon codes, digit runs, full-width forms) and random code
points; lengths run from 1 to 3,000 characters.

A blow-up is a reply that costs more than 3x the median of replies of its length band, and still
does when timed again (twice more, the faster kept), so a pause of the machine is not counted. The
live turns and the scoring against a buyer message are judged apart (the latter banded by the length
of reply and buyer message together). Opening a chat and the buyer's first line are not timed: their
cost does not depend on the reply. --read-only times reader and scorer alone, without live turns.
Prints figures; asserts nothing.

    python benchmarks/fuzz_turns.py [N] [--seed S] [--read-only] [--save FILE]   (N defaults to 100,000)
"""
from __future__ import annotations

import argparse
import gc
import json
import logging
import sys
import time
import traceback
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from game.content.loader import load_library  # noqa: E402
from game.engine.clock import ManualClock  # noqa: E402
from game.engine.session import PlaySession  # noqa: E402
from game.language.reader import Reader  # noqa: E402
from game.scoring.cli import make_judge  # noqa: E402
from game.scoring.scorer import ReplyContext  # noqa: E402

HOSTILE = ["\x00", "\x1b[2J", "\ud800", "\udfff", "\u200b", "\ufeff", "e\u0301", "\u202e", "/:^_^", "/:087", "😊",
           "１２８元", "ＸＬ", "親", "\n", "\t", " ", "{price}", "{price[0]}", "%s", "\\1", "(?:", "***", "？？？",
           "13812345678", "1" * 40, "3点半前", "满99包邮", "九折", "7天无理由", "顺丰补20元", "税点是10%"]
BANDS = (0, 20, 60, 200, 600, 3001)


def vocabulary(lib) -> list[str]:
    words: list[str] = []
    for d in lib.intents:
        words += [e for e in d.examples][:40]
    pieces = []
    for w in words:
        pieces += [w[i:i + 6] for i in range(0, len(w), 6)]
    return pieces or ["您好"]


def fuzz(rng: np.random.Generator, pieces: list[str]) -> str:
    kind = rng.random()
    if kind < 0.55:  # chat words and hostile pieces
        n = int(rng.integers(1, 12))
        parts = [pieces[int(rng.integers(len(pieces)))] if rng.random() < 0.8 else HOSTILE[int(rng.integers(len(HOSTILE)))]
                 for _ in range(n)]
        return "".join(parts)
    if kind < 0.80:  # random code points, any plane, surrogates included
        n = int(rng.integers(1, 80))
        cps = rng.integers(0, 0x30000, n)
        cjk = rng.random(n) < 0.5
        cps = np.where(cjk, rng.integers(0x4E00, 0x9FA6, n), cps)
        return "".join(chr(int(c)) for c in cps)
    if kind < 0.95:  # a pasted run: one piece repeated
        piece = (pieces + HOSTILE)[int(rng.integers(len(pieces) + len(HOSTILE)))] or "好"
        n = int(rng.integers(10, 3000))
        return (piece * (n // len(piece) + 1))[:n]
    n = int(rng.integers(200, 3000))  # a long mixed paste
    out = ""
    while len(out) < n:
        out += pieces[int(rng.integers(len(pieces)))]
    return out[:n]


def band(n: int) -> int:
    return next(i for i in range(len(BANDS) - 1) if BANDS[i] <= n < BANDS[i + 1]) if n < BANDS[-1] else len(BANDS) - 2


class Player:
    """Live chats, one after another: each reply is sent into the running one."""

    def __init__(self, lib, seed: int):
        self.lib = lib
        self.reader = Reader(lib.intents, lib.lexicon)
        self.judge = make_judge(lib)
        self.personas = sorted(lib.personas.values(), key=lambda p: p.id)
        self.clock = ManualClock()
        self.i = seed
        self.session = None
        self.turns = 0

    def ready(self) -> None:
        """Open the next chat when needed, and let the buyer say their first line; kept out of the timed
        part (its cost does not depend on the reply, and a reply timed again always opens a chat)."""
        if self.session is None or self.session.finished or self.turns >= 12:
            self.session = PlaySession.start([self.personas[self.i % len(self.personas)]], self.reader, self.clock,
                                             seed=self.i, defaults=self.lib.buyer_defaults, judge=self.judge)
            self.i += 1
            self.turns = 0
            self.clock.advance(4.0)
            self.session.tick()

    def turn(self, text: str) -> None:
        self.ready()
        self.clock.advance(4.0)
        self.session.tick()
        self.session.send(text)
        self.session.tick()
        self.turns += 1


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", nargs="?", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--read-only", action="store_true",
                    help="time reader + scorer alone (the input-driven part), without live turns: faster")
    ap.add_argument("--save", metavar="FILE", help="write the blow-ups' whole texts here (JSON lines)")
    args = ap.parse_args()
    logging.disable(logging.CRITICAL)
    lib = load_library(ROOT / "scenarios")
    rng = np.random.default_rng(args.seed)
    pieces = vocabulary(lib)
    player = Player(lib, args.seed)
    scorer = player.judge.scorer
    player.turn("您好")  # warm: models loaded before timing

    # Two operations, timed and judged apart: the live turn (reader, engine and the judge, as in the
    # window) for every reply, and for one reply in ten the scorer against a fuzzed buyer message
    # (check-reply --buyer). Summing them would put twice the work beside single turns.
    def live(text: str, _buyer: str | None) -> None:
        player.turn(text)

    def scored(text: str, buyer: str | None) -> None:
        scorer.score(text, ReplyContext(buyer=buyer))

    # Time spent in the garbage collector, so that a blow-up can be told from a collection that
    # happened to land on it (its cost grows with the heap, not with the reply).
    in_gc = [0.0, 0.0]

    def gc_timer(phase: str, info: dict) -> None:
        if phase == "start":
            in_gc[1] = time.perf_counter()
        else:
            in_gc[0] += time.perf_counter() - in_gc[1]
    gc.callbacks.append(gc_timer)

    def timed(op, text: str, buyer: str | None) -> float:
        if op is live:
            player.ready()
        t0 = time.perf_counter()
        try:
            op(text, buyer)
        except Exception:  # noqa: BLE001 - counting them is the point
            errors.append((text, traceback.format_exc(limit=3)))
            player.session = None
        return time.perf_counter() - t0

    errors: list[tuple[str, str]] = []
    # Times in arrays and texts as plain strings: a list of 100,000 tuples would be walked by every
    # full garbage collection, and those pauses would land on the replies being timed.
    secs = np.zeros(args.n)
    ssecs: list[float] = []
    texts: list[str] = []
    buyers: list[str | None] = []
    t_all = time.perf_counter()
    for k in range(args.n):
        text = fuzz(rng, pieces)
        buyer = fuzz(rng, pieces) if k % 10 == 0 else None
        secs[k] = timed(scored if args.read_only else live, text, buyer)
        if buyer is not None and not args.read_only:
            ssecs.append(timed(scored, text, buyer))
        texts.append(text)
        buyers.append(buyer)
        if (k + 1) % 10_000 == 0:
            print(f"  {k + 1:,} replies, {len(errors)} exceptions, {time.perf_counter() - t_all:.0f} s", flush=True)
    print(f"{args.n:,} fuzzed replies in {time.perf_counter() - t_all:.0f} s; exceptions: {len(errors)}")
    for text, tb in errors[:5]:
        print(f"  {text[:60]!r}\n{tb}")

    def judge(title: str, op, times: np.ndarray, ks: list[int]) -> list:
        """Band medians, then the replies over 3x theirs timed again twice (the faster kept)."""
        print(title)
        bands = np.array([band(len(texts[k]) + len(buyers[k] or "") if op is scored else len(texts[k]))
                          for k in ks])
        medians = {}
        for b in range(len(BANDS) - 1):
            xs = times[bands == b]
            if len(xs):
                medians[b] = float(np.median(xs))
                print(f"  length {BANDS[b]}-{BANDS[b + 1] - 1}: {len(xs):,}, median {medians[b] * 1000:.1f} ms, "
                      f"p99 {np.percentile(xs, 99) * 1000:.1f} ms, max {max(xs) * 1000:.1f} ms")
        slow = [i for i in range(len(ks)) if times[i] > 3 * medians[int(bands[i])]]
        print(f"  first timing over 3x its band's median: {len(slow):,}; timing those again ...")
        found = []
        for i in slow:
            k, b = ks[i], int(bands[i])
            again, collecting = [], []
            for _ in range(2):
                # A live turn timed again opens a new chat (with the next persona); the encoder keeps
                # what it has read, its cost being capped per message.
                player.session = None
                g0 = in_gc[0]
                again.append(timed(op, texts[k], buyers[k]))
                collecting.append(in_gc[0] - g0)
            best = int(np.argmin(again))
            if again[best] > 3 * medians[b]:
                found.append((again[best], collecting[best], medians[b], texts[k], buyers[k]))
        print(f"  blow-ups (still over 3x its band's median when timed again): {len(found)}")
        for c, g, m, text, buyer in sorted(found, key=lambda x: -x[0])[:10]:
            print(f"    {c * 1000:8.1f} ms (median {m * 1000:.1f}, in the garbage collector {g * 1000:.1f})  "
                  f"{len(text)} chars  {text[:50]!r}" + (f"  buyer {len(buyer)} chars" if buyer is not None else ""))
        return found

    if args.read_only:
        found = judge("reader + scorer (bands by reply length):", scored, secs, list(range(args.n)))
    else:
        found = judge("live turns (bands by reply length):", live, secs, list(range(args.n)))
        with_buyer = [k for k in range(args.n) if buyers[k] is not None]
        found += judge("scored against a fuzzed buyer message (bands by reply + buyer length):", scored,
                       np.asarray(ssecs), with_buyer)
    print(f"blow-ups in all: {len(found)}")
    if args.save:
        with open(args.save, "w", encoding="utf-8") as f:
            for c, g, m, text, buyer in found:
                f.write(json.dumps({"ms": round(c * 1000, 1), "gc_ms": round(g * 1000, 1),
                                    "band_median_ms": round(m * 1000, 1), "text": text, "buyer": buyer},
                                   ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
