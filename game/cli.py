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
    p.add_argument("--data-dir", type=Path, default=None,
                   help="folder of the records store (default: $KEFUSIM_DATA_DIR, else the user's data folder)")
    sub = p.add_subparsers(dest="command")
    # the store's commands also take --data-dir after the command name
    data = argparse.ArgumentParser(add_help=False)
    data.add_argument("--data-dir", type=Path, default=argparse.SUPPRESS, help="folder of the records store")

    s = sub.add_parser("play", parents=[data], help="open the game window (or play in the terminal with --text)")
    s.add_argument("persona", nargs="?", help="persona id or file; omitted: choose from a list")
    s.add_argument("--text", action="store_true", help="play in the terminal instead of the window (the default where no window can open)")
    s.add_argument("--seed", type=int, default=None)
    s.add_argument("--choices", action="store_true", help="beginner mode: numbered reply choices where the persona has them")
    s.add_argument("--profile", help="trainee name the chat is recorded under (default: the OS user, or 学员)")
    s.add_argument("--no-record", action="store_true", help="do not save this chat in the records store")

    s = sub.add_parser("validate", help="check content files; exit 1 on any error")
    s.add_argument("paths", nargs="*", type=Path, help="files or folders (default: all of the content folder)")

    s = sub.add_parser("simulate", parents=[data], help="play a script of trainee lines against a persona")
    s.add_argument("persona")
    s.add_argument("--script", type=Path, required=True,
                   help="a text script ('+12s 亲,您好' a line), or a .test.yaml file with --case")
    s.add_argument("--case", help="case name inside a .test.yaml script file")
    s.add_argument("--seed", type=int, default=None)
    s.add_argument("--json", action="store_true", help="machine-readable transcript and outcome")
    s.add_argument("--record", action="store_true", help="also save the simulated chat in the records store")
    s.add_argument("--profile", help="with --record: the trainee name to record it under")

    s = sub.add_parser("graph", help="print a persona's state graph")
    s.add_argument("persona")
    s.add_argument("--format", choices=("mermaid", "dot"), default="mermaid")

    s = sub.add_parser("new-persona", help="write a commented starting persona and its test script")
    s.add_argument("--archetype", required=True, help="buyer type, e.g. haggler (see scenarios/rules/buyer.yaml)")
    s.add_argument("--shop", required=True, help="shop id, e.g. dalibai")
    s.add_argument("--product", help="product sku (default: the shop's first product)")
    s.add_argument("--id", dest="pid", help="persona id (default: ARCHETYPE-SHOP-N)")
    s.add_argument("--title", help="Chinese title")
    s.add_argument("--difficulty", type=int, choices=(1, 2, 3), default=1)

    sub.add_parser("intents", help="list the trainee intents a persona can react to, with examples")

    s = sub.add_parser("nlu-test", help="how well the reader understands: cross-validation and a labelled file")
    s.add_argument("file", nargs="?", type=Path, help="labelled replies (YAML: replies: [{text, intents}]); "
                   "e.g. tests/language/heldout_replies.yaml")
    s.add_argument("--folds", type=int, default=5, help="cross-validation folds over the examples (0: none)")
    s.add_argument("--misread", type=int, default=40, help="how many misread lines to print")
    s.add_argument("--fusion", choices=("veto", "union", "rules"), default="veto",
                   help="how phrases and the classifier combine (rules: phrases only, as before)")
    s.add_argument("--json", action="store_true", help="machine-readable figures")

    s = sub.add_parser("judge-test", help="how often the scorer agrees with a team lead on labelled pairs and replies")
    s.add_argument("file", type=Path, help="YAML with pairs (buyer, a, b, better) and singles (buyer, reply, faulty); "
                   "e.g. tests/scoring/judge_heldout.yaml")
    s.add_argument("--show", type=int, default=30, help="how many disagreements to print")
    s.add_argument("--without-buyer", action="store_true",
                   help="score each reply alone, as check-reply without --buyer does (the old scorer)")
    s.add_argument("--json", action="store_true", help="machine-readable figures")

    s = sub.add_parser("train-reader", help="train the reader on the content's examples now "
                       "(otherwise done at start-up and cached)")
    s.add_argument("--ship", action="store_true",
                   help="developers: put the model for the shipped content in assets/models/")

    s = sub.add_parser("test-scenarios", help="run every persona test script beside the personas")
    s.add_argument("paths", nargs="*", type=Path, help="test files (default: all *.test.yaml)")

    s = sub.add_parser("check-reply", help="score replies against the rubric before using them (检查话术)")
    s.add_argument("text", nargs="*", help="replies to check")
    s.add_argument("--file", type=Path, help="a file with one reply per line (- for standard input)")
    s.add_argument("--stage", help="the reception-flow stage the reply answers: greeting, consult, recommend, "
                   "objection, closing, confirm, farewell, after_sales")
    s.add_argument("--persona", help="also check prices, stock and policies against this persona's shop file")
    s.add_argument("--first", action="store_true", help="the reply is the first of the chat")
    s.add_argument("--buyer", help="the buyer's message the reply answers (judged against its situation)")
    s.add_argument("--situation", help="the buyer's situation, instead of reading it from --buyer "
                   "(see scenarios/rules/situations.yaml)")
    s.add_argument("--json", action="store_true", help="one JSON object per reply per line")

    s = sub.add_parser("history", parents=[data], help="the recorded chats: scores and conversion rate (询单转化率)")
    s.add_argument("--profile", help="one trainee (default: everyone)")
    s.add_argument("--limit", type=int, default=10, help="how many recent sessions to list (default 10)")

    s = sub.add_parser("replay", parents=[data], help="replay a recorded chat with its timing and feedback")
    s.add_argument("id", type=int, help="session number (see history)")
    s.add_argument("--speed", type=float, default=1.0, help="1 = real time, 4 = four times faster, 0 = at once")
    s.add_argument("--verify", action="store_true",
                   help="instead: play the trainee's lines again (same seed, current content) and compare")

    s = sub.add_parser("export", parents=[data], help="a trainer report (HTML) or a table (CSV) of recorded chats")
    s.add_argument("--format", choices=("html", "csv"), default="html")
    s.add_argument("--profile", help="one trainee (default: everyone)")
    s.add_argument("--since", help="only chats started on or after this date, YYYY-MM-DD")
    s.add_argument("-o", "--output", help="file to write (default: kefusim-report-DATE.html / .csv here; - for stdout)")

    s = sub.add_parser("host", parents=[data], help="open a classroom on the LAN: a join code, rounds, a live leaderboard")
    s.add_argument("--port", type=int, default=8765, help="port students connect to (default 8765; 0: any free port)")
    s.add_argument("--bind", default="0.0.0.0", help="address to listen on (default: all; 127.0.0.1: this machine only)")
    s.add_argument("--persona", action="append", help="persona id of the round (repeat for a shift of several buyers)")
    s.add_argument("--lesson", help="lesson id: the round plays one of its steps (see --step)")
    s.add_argument("--step", type=int, default=1, help="with --lesson: step number, from 1 (default 1)")
    s.add_argument("--mode", choices=("practice", "exam"), default="practice")
    s.add_argument("--roleplay", action="store_true", help="students in pairs: one plays the buyer, one the agent")
    s.add_argument("--max-clients", type=int, default=60, help="students the room admits (default 60)")
    s.add_argument("--no-record", action="store_true", help="do not save the students' chats in the records store")

    s = sub.add_parser("join", help="join a trainer's classroom: python main.py join HOST[:PORT] --name NAME --code CODE")
    s.add_argument("address", help="the trainer's address as shown by `host`, e.g. 192.168.1.5:8765")
    s.add_argument("--name", required=True, help="your name in the room (Chinese, letters, digits, space, _ -)")
    s.add_argument("--code", required=True, help="the room's six-digit join code")
    return p


