"""Store speed: the cost of one committed message (what a trainee's send waits for), opening a store,
history, and the trainer exports on a store of many chats. Prints figures; asserts nothing.

    python benchmarks/store.py [SESSIONS]
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from game.content.loader import load_library  # noqa: E402
from game.engine.script import parse_script, simulate  # noqa: E402
from game.language.reader import Reader  # noqa: E402
from game.store.db import Store, StoredMessage  # noqa: E402
from game.store.export import to_csv, to_html  # noqa: E402
from game.store.progress import format_history  # noqa: E402
from game.store.recorder import SessionRecorder  # noqa: E402

SESSIONS = int(sys.argv[1]) if len(sys.argv) > 1 else 300
MESSAGES = 500
FEEDBACK = {"text": "亲,您好", "score": 70, "violations": [
    {"rule": "r", "category": "forbidden", "severity": "major", "title": "禁用语", "text": "不行", "why": "生硬的拒绝",
     "suggestion": "非常抱歉"}], "strengths": [{"id": "s", "title": "称呼亲"}], "mood_delta": -1}
REPORT = {"total": 72, "grade": "C", "dimensions": {"politeness": 80, "taboo": 70, "timing": 60, "flow": 75,
                                                    "closing": 65}}


def ms(xs: list[float]) -> str:
    xs = sorted(xs)
    return f"median {statistics.median(xs) * 1e3:.2f} ms, p99 {xs[int(len(xs) * 0.99) - 1] * 1e3:.2f} ms"


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def main() -> None:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "kefusim.db"
        with Store(path) as store:
            sid = store.begin_session("小王", "bench")
            lat = []
            for i in range(MESSAGES):
                m = StoredMessage(i, float(i), "agent" if i % 2 else "buyer", "line", "亲,您好,这款有现货的哦",
                                  wait=3.0, intents=["greet"], feedback=FEEDBACK if i % 2 else None)
                t = time.perf_counter()
                store.add_message(sid, m)
                lat.append(time.perf_counter() - t)
            print(f"one message, committed (synchronous=FULL, WAL) x{MESSAGES}: {ms(lat)}  [{d}]")

        lib = load_library(ROOT / "scenarios")
        reader = Reader(lib.intents)
        cases = [("haggler-nurse-shoes", "+4s 亲,您好\n+6s 我们家都是明码标价的,质量很好\n+8s 给您送一双鞋垫\n+6s 好的亲", 3),
                 ("haggler-nurse-shoes", "+25s 在\n+10s 不行,不能便宜\n+10s 爱买不买", 3),
                 ("haggler-nurse-shoes", "+90s", 1)]
        results = [(lib.personas[p], simulate(lib.personas[p], parse_script(s), reader, seed=seed,
                                               defaults=lib.buyer_defaults)) for p, s, seed in cases]
        path2 = Path(d) / "big" / "kefusim.db"
        with Store(path2) as store:
            t0 = time.perf_counter()
            for i in range(SESSIONS):
                persona, r = results[i % len(results)]
                rec = SessionRecorder(store, profile=f"学员{i % 30}", persona=persona, seed=r.seed, source="bench")
                rec.start(r.conversation)
                rec.finish(r.conversation, REPORT)
            fill = time.perf_counter() - t0
            n_msgs = store.conn.execute("SELECT count(*) FROM messages").fetchone()[0]
        size = path2.stat().st_size / 1e6
        print(f"recorded {SESSIONS} chats ({n_msgs} messages) in {fill:.2f} s; file {size:.2f} MB")
        store, t_open = timed(lambda: Store(path2))
        with store:
            sessions, t_list = timed(store.sessions)
            _, t_hist = timed(lambda: format_history(sessions))
            csv_text, t_csv = timed(lambda: to_csv(store, sessions))
            html, t_html = timed(lambda: to_html(store, sessions))
        print(f"open (integrity quick_check, sweep): {t_open * 1e3:.1f} ms")
        print(f"list {len(sessions)} sessions: {t_list * 1e3:.1f} ms; history text: {t_hist * 1e3:.1f} ms")
        print(f"export csv: {t_csv * 1e3:.0f} ms ({len(csv_text) / 1e3:.0f} kB); "
              f"html: {t_html * 1e3:.0f} ms ({len(html) / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
