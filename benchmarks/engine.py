"""Engine speed: trainee turns through reader + engine, a bare transitions trigger for scale, and
load-and-validate of 100 persona files. Prints figures; asserts nothing.

    python benchmarks/engine.py
"""
from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from transitions import Machine

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from game.content.loader import load_library  # noqa: E402
from game.engine.clock import ManualClock  # noqa: E402
from game.engine.conversation import Conversation  # noqa: E402
from game.language.reader import Reader  # noqa: E402

TURNS = 10_000
LINES = [
    "亲,您好!欢迎光临,很高兴为您服务", "我们家都是明码标价的,质量和做工都很好", "非常抱歉,我请示一下店长,您稍等",
    "给您算160元,再送您一双鞋垫", "今天3点半前拍下当天发货哦", "好的亲,请核对一下收货地址,感谢您的惠顾",
    "哈哈是呀", "关于这款鞋还有什么需要了解的吗?", "米白色37码有现货的哦", "这款是羊皮鞋面,很柔软",
    "非常抱歉给您添麻烦了", "麻烦您拍一张照片发给我看看", "我们马上给您换一件新的", "运费由我们承担",
    "不行", "爱买不买", "asdf", "亲,包邮的哦", "送您一个小礼品", "打个九折给您",
]


def pct(xs, q):
    return float(np.percentile(np.asarray(xs), q))


def bench_turns(lib) -> list[float]:
    reader = Reader(lib.intents)
    rng = np.random.default_rng(0)
    personas = list(lib.personas.values())
    times: list[float] = []
    conv = None
    clock = ManualClock()
    i = 0
    while len(times) < TURNS:
        if conv is None or conv.finished or conv.vars["turns"] >= 12:
            if conv is not None:
                conv.close()
            conv = Conversation(personas[i % len(personas)], reader, clock, np.random.default_rng(i),
                                defaults=lib.buyer_defaults)
            i += 1
        clock.advance(3.0)
        conv.tick()
        text = LINES[int(rng.integers(len(LINES)))]
        t0 = time.perf_counter()
        conv.trainee_says(text)
        conv.tick()
        times.append(time.perf_counter() - t0)
    return times


def bench_bare_transitions() -> list[float]:
    class M:
        pass
    m = M()
    Machine(model=m, states=["a", "b"], transitions=[["go", "a", "b"], ["go", "b", "a"]], initial="a",
            auto_transitions=False)
    out = []
    for _ in range(TURNS):
        t0 = time.perf_counter()
        m.go()
        out.append(time.perf_counter() - t0)
    return out


def bench_load(n: int = 100) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "content"
        shutil.copytree(ROOT / "scenarios", root)
        sources = sorted((root / "personas").glob("*.yaml"))
        sources = [p for p in sources if not p.name.endswith(".test.yaml")]
        for p in (root / "personas").glob("*.test.yaml"):
            p.unlink()
        k = 0
        while len(list((root / "personas").glob("*.yaml"))) < n:
            src = sources[k % len(sources)]
            text = src.read_text(encoding="utf-8")
            pid = next(ln.split(":", 1)[1].strip() for ln in text.splitlines() if ln.startswith("id:"))
            (root / "personas" / f"copy{k:03d}.yaml").write_text(text.replace(f"id: {pid}", f"id: {pid}-{k:03d}"),
                                                                  encoding="utf-8")
            k += 1
        t0 = time.perf_counter()
        lib = load_library(root)
        elapsed = time.perf_counter() - t0
        assert lib.ok, [r.format() for r in lib.broken]
        return elapsed, len(lib.personas)


def main() -> None:
    lib = load_library(ROOT / "scenarios")
    turns = bench_turns(lib)
    bare = bench_bare_transitions()
    print(f"reader+engine turn ({TURNS} turns): median {pct(turns, 50) * 1e3:.3f} ms, "
          f"p99 {pct(turns, 99) * 1e3:.3f} ms, max {max(turns) * 1e3:.3f} ms")
    print(f"bare transitions trigger (trivial machine): median {pct(bare, 50) * 1e6:.1f} µs, "
          f"p99 {pct(bare, 99) * 1e6:.1f} µs")
    elapsed, count = bench_load()
    print(f"load and validate {count} persona files (plus rules and shops): {elapsed:.3f} s")


if __name__ == "__main__":
    main()
