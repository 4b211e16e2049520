"""Time scoring one trainee reply over 10,000 varied replies; prints median and p99 in µs.

Per reply: the reader (intents and facts) and the scorer (every rubric rule, strengths, score), with a
chat context (shop facts, earlier replies, another buyer's name), as the engine's judge calls it; then
judged against the buyer's message it answers (its situation, moves and concreteness).
Run: python benchmarks/scoring.py   (from the project root)
"""
from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from game.content.loader import load_library  # noqa: E402
from game.scoring.judge import shop_facts  # noqa: E402
from game.scoring.scorer import ReplyContext, Scorer  # noqa: E402

EXTRA = [
    "亲,您好!很高兴为您服务~", "不 行", "不-行", "爱买不买", "親，您好！這款有現貨哦", "给您算一百二吧",
    "亲,您可真会砍价呢,要不您去别家看看吧~", "这款鞋久站不累脚,而且不掉色", "嗯", "在", "?", "😊 /:^_^",
    "我保证明天到", "那是快递的问题,跟我们无关", "亲,满59元就包邮哦", "亲,45码有货的哦",
]
GLUE = [",", "。", "!", " ", "~", "", "哦,", "呢,"]


def lines(lib, rubric, n: int, seed: int = 7) -> list[str]:
    base = list(EXTRA)
    for r in rubric.rules:
        base.extend(e.text for e in r.examples + r.counter_examples)
    for d in lib.intents:
        base.extend(d.examples)
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        k = rng.choice((1, 1, 1, 2, 2, 3))
        out.append(rng.choice(GLUE).join(rng.choice(base) for _ in range(k)))
    return out


def pct(xs: list[float], p: float) -> float:
    return xs[min(len(xs) - 1, int(len(xs) * p))]


def main() -> None:
    t0 = time.perf_counter()
    lib = load_library(ROOT / "scenarios")
    load_ms = (time.perf_counter() - t0) * 1000
    from game.language.reader import Reader
    t0 = time.perf_counter()
    reader = Reader(lib.intents)
    scorer = Scorer(lib.rubric, reader)
    init_ms = (time.perf_counter() - t0) * 1000
    scorer.score("预热")  # loads OpenCC dictionaries
    persona = lib.personas["haggler-nurse-shoes"]
    nums, lists = shop_facts(persona)
    sample = lines(lib, lib.rubric, 10_000)
    both, alone = [], []
    previous: list[str] = []
    for text in sample:
        ctx = ReplyContext(first=not previous, wait=5.0, previous=tuple(previous[-6:]), others=("王女士",),
                           vars={**nums, "prev_offer": nums["list_price"], "justified": 0.0}, lists=lists)
        t = time.perf_counter_ns()
        reading = reader.read(text)
        t1 = time.perf_counter_ns()
        scorer.score(text, ctx, reading)
        t2 = time.perf_counter_ns()
        both.append((t2 - t) / 1000)
        alone.append((t2 - t1) / 1000)
        previous.append(text)
        if len(previous) > 12:
            previous = []
    both.sort()
    alone.sort()
    # Judged against the buyer's message (rules/situations.yaml), as the engine's judge does: the
    # buyer lines of every persona, each read once (its sentence embedding is the costly part) and
    # then remembered, as in a chat where the same buyer line is answered more than once.
    judged = Scorer(lib.rubric, reader, lib.situations)
    t0 = time.perf_counter()
    judged.classify_buyer("在吗")
    sit_init_ms = (time.perf_counter() - t0) * 1000
    buyer_lines = sorted({t for p in lib.personas.values() for st in p.states.values() for t in st.say
                          if "{" not in t})
    rng = random.Random(3)
    with_buyer, first_read = [], []
    seen: set[str] = set()
    for text in sample[:3000]:
        b = rng.choice(buyer_lines)
        ctx = ReplyContext(buyer=b, previous=tuple(previous[-4:]), vars=dict(nums), lists=lists)
        t = time.perf_counter_ns()
        judged.score(text, ctx)
        dt = (time.perf_counter_ns() - t) / 1000
        (with_buyer if b in seen else first_read).append(dt)
        seen.add(b)
        previous.append(text)
        if len(previous) > 12:
            previous = []
    with_buyer.sort()
    first_read.sort()
    paste = "亲,给您打个九折,包邮哦!不行的话我保证给您退。" * 400
    t = time.perf_counter_ns()
    scorer.score(paste)
    paste_ms = (time.perf_counter_ns() - t) / 1e6
    print(f"replies: {len(sample)}  (mean length {statistics.mean(map(len, sample)):.1f} chars), "
          f"{len(lib.rubric.rules)} rules, {len(lib.rubric.strengths)} strengths")
    print(f"load content incl. rubric: {load_ms:.1f} ms; reader + scorer init: {init_ms:.1f} ms")
    print(f"reader + scorer per reply: median {statistics.median(both):.1f} µs, p99 {pct(both, 0.99):.1f} µs, "
          f"max {both[-1]:.1f} µs")
    print(f"scorer alone per reply:    median {statistics.median(alone):.1f} µs, p99 {pct(alone, 0.99):.1f} µs, "
          f"max {alone[-1]:.1f} µs")
    print(f"one pasted {len(paste)}-char wall of text: {paste_ms:.1f} ms")
    print(f"judged against the buyer's message ({len(buyer_lines)} buyer lines, situation model ready in "
          f"{sit_init_ms:.0f} ms):")
    print(f"  buyer line seen before:   median {statistics.median(with_buyer):.1f} µs, "
          f"p99 {pct(with_buyer, 0.99):.1f} µs  ({len(with_buyer)} replies)")
    print(f"  buyer line read the first time: median {statistics.median(first_read) / 1000:.1f} ms, "
          f"p99 {pct(first_read, 0.99) / 1000:.1f} ms  ({len(first_read)} replies)")


if __name__ == "__main__":
    main()