def main(argv: list[str] | None = None) -> int:
    _utf8_stdio()
    args = build_parser().parse_args(argv)
    cmd = args.command or "play"
    if cmd in ("play", "host", "join"):
        from .logsetup import log_to_data_dir
        log_to_data_dir(getattr(args, "data_dir", None))  # errors the game survives are written down
    if cmd == "play":
        if getattr(args, "text", False) or not _window_possible():
            from .textplay import play
            return play(args.content, getattr(args, "persona", None), getattr(args, "seed", None),
                        getattr(args, "choices", False), profile=getattr(args, "profile", None),
                        data_dir=args.data_dir, record=not getattr(args, "no_record", False))
        from .ui.app import run_game
        return run_game(args.content, getattr(args, "data_dir", None), persona=getattr(args, "persona", None),
                        seed=getattr(args, "seed", None), profile=getattr(args, "profile", None),
                        record=not getattr(args, "no_record", False), choices=getattr(args, "choices", False))
    if cmd == "validate":
        return cmd_validate(args.content, args.paths)
    if cmd in ("history", "replay", "export"):
        from .store import commands
        return getattr(commands, f"cmd_{cmd}")(args)
    if cmd == "simulate":
        return cmd_simulate(args)
    if cmd == "check-reply":
        from .scoring.cli import cmd_check_reply
        return cmd_check_reply(args)
    if cmd == "graph":
        return cmd_graph(args)
    if cmd == "test-scenarios":
        return cmd_test(args.content, args.paths)
    if cmd == "intents":
        return cmd_intents(args.content)
    if cmd == "nlu-test":
        return cmd_nlu_test(args)
    if cmd == "train-reader":
        return cmd_train_reader(args)
    if cmd == "judge-test":
        return cmd_judge_test(args)
    if cmd in ("host", "join"):
        from .classroom import cli as classroom_cli
        return getattr(classroom_cli, f"cmd_{cmd}")(args)
    if cmd == "new-persona":
        from .content.newpersona import new_persona
        return new_persona(load(args.content), args.archetype, args.shop, args.product, args.pid, args.title,
                           args.difficulty)
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


