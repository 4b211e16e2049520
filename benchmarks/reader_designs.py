"""Compare reader designs on a labelled file: phrases only, sparse features, sparse + sentence vectors.

Run: python benchmarks/reader_designs.py tests/language/heldout_replies.yaml
(The sparse design trains once, about 20 s, unless it is in the cache.)
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from game.content.loader import load_library  # noqa: E402
from game.language import evaluate, learned  # noqa: E402
from game.language.reader import Reader  # noqa: E402


def main(path: str) -> None:
    lib = load_library(ROOT / "scenarios")
    names = [d.name for d in lib.intents]
    items = evaluate.load_labelled(Path(path), names)
    designs = [
        ("phrases only (the rules)", Reader(lib.intents, lib.lexicon, fusion="rules")),
        ("char n-grams + words", Reader(lib.intents, lib.lexicon, design=learned.Design(embed=False))),
        ("+ sentence vectors (shipped)", Reader(lib.intents, lib.lexicon)),
    ]
    print(f"{path}: {len(items)} replies")
    for label, reader in designs:
        s = evaluate.score(reader, items, names)
        p, r, _f = s.micro()
        ok = sum(1 for n in s.intents() if s.support[n] and s.prf(n)[2] >= 0.85)
        total = sum(1 for n in s.intents() if s.support[n])
        print(f"  {label:<30} macro F1 {s.macro_f1():.3f}  micro P {p:.3f} R {r:.3f}  "
              f"exact {s.exact}/{s.total}  intents >= 0.85: {ok}/{total}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "tests" / "language" / "heldout_replies.yaml"))
