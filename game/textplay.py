"""Terminal play: the live clock in a plain terminal (works over SSH, with screen readers, in tmux).

A reader thread collects typed lines; the main thread ticks the chat and prints buyer lines
without eating the line the trainee is typing (readline's buffer is redrawn under them).
"""
from __future__ import annotations

import codecs
import os
import queue
import sys
import threading
import time
from pathlib import Path

import numpy as np

from game.content.emoticons import as_emoji

try:  # readline keeps the half-typed line when a buyer line is printed above it
    import readline
except ImportError:  # Windows
    readline = None

OUTCOME_TEXT = {"success": "成交 / 问题解决", "lost": "买家离开", "bad_review": "买家给了差评",
                "escalated": "买家投诉升级"}
PROMPT = "客服> "


def clean_input(text: str) -> str:
    """A typed line as text the store can keep: bytes that were not UTF-8 (read back as surrogates)
    become U+FFFD instead of crashing the save of the message."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace") if text else text


class _Screen:
    def __init__(self, stream=sys.stdout):
        self.out = stream
        self.tty = stream.isatty() and sys.stdin.isatty()

    def show(self, text: str) -> None:
        text = as_emoji(text)  # a terminal has no drawn faces: emoticon codes show as emoji
        if self.tty:
            buf = readline.get_line_buffer() if readline else ""
            self.out.write("\r\x1b[K" + text + "\n" + PROMPT + buf)
        else:
            self.out.write(text + "\n")
        self.out.flush()


_MARKS = {"passed": "✓", "open": "▶", "locked": "·"}


def _ask(prompt: str) -> str | None:
    try:
        return clean_input(input(prompt)).strip()
    except EOFError:
        return None


def _settings(data_dir, content: Path):
    """The window's settings: the trainee's name is shared with it."""
    from .store.paths import data_dir as store_dir
    from .ui.settings import Settings  # plain JSON, no pygame
    return Settings.load(store_dir(data_dir) / "settings.json", content)


def _trainee(settings) -> str | None:
    """Who is training, as the window's start screen asks; Enter keeps the last name."""
    from .store import default_profile
    last = settings.profile if settings is not None and settings.profile != "学员" else default_profile()
    raw = _ask(f"学员名字 (回车 = {last}, q 退出): ")
    if raw is None or raw.lower() in ("q", "quit", "exit"):
        return None
    name = raw[:20] or last
    if settings is not None and name != settings.profile:
        settings.profile = name
        settings.save()
    return name


def _best(profile: str, data_dir) -> dict[str, float]:
    from .store.commands import open_store
    from .store.live import best_totals
    store = open_store(data_dir, quiet=True)
    if store is None:
        return {}
    try:
        return best_totals(store, profile)
    finally:
        store.close()


def _choose(lib, best: dict[str, float] | None = None) -> str | None:
    """The persona to play: Enter goes on along the lesson path (as the window's 继续课程), a number
    picks any buyer. A shift step (several buyers at once in the window) is played buyer by buyer."""
    from .content.lessons import lesson_status, next_step
    best = best or {}
    personas = sorted(lib.personas.values(), key=lambda p: (p.difficulty, p.id))
    if not personas:
        print("没有可用的买家场景。请检查 scenarios/ 文件夹 (python main.py validate)。")
        return None
    nxt_pid = None
    lessons = sorted(lib.lessons.values(), key=lambda l: (l.order, l.id))
    if lessons:
        print("课程路线 (✓ 已通过  ▶ 下一关  · 未解锁):")
        for lesson in lessons:
            marks = " ".join(f"{_MARKS[st]}{i}" for i, st in enumerate(lesson_status(lesson, best), 1))
            print(f"  {lesson.title}  {marks}")
        nxt = next_step(lessons, best)
        if nxt is not None:
            lesson, i = nxt
            step = lesson.steps[i]
            nxt_pid = next((p for p in step.personas if best.get(p, -1) < step.pass_mark), step.personas[0])
            more = f" (共 {len(step.personas)} 位买家,逐位接待)" if step.is_shift else ""
            print(f"回车 = 继续课程: {lesson.title} 第{i + 1}关 · {lib.personas[nxt_pid].title}"
                  f"  (及格 {step.pass_mark} 分){more}")
        else:
            print("课程已全部通过!可以任选买家继续练习。")
    print("请选择买家场景:")
    for i, p in enumerate(personas, 1):
        arch = lib.buyer_defaults.archetypes.get(p.archetype, p.archetype)
        score = f"  最佳 {best[p.id]:.0f}" if p.id in best else ""
        print(f"  {i}. {p.title}  [{arch}, 难度 {'★' * p.difficulty}]{score}")
    for r in lib.broken:
        if "personas" in r.path:
            print(f"  (无法加载: {r.path}, 运行 python main.py validate 查看原因)")
    while True:
        raw = _ask("输入编号 (回车 继续课程, q 退出): " if nxt_pid else "输入编号 (q 退出): ")
        if raw is None or raw.lower() in ("q", "quit", "exit"):
            return None
        if raw == "" and nxt_pid:
            return nxt_pid
        if raw.isdigit() and 1 <= int(raw) <= len(personas):
            return personas[int(raw) - 1].id
        print("请输入列表中的编号。")