def load(content: Path, persona: str | None = None):
    """The content library; a persona given as a file outside it is loaded beside it."""
    from .content.loader import load_library
    extra = [Path(persona)] if persona and Path(persona).is_file() and \
        Path(persona).resolve().parent != (Path(content) / "personas").resolve() else None
    return load_library(content, extra_personas=extra)


def make_reader(lib):
    from .language.reader import Reader
    return Reader(lib.intents, lib.lexicon)


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

    lib = load(args.content, args.persona)
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
    from .scoring.cli import chat_report, format_summary, make_judge
    judge = make_judge(lib)
    result = simulate(persona, steps, make_reader(lib), seed=seed or 0, defaults=lib.buyer_defaults, judge=judge)
    report = chat_report(judge, result)
    if args.json:
        print(json.dumps({**result.to_dict(), "report": report.to_dict() if report else None},
                         ensure_ascii=False, indent=2))
    else:
        print_transcript(result)
        if report is not None:
            print(format_summary(report))
    if getattr(args, "record", False):
        from .store.commands import record_simulation
        return record_simulation(args, lib, persona, result, report)
    return 0


def print_transcript(result) -> None:
    d = result.to_dict()
    print(f"# {result.persona.title} ({result.persona.id}), seed {result.seed}")
    for m in d["transcript"]:
        who = result.persona.buyer.name if m["who"] == "buyer" else "客服"
        extra = ""
        if m["who"] == "agent":
            # a message left for a buyer who is away, or a second message in a row, kept nobody waiting
            when = ("留言" if m["kind"] == "message" else
                    f"等了 {m['wait']:.0f} 秒" if m["wait"] or m.get("first") else "接着说")
            extra = f"   [{when}; {', '.join(m['intents']) or '未识别'}]"
        elif m["kind"] != "line":
            extra = f"   [{m['kind']}]"
        print(f"{_mmss(m['time'])} {who}: {m['text']}{extra}")
    outcome = d["outcome"] or "unfinished"
    print(f"结果 outcome: {outcome} (state {d['state']}, mood {d['mood']:.0f}"
          + (f", flags {', '.join(d['flags'])}" if d["flags"] else "") + ")")


def _mmss(t: float) -> str:
    t = round(t, 1)  # 59.97 s is 01:00.0, not 00:60.0
    return f"[{int(t // 60):02d}:{t % 60:04.1f}]"


# ---------------------------------------------------------------- graph

def cmd_graph(args) -> int:
    from .engine.graph import to_dot, to_mermaid
    lib = load(args.content, args.persona)
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


