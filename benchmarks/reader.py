"""How fast the reader is: content load (cold and warm cache) and Reader.read on ~10,000
varied trainee lines; prints median and p99.

The warm-cache start is timed in new processes (as the game starting again): in the process that
filled the cache, what it keeps in memory (pattern verdicts, jieba, the encoder) would make a second
load look faster than any start is.

Run: python benchmarks/reader.py   (from the project root)
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from game.content import patterns  # noqa: E402
from game.content.loader import load_library  # noqa: E402
from game.language import learned  # noqa: E402
from game.language.reader import Reader  # noqa: E402

EXTRA = [
    "亲,您好!很高兴为您服务~", "親，您好！這款有現貨哦", "给您算一百二吧", "１２８元包邮哦亲",
    "最多只能打个8.5折了", "不 包 邮", "不-行", "我请示下店长,看能不能给您优惠,您稍等",
    "您的订单号是1234567890123吗", "这款鞋久站不累脚,而且不掉色", "ＸＬ的话比较合适 /:^_^",
    "好的", "嗯", "😊", "亲在吗在吗在吗", "哈哈哈哈哈哈哈哈哈哈", "?",
]
GLUE = [",", "。", "!", " ", "~", "", "哦,", "呢,"]


def lines(lib, n: int, seed: int = 7) -> list[str]:
    base = list(EXTRA)
    for d in lib.intents:
        base.extend(d.examples)
        base.extend(d.counter_examples)
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        k = rng.choice((1, 1, 1, 2, 2, 3))
        out.append(rng.choice(GLUE).join(rng.choice(base) for _ in range(k)))
    out.append("亲,给您打个九折,包邮哦!" * 150)  # one pasted wall of text
    return out


def ms(t0: float) -> float:
    return (time.perf_counter() - t0) * 1000


# What a new process does to be ready: import, load the content, build a reader, read one line.
FRESH = """
import json, sys, time
t0 = time.perf_counter()
sys.path.insert(0, {root!r})
from game.content.loader import load_library
from game.language.reader import Reader
t1 = time.perf_counter()
lib = load_library({content!r})
t2 = time.perf_counter()
Reader(lib.intents, lib.lexicon).read("预热")
t3 = time.perf_counter()
print(json.dumps([1000 * (t1 - t0), 1000 * (t2 - t1), 1000 * (t3 - t2)]))
"""


def fresh_start(cache: str, runs: int = 3) -> list[list[float]]:
    """[import, load, reader] ms of `runs` new processes on the cache folder `cache`."""
    code = FRESH.format(root=str(ROOT), content=str(ROOT / "scenarios"))
    env = dict(os.environ, KEFUSIM_CACHE_DIR=cache)
    out = []
    for _ in range(runs):
        done = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True,
                              check=True)
        out.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return out


def main() -> None:
    with tempfile.TemporaryDirectory() as cache:
        os.environ["KEFUSIM_CACHE_DIR"] = cache
        t0 = time.perf_counter()
        lib = load_library(ROOT / "scenarios")
        load_ms = ms(t0)
        shipped, learned.SHIPPED_DIR = learned.SHIPPED_DIR, Path(cache) / "none"  # as after an edit
        t0 = time.perf_counter()
        Reader(lib.intents, lib.lexicon).read("预热")
        cold_ms = ms(t0)
        learned.SHIPPED_DIR = shipped
        learned._memo.clear()  # the model comes from the disk cache, the rest from memory
        t0 = time.perf_counter()
        lib = load_library(ROOT / "scenarios")
        reader = Reader(lib.intents, lib.lexicon)
        reader.read("预热")
        warm_ms = ms(t0)
        patterns.save_verdicts()  # else written at exit
        starts = fresh_start(cache)
    sample = lines(lib, 10_000)
    times = []
    for text in sample:
        t = time.perf_counter_ns()
        reader.read(text)
        times.append((time.perf_counter_ns() - t) / 1000)
    times.sort()
    p99 = times[int(len(times) * 0.99) - 1]
    print(f"design: {reader.design}")
    print(f"content load (YAML, all files): {load_ms:.0f} ms")
    print(f"reader, cold cache (train {len(reader.intent_names)} intents): {cold_ms:.0f} ms")
    print(f"content load + reader, warm cache, same process (content only re-read): {warm_ms:.0f} ms")
    totals = sorted(sum(s) for s in starts)
    best = min(starts, key=sum)
    print(f"new process, warm cache (import + content load + reader + first read): "
          f"median {statistics.median(totals):.0f} ms  (runs: {', '.join(f'{t:.0f}' for t in totals)}; "
          f"fastest: import {best[0]:.0f}, load {best[1]:.0f}, reader {best[2]:.0f} ms)")
    print(f"lines: {len(sample)}  (mean length {statistics.mean(map(len, sample)):.1f} chars)")
    print(f"read() median: {statistics.median(times) / 1000:.2f} ms")
    print(f"read() p99:    {p99 / 1000:.2f} ms")
    print(f"read() max:    {times[-1] / 1000:.2f} ms")


if __name__ == "__main__":
    main()