def _recorder(lib, persona, seed: int, profile: str | None, data_dir):
    """Open the store and start recording; None (with a message) when the store cannot be used."""
    from .store import SessionRecorder, default_profile
    from .store.commands import open_store
    from .store.db import check_profile_name
    try:
        profile = check_profile_name(profile) if profile else default_profile()
    except ValueError as exc:
        print(f"注意: {exc};本次练习记在“学员”名下。")
        profile = "学员"
    store = open_store(data_dir)
    if store is None:
        print("注意: 无法打开记录数据库,本次练习不会被保存。 / The records store cannot be used; not recording.")
        return None
    return SessionRecorder(store, profile=profile, persona=persona, seed=seed, source="play",
                           content_root=lib.root)


def _stop_recording(rec, conv, reason: str, report=None) -> None:
    if rec is None:
        return
    rec.sync(conv)
    if conv.finished:
        rec.finish(conv, report)
    rec.close(reason)
    if err := rec.new_error():
        print(err)
    elif rec.error is None and rec.session_id is not None:
        print(f"已保存为会话 #{rec.session_id} (回放: python main.py replay {rec.session_id})")
    rec.store.close()


def play(content: Path, persona_name: str | None, seed: int | None, choices: bool = False, *,
         profile: str | None = None, data_dir=None, record: bool = True) -> int:
    from .content.loader import load_library
    from .engine.clock import SystemClock
    from .engine.conversation import Conversation
    from .language.reader import Reader

    lib = load_library(content)
    if persona_name is None:  # started without arguments: who is training, then the lesson path
        if profile is None:
            profile = _trainee(_settings(data_dir, Path(content)))
            if profile is None:
                return 0
        persona_name = _choose(lib, _best(profile, data_dir) if record else {})
        if persona_name is None:
            return 0
    elif profile is None and (last := _settings(data_dir, Path(content)).profile) != "学员":
        profile = last  # the name the window and the last terminal game used
    try:
        persona = lib.persona(persona_name)
    except LookupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if seed is None:
        seed = int(np.random.default_rng().integers(1_000_000))
    from .scoring.cli import make_judge
    from .scoring.notes import feedback_notes
    judge = make_judge(lib)  # practice mode: every reply is scored and explained at once
    clock = SystemClock()
    conv = Conversation(persona, Reader(lib.intents, lib.lexicon), clock, np.random.default_rng(seed),
                        chat_id=persona.id, defaults=lib.buyer_defaults, judge=judge, seed=seed)
    rec = _recorder(lib, persona, seed, profile, data_dir) if record else None
    if rec is not None:
        rec.start(conv)
    screen = _Screen()
    print(f"== {persona.title} ==  ({persona.shop.name} · {persona.product.name} ¥{persona.list_price:g}, "
          f"底价 ¥{persona.floor_price:g}, 种子 {seed})")
    if persona.summary:
        print(persona.summary)
    for line in _facts_lines(persona):
        print(line)
    print("直接输入回复并回车发送。/info 看商品和店铺信息,/help 帮助,/quit 或 q 退出。买家等待超过时限会催促,再不回复就会离开。")
    if choices:
        print("新手模式: 输入选项编号即可发送该回复,也可以自己输入。")
    print()

    lines: queue.Queue[str | None] = queue.Queue()

    def reader_thread():
        if not sys.stdin.isatty() and _stdin_fd() is not None:
            for line in pipe_lines(_stdin_fd()):
                lines.put(clean_input(line))
            lines.put(None)
            return
        while True:
            try:
                lines.put(clean_input(input(PROMPT)))
            except (EOFError, KeyboardInterrupt):
                lines.put(None)
                return

    tty = _tty_state()  # a thread still inside input() at exit must not leave the terminal without echo
    threading.Thread(target=reader_thread, daemon=True).start()
    try:
        return _chat(conv, persona, lines, screen, rec, judge, feedback_notes, choices, seed)
    finally:
        _tty_restore(tty)


