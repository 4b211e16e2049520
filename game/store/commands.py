"""The store's command-line commands: history, replay, export, and recording simulated chats."""
from __future__ import annotations

import logging
import os
import sys
import tempfile
from datetime import date, datetime
from pathlib import Path

from .db import Store, StoreError

log = logging.getLogger(__name__)


def open_store(data_dir=None, *, quiet: bool = False) -> Store | None:
    """Open the store, telling the user (stderr) about set-aside files and migrations; None if unusable."""
    try:
        store = Store.open(data_dir)
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return None
    if not quiet:
        for n in store.notices:
            print(f"注意 notice: {n}", file=sys.stderr)
    return store


def _intent_titles(content) -> dict[str, str]:
    """Chinese names of the trainee intents, when the content folder loads; else none."""
    try:
        from game.content.loader import load_intents
        path = Path(content) / "rules" / "intents.yaml"
        if not path.exists():
            return {}
        _, intents = load_intents(path)
        return {i.name: i.title for i in intents if getattr(i, "title", "")}
    except Exception:  # content problems are `validate`'s business, never the history's (logged)
        log.exception("intent titles could not be read for the history")
        return {}


def _diagnosis(content):
    """The content folder's rules/diagnosis.yaml (DiagnosisRules); None (the shipped file) when it has none."""
    try:
        from game.content.loader import load_diagnosis
        path = Path(content) / "rules" / "diagnosis.yaml"
        return load_diagnosis(path)[1] if path.exists() else None
    except Exception:  # as above: never the history's business (logged)
        log.exception("the diagnosis rules could not be read for the history")
        return None


def _profile_arg(name):
    if name is None:
        return None
    from .db import check_profile_name
    return check_profile_name(name)


def cmd_history(args) -> int:
    from .progress import format_history
    try:
        profile = _profile_arg(args.profile)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    store = open_store(args.data_dir)
    if store is None:
        return 2
    with store:
        sessions = store.sessions(profile=profile)
        print(format_history(sessions, profile, recent=args.limit))
        if profile is None and not sessions:
            print(f"(数据文件 data file: {store.path})")
    return 0


def cmd_replay(args) -> int:
    from .replay import run_replay
    if args.speed < 0:
        print("error: --speed 不能为负数 / must not be negative", file=sys.stderr)
        return 2
    store = open_store(args.data_dir)
    if store is None:
        return 2
    if getattr(args, "verify", False):
        with store:
            return _verify(store, args)
    with store:
        try:
            ok = run_replay(store, args.id, sys.stdout, speed=args.speed, intent_titles=_intent_titles(args.content),
                            diagnosis=_diagnosis(args.content))
        except KeyboardInterrupt:
            print("\n已停止回放。")
            return 0
        if not ok:
            print(f"error: 没有编号为 {args.id} 的会话 / no session {args.id} "
                  f"(python main.py history 列出编号)", file=sys.stderr)
            return 2
    return 0


def _verify(store: Store, args) -> int:
    from game.content.loader import load_library
    from game.language.reader import Reader

    from .rerun import rerun
    s = store.session(args.id)
    if s is None:
        print(f"error: 没有编号为 {args.id} 的会话 / no session {args.id}", file=sys.stderr)
        return 2
    lib = load_library(args.content)
    persona = lib.personas.get(s.persona_id)
    if persona is None:
        print(f"error: 内容里已没有买家场景 {s.persona_id} / persona {s.persona_id} is not in {args.content}",
              file=sys.stderr)
        return 2
    msgs = store.messages(s.id)
    r = rerun(s, msgs, persona, Reader(lib.intents, lib.lexicon), defaults=lib.buyer_defaults)
    from .recorder import content_hash
    now_hash = content_hash(persona, lib.root)
    if r.content_changed:
        print(f"注意: 买家场景文件已修改 (记录 {s.persona_digest}, 现在 {persona.digest}) / the persona file changed")
    elif s.content_hash and s.content_hash != now_hash:
        print(f"注意: 店铺或规则文件已修改 (内容 {s.content_hash} → {now_hash}) / the shop or rules files changed")
    if any(m.feedback is not None for m in msgs):
        print("注意: 记录中有评分反馈,重现时没有评分,买家心情可能不同 / recorded with a scorer, rerun without one")
    if r.same:
        print(f"重现一致 ✓ 会话 #{s.id}: {len(msgs)} 条消息,种子 {s.seed} / the session replays identically")
        return 0
    print(f"重现不一致 ✗ 会话 #{s.id} / the session does not replay identically:")
    for d in r.differences[:20]:
        print("  " + d)
    return 1


def parse_since(text: str | None) -> float | None:
    """YYYY-MM-DD (local midnight) as a timestamp; ValueError with a Chinese message otherwise."""
    if text is None:
        return None
    try:
        d = date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"--since 需要日期 YYYY-MM-DD,例如 2024-09-01 / --since wants YYYY-MM-DD, not {text!r}") from None
    return datetime(d.year, d.month, d.day).timestamp()


def write_atomic(path: Path, text: str) -> None:
    """Write via a temporary file beside the target, so an existing report is never half overwritten."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent if str(path.parent) else ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # a report to share, not mkstemp's private 0600
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def cmd_export(args) -> int:
    from .export import to_csv, to_html
    try:
        profile = _profile_arg(args.profile)
        since = parse_since(args.since)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    store = open_store(args.data_dir)
    if store is None:
        return 2
    with store:
        sessions = store.sessions(profile=profile, since=since)
        if args.format == "csv":
            text = to_csv(store, sessions, _diagnosis(args.content))
        else:
            text = to_html(store, sessions, profile=profile, since=args.since,
                           intent_titles=_intent_titles(args.content), diagnosis=_diagnosis(args.content))
    if args.output == "-":
        sys.stdout.write(text.lstrip("\ufeff"))
        return 0
    out = Path(args.output) if args.output else Path(
        f"kefusim-{'report' if args.format == 'html' else 'sessions'}-{datetime.now():%Y%m%d-%H%M}.{args.format}")
    try:
        write_atomic(out, text)
    except OSError as exc:
        print(f"error: 无法写入 {out}: {exc.strerror} / cannot write {out}", file=sys.stderr)
        return 2
    print(f"已导出 {len(sessions)} 次会话到 {out} / exported {len(sessions)} session(s) to {out}")
    return 0


def record_simulation(args, lib, persona, result, report=None) -> int:
    """Store a simulated chat (simulate --record) with its chat report; prints the session id to stderr."""
    from . import default_profile
    from .recorder import SessionRecorder
    try:
        profile = _profile_arg(getattr(args, "profile", None)) or default_profile()
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    store = open_store(getattr(args, "data_dir", None))
    if store is None:
        return 2
    if report is None:
        report = getattr(result, "report", None)
    if report is None:
        try:
            report = result.to_dict().get("report")
        except Exception:  # the chat is still recorded, without its report (logged)
            log.exception("the simulated chat's report could not be serialised")
            report = None
    with store:
        rec = SessionRecorder(store, profile=profile, persona=persona, seed=result.seed, source="simulate",
                              content_root=getattr(lib, "root", None))
        rec.start(result.conversation)
        rec.finish(result.conversation, report)
        rec.close("unfinished")
        if rec.error:
            print(f"error: {rec.error}", file=sys.stderr)
            return 2
        print(f"已记录为会话 #{rec.session_id} / recorded as session {rec.session_id}", file=sys.stderr)
    return 0
