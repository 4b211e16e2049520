"""The scoring side of the command line: `check-reply`, and the judge and chat report for `simulate`."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from game.content.diagnostics import did_you_mean

def make_scorer(lib):
    """A Scorer over the library's rubric and intents, or None when the rubric did not load."""
    if getattr(lib, "rubric", None) is None:
        return None
    from game.language.reader import Reader

    from .scorer import Scorer
    return Scorer(lib.rubric, Reader(lib.intents, lib.lexicon), getattr(lib, "situations", None))


def make_judge(lib):
    scorer = make_scorer(lib)
    if scorer is None:
        return None
    from .judge import Judge
    return Judge(scorer)


def chat_report(judge, result):
    """The chat report of a simulation played with ``judge`` (None without a rubric)."""
    if judge is None:
        return None
    from .report import build_report
    return build_report(result.conversation, judge.scorer)


def format_summary(report) -> str:
    from .report import format_report
    return format_report(report)


def _rubric_problems(lib) -> str:
    out = [r.format() for r in lib.reports if r.problems and Path(r.path).parent.name == "rules"]
    return "\n".join(out) or "scenarios/rules/scoring.yaml is missing"


def cmd_check_reply(args) -> int:
    from game.content.loader import load_library

    from .judge import shop_facts
    from .scorer import ReplyContext

    lib = load_library(args.content)
    scorer = make_scorer(lib)
    if scorer is None:
        print("error: the scoring rules did not load:\n" + _rubric_problems(lib), file=sys.stderr)
        return 2
    stages = scorer.config.stages
    if args.stage is not None and args.stage not in stages:
        hint = did_you_mean(args.stage, stages)
        print(f"error: unknown stage '{args.stage}'" + (f"; {hint}" if hint else "")
              + "\nstages: " + ", ".join(stages), file=sys.stderr)
        return 2
    texts = list(args.text or ())
    if args.file is not None:
        try:
            raw = sys.stdin.read() if str(args.file) == "-" else Path(args.file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            print(f"error: cannot read {args.file}: {getattr(exc, 'strerror', None) or exc}", file=sys.stderr)
            return 2
        texts.extend(line.strip() for line in raw.splitlines() if line.strip())
    if not texts:
        print("error: give a reply to check, or --file FILE (one reply per line)", file=sys.stderr)
        return 2
    situation = getattr(args, "situation", None)
    if situation is not None and (not scorer.situations or scorer.situations.get(situation) is None):
        known = scorer.situations.items if scorer.situations else {}
        hint = did_you_mean(situation, known)
        print(f"error: unknown situation '{situation}'" + (f"; {hint}" if hint else "")
              + "\nsituations: " + ", ".join(known), file=sys.stderr)
        return 2
    ctx = ReplyContext(stage=args.stage, first=bool(args.first), buyer=getattr(args, "buyer", None),
                       situation=situation)
    if args.persona:
        try:
            persona = lib.persona(args.persona)
        except LookupError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        ctx.vars, ctx.lists = shop_facts(persona)
    for text in texts:
        res = scorer.score(text, ReplyContext(stage=ctx.stage, first=ctx.first, vars=dict(ctx.vars),
                                              lists=ctx.lists, buyer=ctx.buyer, situation=ctx.situation))
        if args.json:
            print(json.dumps(res.to_dict(), ensure_ascii=False))
        else:
            print(format_reply(res, scorer))
            print()
    return 0


def format_reply(res, scorer) -> str:
    """A readable Chinese report of one checked reply."""
    from .scorer import cut, is_blank

    rub = scorer.rubric
    blank = is_blank(res.text)
    score = "未能评分(错误已记录)" if getattr(res, "unscored", False) else f"{res.score}/100"
    head = f"回复: {'(空白消息,顾客什么也看不到)' if blank else res.text}\n得分: {score}"
    if res.stage:
        head += f"  (阶段: {scorer.config.stages.get(res.stage, res.stage)})"
    lines = [head]
    if res.hits:
        lines.append(f"问题 ({len(res.hits)}):")
        for h in res.hits:  # one per rule, with every place it occurs
            words = "、".join(dict.fromkeys(f"“{cut(res.text[a:b])}”" for a, b in (h.spans or ((h.start, h.end),))
                                            if res.text[a:b].strip()))
            sev = scorer.config.severities.get(h.severity)
            lines.append(f"  ✗ [{rub.category_title(h.category)}·{sev.title if sev else h.severity}] "
                         f"{h.title}" + (f": {words}" if words else "")
                         + (f" (共{h.count}处,按一处扣分)" if h.count > 1 else ""))
            lines.append(f"    原因: {h.why}")
            if h.suggestion != res.rewrite:
                lines.append(f"    建议: {h.suggestion}")
    else:
        lines.append("问题: 无")
    if res.situation and scorer.situations:
        sit = scorer.situations.get(res.situation)
        lines.append(f"买家情境: {sit.title if sit else res.situation}")
        for m in res.moves:
            mark = "✓" if m.met else "·"
            need = "(必做)" if m.move.required else ""
            lines.append(f"  {mark} {m.move.title}{need}" + (f": “{cut(m.text)}”" if m.met and m.text else ""))
    if res.strengths:
        lines.append("优点: " + "; ".join(s.title for s in res.strengths))
    if res.rewrite and res.rewrite != res.text:
        lines.append(f"改写参考: {res.rewrite}")
    return "\n".join(lines)