QUIT_WORDS = ("/quit", "/q", "q", "Q", "/退出", "/exit")
INFO_WORDS = ("/info", "/i", "/商品")
HELP_WORDS = ("/help", "/h", "/?", "/帮助")
HELP_TEXT = "命令: /info 商品和店铺信息 | /help 帮助 | /quit 或 q 退出。其他输入都会作为回复发给买家。"


def _chat(conv, persona, lines, screen, rec, judge, feedback_notes, choices, seed) -> int:
    name = persona.buyer.name
    typing_shown = False
    shown_for = None  # (state, turns) whose choices are on screen
    order: list[int] = []  # shown position -> choice index; shuffled so the best is not always first
    try:
        while not conv.finished:
            events = conv.tick()
            try:
                while True:
                    text = lines.get_nowait()
                    if text is None or text.strip() in QUIT_WORDS:
                        if conv.outcome is not None:  # the buyer already paid (or left): score the chat
                            raise _Done
                        print("\n已退出。")
                        _stop_recording(rec, conv, "quit")
                        return 0
                    text = text.strip()
                    if text in INFO_WORDS:  # the facts the trainee is scored against, again
                        for line in _facts_lines(persona):
                            screen.show("   " + line)
                        continue
                    if text in HELP_WORDS:
                        screen.show("   " + HELP_TEXT)
                        continue
                    opts = conv.choices if choices else ()
                    if text.isdigit() and 1 <= int(text) <= len(opts) == len(order):
                        idx = order[int(text) - 1]
                        picked = opts[idx]
                        screen.show(f"   你选择了: {picked.text}")
                        screen.show(f"   {'✓ 最佳' if picked.best else '✗ 不妥'}: {picked.why}")
                        events += conv.choose(idx)
                    elif text:
                        events += conv.trainee_says(text)
            except queue.Empty:
                pass
            if rec is not None:
                rec.sync(conv)  # stored before it is shown: nothing on screen is ever missing from the store
                if err := rec.new_error():
                    screen.show("注意: " + err)
            for ev in events:
                if ev.kind == "buyer_typing" and not typing_shown:
                    screen.show(f"   ({name} 正在输入…)")
                    typing_shown = True
                elif ev.kind == "buyer_line":
                    typing_shown = False
                    tag = " [催促]" if ev.data.get("kind") == "nudge" else ""
                    screen.show(f"{_clock(ev.time)} {name}: {ev.text}{tag}")
                elif ev.kind == "agent_line" and ev.data.get("wait", 0) > 0:
                    w = ev.data["wait"]
                    limit = ev.data.get("limit", persona.buyer.reply)
                    mark = "✓" if w <= limit else "超时"
                    screen.show(f"   (回复用时 {w:.1f} 秒 {mark})")
                elif ev.kind == "feedback":
                    for line, _ in feedback_notes(ev.data.get("feedback")):
                        screen.show(f"   {line}")
            key = (conv.state, conv.vars["turns"])
            if choices and conv.choices and not conv.buyer_typing and not conv.finished and key != shown_for:
                shown_for = key
                order = [int(i) for i in np.random.default_rng([seed, int(key[1])]).permutation(len(conv.choices))]
                screen.show("   可选回复: " + "  ".join(f"[{n}] {conv.choices[i].text}" for n, i in enumerate(order, 1)))
            time.sleep(0.05)
    except _Done:
        pass
    except KeyboardInterrupt:
        print("\n已退出。")
        _stop_recording(rec, conv, "quit")
        return 0
    sys.stdout.write("\n")
    print(f"== 结束: {OUTCOME_TEXT.get(conv.outcome, conv.outcome)} ==")
    print(f"买家心情 {conv.mood:.0f}/100, 你发了 {conv.vars['turns']:.0f} 条消息"
          + (f", 成交价 ¥{conv.vars['offer_price']:g}" if conv.outcome == "success" and conv.vars["concessions"]
             else ""))
    if conv.flags:
        print("注意: " + flag_text(conv))
    report = None
    if judge is not None:
        from .scoring.report import build_report, format_report
        report = build_report(conv, judge.scorer)
        print()
        print(as_emoji(format_report(report)))
    _stop_recording(rec, conv, "quit", report)
    return 0


