"""Frame cost of the workbench with 1 and 5 buyers of 300 messages each, beside an empty pygame loop:
idle frames (nothing changed: the last picture stands) and drawn frames (the mouse moves every
frame, so the whole screen is drawn again); in both, a buyer switch every 50 frames. Dummy video driver; prints figures, asserts nothing.

    python benchmarks/frames.py
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

import numpy as np  # noqa: E402
import pygame  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from game.engine.clock import ManualClock  # noqa: E402
from game.engine.events import Message  # noqa: E402

FRAMES = 400
LINES = ["亲,在吗?这双能便宜点吗", "亲,您好!欢迎光临,很高兴为您服务 /:^_^", "我们家都是明码标价的,质量和做工都很好,值这个价呢",
         "好的,那我拍了,37码白色", "哈哈哈你们客服好辛苦", "非常抱歉给您添麻烦了,我们马上为您处理,运费由我们承担"]


def stats(xs):
    a = np.asarray(xs) * 1e3
    return f"median {np.median(a):.2f} ms, p99 {np.percentile(a, 99):.2f} ms"


def empty_loop(surface) -> list[float]:
    out = []
    for _ in range(FRAMES):
        t0 = time.perf_counter()
        pygame.event.pump()
        surface.fill((238, 240, 243))
        out.append(time.perf_counter() - t0)
    return out


def workbench(n_buyers: int, per_chat: int = 300, drawn: bool = False) -> list[float]:
    from game.ui.app import App
    from game.ui.screens.workbench import start_personas
    with tempfile.TemporaryDirectory() as tmp:
        clock = ManualClock()
        app = App(ROOT / "scenarios", data_dir=tmp, clock=clock, settings_path=Path(tmp) / "s.json")
        app.wait_reader()  # the reader loads off the frame; chats start once it is ready
        personas = list(app.library.personas.values())[:n_buyers]
        start_personas(app, personas, gap=0.0)
        clock.advance(0.1)
        app.frame(0.016, [])
        for conv in app.screen.session.chats:  # a long shift: 300 lines in every chat
            for i in range(per_chat):
                conv.transcript.append(Message(float(i), "buyer" if i % 2 else "agent", LINES[i % len(LINES)]))
        for _ in range(3):
            app.frame(0.016, [])  # first frames render and cache every bubble
        out = []
        for i in range(FRAMES):
            if i % 50 == 0:
                app.screen.session.next_chat()  # switching buyers re-renders that chat once
            events = [pygame.event.Event(pygame.MOUSEMOTION, {"pos": (600, 300 + i % 2), "rel": (0, 1),
                                                               "buttons": (0, 0, 0)})] if drawn else []
            t0 = time.perf_counter()
            app.frame(0.016, events)
            out.append(time.perf_counter() - t0)
        if app.store is not None:
            app.store.close()
        pygame.quit()
        return out


def main() -> None:
    pygame.init()
    surface = pygame.display.set_mode((1280, 800))
    print(f"empty pygame loop (fill 1280x800): {stats(empty_loop(surface))}")
    pygame.quit()
    for n in (1, 5):
        print(f"workbench, {n} buyer(s) x 300 messages, idle frames: {stats(workbench(n))}")
        print(f"workbench, {n} buyer(s) x 300 messages, drawn frames: {stats(workbench(n, drawn=True))}")


if __name__ == "__main__":
    main()