# ---------------------------------------------------------------- nlu-test

def cmd_nlu_test(args) -> int:
    from .language import evaluate
    from .language.reader import Reader

    lib = load(args.content)
    if not lib.intents:
        print("error: no intents loaded (scenarios/rules/intents.yaml missing or broken)", file=sys.stderr)
        return 1
    result: dict = {}
    if args.folds and args.folds > 1:
        cv = evaluate.cross_validate(lib.intents, lib.lexicon, folds=args.folds, fusion=args.fusion)
        result["cross_validation"] = cv.as_dict()
        if not args.json:
            n = len({t for i in lib.intents for t in i.examples + i.replies})
            print(evaluate.format_scores(f"Cross-validation: {args.folds} folds over {n} examples and replies", cv, args.misread))
            print()
    if args.file:
        reader = Reader(lib.intents, lib.lexicon, fusion=args.fusion)
        try:
            items = evaluate.load_labelled(args.file, reader.intent_names)
        except (OSError, ValueError, yaml_error()) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        s = evaluate.score(reader, items)
        result["file"] = {"path": str(args.file), **s.as_dict()}
        if not args.json:
            print(evaluate.format_scores(f"Labelled replies: {args.file}", s, args.misread))
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
    return 0


def cmd_judge_test(args) -> int:
    from .scoring import judgetest
    from .scoring.cli import make_scorer

    lib = load(args.content)
    scorer = make_scorer(lib)
    if scorer is None:
        print("error: the scoring rules did not load (python main.py validate)", file=sys.stderr)
        return 1
    try:
        pairs, singles = judgetest.load_judge_set(args.file)
    except (OSError, ValueError, yaml_error()) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    s = judgetest.judge(scorer, pairs, singles, lib.shops, use_buyer=not args.without_buyer)
    if args.json:
        print(json.dumps(s.as_dict(), ensure_ascii=False, indent=1))
    else:
        print(judgetest.format_judge(args.file, s, args.show))
    return 0


def cmd_train_reader(args) -> int:
    import time

    from .language import learned

    lib = load(args.content)
    t0 = time.perf_counter()
    reader = make_reader(lib)
    model = reader.model
    if model is None:
        print("error: no intents with examples to learn from", file=sys.stderr)
        return 1
    print(f"reader ready in {time.perf_counter() - t0:.1f} s: {len(model.names)} intents, "
          f"{len(model.vocab)} features, model {model.digest}")
    situations = lib.situations
    if situations:
        situations.build(reader.encoder, reader.design)
        sm = situations._model
        if sm is not None:
            print(f"buyer situations ready: {len(sm.names)} situations, model {sm.digest}")
    if args.ship:
        learned.SHIPPED_DIR.mkdir(parents=True, exist_ok=True)
        for prefix, m in (("intents", model), ("situations", situations._model if situations else None)):
            if m is None:
                continue
            for old in learned.SHIPPED_DIR.glob(f"{prefix}-*.npz"):
                old.unlink()
            path = learned.SHIPPED_DIR / learned.model_file(m.digest, prefix)
            m.save(path)
            print(f"shipped: {path.relative_to(ROOT)}")
    return 0


def yaml_error():
    import yaml
    return yaml.YAMLError


# ---------------------------------------------------------------- test-scenarios

def cmd_test(content: Path, paths: list[Path]) -> int:
    from .content.testcases import check_case, load_tests, test_files
    from .engine.script import simulate
    from .scoring.cli import chat_report, make_judge

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
            judge = make_judge(lib)
            result = simulate(persona, list(case.steps), reader, seed=case.seed, defaults=lib.buyer_defaults,
                              judge=judge)
            report = chat_report(judge, result)
            fails = check_case(result, case.expect, report.total if report else None)
            label = f"{tf.persona} :: {case.name}"
            c = result.conversation
            total = f", total {report.total:.0f} ({report.grade})" if report else ""
            if fails:
                failed += 1
                print(f"FAIL {label}: " + "; ".join(fails) + f"{total}  ({tf.path}:{case.line})")
            else:
                passed += 1
                print(f"ok   {label}: {c.outcome} in {c.state}, mood {c.mood:.0f}, {c.vars['turns']:.0f} turns{total}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0