def flag_text(conv) -> str:
    """The chat's flags as the trainee reads them: titles from rules/buyer.yaml, else as written."""
    titles = getattr(getattr(conv, "defaults", None), "flag_titles", None) or {}
    return "、".join(titles.get(f, f) for f in conv.flags)


class _Done(Exception):
    """The trainee quit after the chat had reached its end: it is reported, not thrown away."""


def _facts_lines(persona) -> list[str]:
    """What the trainee is scored against, shown before the chat (the window has its product card)."""
    prod, pol = persona.product, persona.shop.policies
    out = [f"商品: {prod.name} ¥{persona.list_price:g}"
           + (f" | 尺码 {'/'.join(map(str, prod.sizes))}" if prod.sizes else "")
           + (f" | 颜色 {'/'.join(prod.colors)}" if prod.colors else "") + f" | 库存 {prod.stock}"]
    if prod.materials or prod.selling_points:
        out.append("  " + "、".join([*prod.materials, *prod.selling_points]))
    if prod.weak_points:
        out.append("  需要如实告知: " + "、".join(prod.weak_points))
    shop = []
    if pol.free_shipping_threshold:
        shop.append(f"满{pol.free_shipping_threshold:g}元包邮")
    if pol.shipping_cutoff:
        shop.append(f"{pol.shipping_cutoff}前付款当天发")
    if pol.couriers:
        shop.append("快递 " + "、".join(f"{n}" + (f"(补{f:g}元)" if f else "") for n, f in pol.couriers))
    shop.append(f"{pol.return_days}天无理由退货、{pol.exchange_days}天换货")
    if not pol.cash_on_delivery:
        shop.append("不支持货到付款")
    out.append("店铺: " + " | ".join(shop))
    o = persona.order
    if o is not None:
        out.append(f"订单: {o.number} | {o.status}" + (f" | 实付¥{o.paid:g}" if o.paid is not None else "")
                   + (f" | {o.courier}" if o.courier else "") + (f" | 下单 {o.placed}" if o.placed else ""))
        for step in reversed(o.tracking[-3:]):  # the latest first, as the courier's page shows them
            out.append(f"  物流 {step.at} {step.text}")
    if persona.buyer.tags:
        out.append("客户: " + persona.buyer.name + " | " + " · ".join(persona.buyer.tags))
    return out


def _stdin_fd() -> int | None:
    try:
        return sys.stdin.fileno()
    except (AttributeError, OSError, ValueError):
        return None


def pipe_lines(fd: int):
    """Lines of piped input, read from the file descriptor itself. A thread blocked here holds no
    lock of sys.stdin, so the game can exit while it waits (input() would abort the interpreter at
    exit with "could not acquire lock for <stdin>"). Bytes that are not UTF-8 become U+FFFD."""
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    buf = ""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            chunk = b""
        buf += decoder.decode(chunk, final=not chunk)
        *done, buf = buf.split("\n")
        for line in done:
            yield line.rstrip("\r")
        if not chunk:
            if buf:
                yield buf
            return


def _tty_state():
    try:
        import termios
        if sys.stdin.isatty():
            return termios.tcgetattr(sys.stdin.fileno())
    except (ImportError, OSError, ValueError):
        pass
    return None


def _tty_restore(state) -> None:
    if state is None:
        return
    try:
        import termios
        termios.tcsetattr(sys.stdin.fileno(), termios.TCSADRAIN, state)
    except (ImportError, OSError, ValueError):
        pass


def _clock(t: float) -> str:
    return f"[{int(t // 60):02d}:{int(t % 60):02d}]"
