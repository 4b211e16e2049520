"""Worst-case cost of every content pattern and of a whole scored turn on hostile pasted text.

Pasted digits, repeated characters and walls of text must never freeze a turn (a regex that
backtracks is quadratic or worse on a long run). Prints the slowest patterns and turns.
Run: python benchmarks/hostile.py   (from the project root)
"""
from __future__ import annotations

import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from game.content.loader import load_library  # noqa: E402
from game.language.normalize import prepare  # noqa: E402
from game.scoring.cli import make_scorer  # noqa: E402

INPUTS = {
    "2,000 digits": "1" * 2000, "20,000 digits": "1" * 20000, "digits and dots": "1." * 1000,
    "digits and spaces": "1 " * 1500, "2,000 好": "好" * 2000, "3,000 亲": "亲" * 3000, "2,000 不": "不" * 2000,
    "phone numbers": "13812345678," * 300, "percent signs": "5%" * 1000, "天 runs": "3天" * 1000,
    "mixed wall": ("亲,给您打个九折,包邮哦!不行的话我保证给您退。13812345678 " * 300),
}


def main() -> None:
    lib = load_library(ROOT / "scenarios")
    patterns = [(f"rubric {r.id}", rx) for r in lib.rubric.rules for rx in r.patterns]
    patterns += [(f"intent {d.name}", re.compile(p)) for d in lib.intents for p in d.patterns]
    worst = []
    for label, text in INPUTS.items():
        analysed = prepare(text).analysed
        for name, rx in patterns:
            t = time.perf_counter()
            for n, _m in enumerate(rx.finditer(analysed)):
                if n >= 16:
                    break
            worst.append(((time.perf_counter() - t) * 1000, name, label))
    worst.sort(reverse=True)
    print(f"{len(patterns)} content patterns x {len(INPUTS)} hostile inputs; slowest:")
    for ms, name, label in worst[:8]:
        print(f"  {ms:8.2f} ms  {name}  on {label}")
    scorer = make_scorer(lib)
    scorer.score("预热")
    print("a whole turn (reader + scorer):")
    for label, text in INPUTS.items():
        t = time.perf_counter()
        scorer.score(text)
        print(f"  {(time.perf_counter() - t) * 1000:8.1f} ms  {label} ({len(text)} chars)")


if __name__ == "__main__":
    main()
