"""Time Reader.read on ~10,000 varied trainee lines; prints median and p99 in µs.

Run: python benchmarks/reader.py   (from the project root)
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from game.language.reader import Reader  # noqa: E402
from game.language.vocab import intents_from_data  # noqa: E402

EXTRA = [
    "亲,您好!很高兴为您服务~", "親，您好！這款有現貨哦", "给您算一百二吧", "１２８元包邮哦亲",
    "最多只能打个8.5折了", "不 包 邮", "不-行", "我请示下店长,看能不能给您优惠,您稍等",
    "您的订单号是1234567890123吗", "这款鞋久站不累脚,而且不掉色", "ＸＬ的话比较合适 /:^_^",
    "好的", "嗯", "😊", "亲在吗在吗在吗", "哈哈哈哈哈哈哈哈哈哈", "?",
]
GLUE = [",", "。", "!", " ", "~", "", "哦,", "呢,"]


def lines(n: int, seed: int = 7) -> list[str]:
    data = yaml.safe_load((ROOT / "scenarios" / "rules" / "intents.yaml").read_text(encoding="utf-8"))
    base = list(EXTRA)
    for d in intents_from_data(data):
        base.extend(d.examples)
        base.extend(d.counter_examples)
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        k = rng.choice((1, 1, 1, 2, 2, 3))
        out.append(rng.choice(GLUE).join(rng.choice(base) for _ in range(k)))
    out.append("亲,给您打个九折,包邮哦!" * 150)  # one pasted wall of text
    return out


def main() -> None:
    data = yaml.safe_load((ROOT / "scenarios" / "rules" / "intents.yaml").read_text(encoding="utf-8"))
    t0 = time.perf_counter()
    reader = Reader(intents_from_data(data))
    reader.read("预热")  # loads OpenCC dictionaries
    init_ms = (time.perf_counter() - t0) * 1000
    sample = lines(10_000)
    times = []
    for text in sample:
        t = time.perf_counter_ns()
        reader.read(text)
        times.append((time.perf_counter_ns() - t) / 1000)
    times.sort()
    p99 = times[int(len(times) * 0.99) - 1]
    print(f"lines: {len(sample)}  (mean length {statistics.mean(map(len, sample)):.1f} chars)")
    print(f"reader init incl. OpenCC: {init_ms:.1f} ms")
    print(f"read() median: {statistics.median(times):.1f} µs")
    print(f"read() p99:    {p99:.1f} µs")
    print(f"read() max:    {times[-1]:.1f} µs")


if __name__ == "__main__":
    main()
