"""Command line: the game and the authoring tools (argparse, from the standard library)."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONTENT = ROOT / "scenarios"


def _utf8_stdio() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(encoding="utf-8", errors="replace")
        except (AttributeError, ValueError):
            pass


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="main.py", description="KefuSim 客服实训模拟器")
    p.add_argument("--content", type=Path, default=DEFAULT_CONTENT, help="content folder (default: scenarios/)")
    sub = p.add_subparsers(dest="command")

    s = sub.add_parser("play", help="open the game window (or play in the terminal with --text)")
    s.add_argument("persona", nargs="?", help="persona id or file; omitted: choose from a list")
    s.add_argument("--text", action="store_true", help="play in the terminal (the default until the window exists)")
    s.add_argument("--seed", type=int, default=None)
    s.add_argument("--choices", action="store_true", help="beginner mode: numbered reply choices where the persona has them")

    s = sub.add_parser("validate", help="check content files; exit 1 on any error")
    s.add_argument("paths", nargs="*", type=Path, help="files or folders (default: all of the content folder)")

    s = sub.add_parser("simulate", help="play a script of trainee lines against a persona")
    s.add_argument("persona")
    s.add_argument("--script", type=Path, required=True,
                   help="a text script ('+12s 亲,您好' a line), or a .test.yaml file with --case")
    s.add_argument("--case", help="case name inside a .test.yaml script file")
    s.add_argument("--seed", type=int, default=None)
    s.add_argument("--json", action="store_true", help="machine-readable transcript and outcome")

    s = sub.add_parser("graph", help="print a persona's state graph")
    s.add_argument("persona")
    s.add_argument("--format", choices=("mermaid", "dot"), default="mermaid")

    s = sub.add_parser("new-persona", help="write a commented starting persona and its test script")
    s.add_argument("--archetype", required=True, help="buyer type, e.g. haggler (see scenarios/rules/buyer.yaml)")
    s.add_argument("--shop", required=True, help="shop id, e.g. dalibai")
    s.add_argument("--product", help="product sku (default: the shop's first product)")
    s.add_argument("--id", dest="pid", help="persona id (default: ARCHETYPE-SHOP-N)")
    s.add_argument("--title", help="Chinese title")

    sub.add_parser("intents", help="list the trainee intents a persona can react to, with examples")

    s = sub.add_parser("test-scenarios", help="run every persona test script beside the personas")
    s.add_argument("paths", nargs="*", type=Path, help="test files (default: all *.test.yaml)")
    return p


def main(argv: list[str] | None = None) -> int:
    _utf8_stdio()
    args = build_parser().parse_args(argv)
    cmd = args.command or "play"
    if cmd == "play":
        if getattr(args, "text", False) or not _window_possible():
            from .textplay import play
            return play(args.content, getattr(args, "persona", None), getattr(args, "seed", None),
                        getattr(args, "choices", False))
        from .ui.app import run_game
        return run_game(args.content)
    if cmd == "validate":
        return cmd_validate(args.content, args.paths)
    if cmd == "simulate":
        return cmd_simulate(args)
    if cmd == "graph":
        return cmd_graph(args)
    if cmd == "test-scenarios":
        return cmd_test(args.content, args.paths)
    if cmd == "intents":
        return cmd_intents(args.content)
    if cmd == "new-persona":
        from .content.newpersona import new_persona
        return new_persona(load(args.content), args.archetype, args.shop, args.product, args.pid, args.title)
    return 2


# ---------------------------------------------------------------- helpers

def _window_possible() -> bool:
    """A window needs a display; without one (SSH, CI) the game plays in the terminal."""
    import os
    if os.environ.get("SDL_VIDEODRIVER") == "dummy":
        return False
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        print("没有图形显示环境,改用终端模式。(No display found: playing in the terminal.)")
        return False
    return True


def load(content: Path):
    from .content.loader import load_library
    return load_library(content)


def make_reader(lib):
    from .language.reader import Reader
    return Reader(lib.intents)


def _print_reports(reports, stream=None) -> tuple[int, int]:
    stream = stream or sys.stdout
    errors = warnings = 0
    for r in reports:
        if r.problems:
            print(r.format(), file=stream)
            print(file=stream)
        errors += len(r.errors)
        warnings += len(r.warnings)
    return errors, warnings


def _get_persona(lib, name: str):
    try:
        return lib.persona(name)
    except LookupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return None


# ---------------------------------------------------------------- validate

def cmd_validate(content: Path, paths: list[Path]) -> int:
    from .content.validate import check_all, check_file, expand

    lib = load(content)
    if not paths:
        reports = check_all(lib)
    else:
        try:
            files = expand(paths)
        except FileNotFoundError as exc:
            print(f"{exc}: error: no such file or folder", file=sys.stderr)
            return 1
        reports = [check_file(lib, f) for f in files]
    errors, warnings = _print_reports(reports)
    bad = sum(1 for r in reports if not r.ok)
    print(f"{len(reports)} file(s) checked: {errors} error(s), {warnings} warning(s), {bad} file(s) broken")
    return 1 if errors else 0


# ---------------------------------------------------------------- simulate

def cmd_simulate(args) -> int:
    from .content.loader import Library
    from .content.testcases import load_tests
    from .engine.script import ScriptError, parse_script, simulate

    lib = load(args.content)
    persona = _get_persona(lib, args.persona)
    if persona is None:
        return 2
    seed = args.seed
    if args.script.name.endswith(".test.yaml"):
        rep, tf = load_tests(args.script, lib)
        if tf is None:
            print(rep.format(), file=sys.stderr)
            return 2
        cases = {c.name: c for c in tf.cases}
        if args.case not in cases:
            print(f"error: choose a case with --case: {', '.join(cases)}", file=sys.stderr)
            return 2
        steps, seed = list(cases[args.case].steps), (cases[args.case].seed if seed is None else seed)
    else:
        try:
            steps = parse_script(args.script.read_text(encoding="utf-8"))
        except OSError as exc:
            print(f"error: cannot read {args.script}: {exc.strerror}", file=sys.stderr)
            return 2
        except ScriptError as exc:
            print(f"{args.script}:{exc.line}:1: error: {exc.message}", file=sys.stderr)
            return 2
    assert isinstance(lib, Library)
    result = simulate(persona, steps, make_reader(lib), seed=seed or 0, defaults=lib.buyer_defaults)
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        print_transcript(result)
    return 0


def print_transcript(result) -> None:
    d = result.to_dict()
    print(f"# {result.persona.title} ({result.persona.id}), seed {result.seed}")
    for m in d["transcript"]:
        who = result.persona.buyer.name if m["who"] == "buyer" else "客服"
        extra = ""
        if m["who"] == "agent":
            extra = f"   [等了 {m['wait']:.0f} 秒; {', '.join(m['intents']) or '未识别'}]"
        elif m["kind"] != "line":
            extra = f"   [{m['kind']}]"
        print(f"{_mmss(m['time'])} {who}: {m['text']}{extra}")
    outcome = d["outcome"] or "unfinished"
    print(f"结果 outcome: {outcome} (state {d['state']}, mood {d['mood']:.0f}"
          + (f", flags {', '.join(d['flags'])}" if d["flags"] else "") + ")")


def _mmss(t: float) -> str:
    return f"[{int(t // 60):02d}:{t % 60:04.1f}]"


# ---------------------------------------------------------------- graph

def cmd_graph(args) -> int:
    from .engine.graph import to_dot, to_mermaid
    lib = load(args.content)
    persona = _get_persona(lib, args.persona)
    if persona is None:
        return 2
    print(to_dot(persona) if args.format == "dot" else to_mermaid(persona))
    return 0


# ---------------------------------------------------------------- intents

def cmd_intents(content: Path) -> int:
    from .content.model import EVENT_TRIGGERS
    lib = load(content)
    for i in lib.intents:
        example = i.examples[0] if i.examples else ""
        print(f"{i.name:<20} {i.title}" + (f"    例: {example}" if example else ""))
    print("\n事件 events: " + ", ".join(EVENT_TRIGGERS))
    return 0


# ---------------------------------------------------------------- test-scenarios

def cmd_test(content: Path, paths: list[Path]) -> int:
    from .content.testcases import check_case, load_tests, test_files
    from .engine.script import simulate

    lib = load(content)
    reader = make_reader(lib)
    files = paths or test_files(content / "personas")
    if not files:
        print("no test files (*.test.yaml) found")
        return 1
    failed = passed = 0
    for f in files:
        rep, tf = load_tests(f, lib)
        if tf is None:
            print(f"FAIL {f}: the test file has errors")
            print(rep.format())
            failed += 1
            continue
        persona = lib.personas[tf.persona]
        for case in tf.cases:
            result = simulate(persona, list(case.steps), reader, seed=case.seed, defaults=lib.buyer_defaults)
            fails = check_case(result, case.expect)
            label = f"{tf.persona} :: {case.name}"
            c = result.conversation
            if fails:
                failed += 1
                print(f"FAIL {label}: " + "; ".join(fails) + f"  ({tf.path}:{case.line})")
            else:
                passed += 1
                print(f"ok   {label}: {c.outcome} in {c.state}, mood {c.mood:.0f}, {c.vars['turns']:.0f} turns")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0
