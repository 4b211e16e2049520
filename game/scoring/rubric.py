"""Loading the rubric (scenarios/rules/rubric*.yaml) and the scoring config (scenarios/rules/scoring.yaml).

Every problem is reported as `path:line:col: message` through game.content's Report. A bad rule is
reported and skipped; the other rules still load, so one typo never stops the game.
"""
from __future__ import annotations

import re
from pathlib import Path

from game.content import conditions, patterns
from game.content.diagnostics import Mark, Report, unknown
from game.content.loader import _read, load_buyer_defaults
from game.content.model import BuyerDefaults
from game.content.schema import Shape, found_name, is_type
from game.content.yamlpos import PosDict, PosList
from game.language.normalize import compact_phrase

from .model import (CHECKS, CONTEXT_LISTS, CONTEXT_VARS, PLACEHOLDER, SEVERITIES, SPECIAL_GROUPS, Cap, Example, Flow,
                    FlowStage, Grade, Rubric, Rule, ScoringConfig, Severity, StrengthDef)

RULE_ID = re.compile(r"^[a-z0-9][a-z0-9_]*$")
CONFIG_NAME = "scoring.yaml"
RUBRIC_GLOB = "rubric*.yaml"

_RULE_KEYS = {
    "id": str, "category": str, "severity": str, "title": str, "why": str, "rewrite": str, "source": str,
    "phrases": list, "patterns": list, "whole": list, "absent": list, "check": str, "expect_intents": list,
    "stages": list, "first": bool, "min_chars": int, "except": list, "unless_before": list, "if_before": list,
    "unless_clause": list, "unless": list, "negatable": bool, "when": str, "replace": dict, "prefix": str, "suffix": str,
    "max_score": float, "examples": list, "counter_examples": list, "intents": list, "denials": dict, "topics": dict,
    "unless_intents": list, "unless_buyer": list, "unless_said": list, "if_buyer": list, "buyer_asks": list, "option_marks": list, "option_words": list,
}
# The seconds a buyer waits come from buyer.yaml `patience` (the engine's clock), never from scoring.yaml.
_PATIENCE_KEYS = ("first_reply", "golden", "reply")
# check question_ignored: words no question is about, the address before an answer, and how a yes or a no begins
_TOPIC_KEYS = ("not_topic", "lead", "answer_starts", "answer_within", "alike")
_EXAMPLE_KEYS = {"text": str, "stage": str, "first": bool, "wait": float, "typing_seconds": float,
                 "previous": list, "others": list, "facts": dict, "buyer": str}
_STRENGTH_KEYS = {"id": str, "title": str, "intents": list, "phrases": list, "patterns": list,
                  "raw_patterns": list, "check": str, "if_before": list, "politeness": bool}


def is_config(path: Path) -> bool:
    return path.parent.name == "rules" and path.name == CONFIG_NAME


def is_rubric(path: Path) -> bool:
    return path.parent.name == "rules" and path.name.startswith("rubric") and path.suffix == ".yaml"


# ---------------------------------------------------------------- config

def load_config(path: Path, intents=None) -> tuple[Report, ScoringConfig | None]:
    report, d = _read(path)
    if d is None:
        return report, None
    sh = Shape(report)
    sh.keys(d, "the scoring config", {
        "version": None, "severities": dict, "mood": dict, "categories": dict, "timing": dict, "repetition": dict,
        "dimensions": dict, "caps": list, "grades": list, "stages": dict, "flows": dict,
        "after_sales_archetypes": list, "closing": dict, "polite_share_penalty": float, "missing_stage_why": str,
        "substance": dict,
    }, required=("severities", "categories", "timing", "dimensions", "grades", "stages", "flows"))
    sh.version(d)

    sev: dict[str, Severity] = {}
    sm = d.get("severities")
    if isinstance(sm, PosDict):
        for name, spec in sm.items():
            if name not in SEVERITIES:
                report.error(sm.key_mark(name), *unknown("severity", name, SEVERITIES))
                continue
            if sh.mapping(spec, sm.value_mark(name), f"severity '{name}'") and sh.keys(
                    spec, f"severity '{name}'", {"title": str, "reply": float, "chat": float, "mood": float,
                                                "fault": bool, "voids_stage": bool},
                    required=("title", "reply", "chat", "mood")) and all(k in spec for k in ("title", "reply", "chat", "mood")):
                sev[name] = Severity(name, spec["title"], float(spec["reply"]), float(spec["chat"]), float(spec["mood"]),
                                     fault=bool(spec.get("fault", True)),
                                     voids_stage=bool(spec.get("voids_stage", False)))
        for name in SEVERITIES:
            if name not in sev and name not in sm:
                report.error(sm.mark, f"severity '{name}' is missing from 'severities'")

    dims: dict[str, tuple[str, float]] = {}
    dm = d.get("dimensions")
    if isinstance(dm, PosDict):
        for name, spec in dm.items():
            if sh.mapping(spec, dm.value_mark(name), f"dimension '{name}'") and sh.keys(
                    spec, f"dimension '{name}'", {"title": str, "weight": float}, required=("title", "weight")):
                w = sh.number(spec, "weight", f"dimension '{name}'", lo=0)
                if "title" in spec and w is not None:
                    dims[str(name)] = (spec["title"], float(w))
        if dims and not sum(w for _, w in dims.values()):
            report.error(dm.mark, "the dimension weights add up to 0")

    cats: dict[str, tuple[str, str]] = {}
    unfelt = set()
    tone = set()
    cm = d.get("categories")
    if isinstance(cm, PosDict):
        for name, spec in cm.items():
            if not RULE_ID.match(str(name)):
                report.error(cm.key_mark(name), f"category name '{name}' must be lower-case letters, digits or _")
            if sh.mapping(spec, cm.value_mark(name), f"category '{name}'") and sh.keys(
                    spec, f"category '{name}'", {"title": str, "dimension": str, "felt": bool, "tone": bool},
                    required=("title", "dimension")):
                if spec.get("felt") is False:
                    unfelt.add(str(name))
                if spec.get("tone") is True:
                    tone.add(str(name))
                dim = spec.get("dimension")
                if isinstance(dim, str) and dims and dim not in dims:
                    report.error(spec.value_mark("dimension"), *unknown("dimension", dim, dims))
                elif "title" in spec and isinstance(dim, str):
                    cats[str(name)] = (spec["title"], dim)

    timing: dict[str, object] = {}
    tm = d.get("timing")
    t_keys = {"patience": str, "typing_cpm": float, "typing_min_chars": int,
              "overlong_chars": int, "unanswered_penalty": float, "unanswered_title": str, "unanswered_why": str,
              "unanswered_rewrite": str, "pending_title": str, "pending_why": str}
    if isinstance(tm, PosDict):
        for k in _PATIENCE_KEYS:
            if k in tm:
                report.error(tm.key_mark(k), f"'{k}' does not belong in 'timing'",
                             "the seconds a buyer waits are set once, in buyer.yaml 'patience'; "
                             "'timing' names that file with 'patience: buyer.yaml'")
        sh.keys(tm, "'timing'", {**t_keys, **{k: None for k in _PATIENCE_KEYS}}, required=tuple(k for k in t_keys))
        for k, t in t_keys.items():
            if t is str:
                if isinstance(tm.get(k), str):
                    timing[k] = tm[k]
            else:
                v = sh.number(tm, k, "'timing'", lo=0)
                if v is not None:
                    timing[k] = float(v)
        src = tm.get("patience")
        if isinstance(src, str):
            bpath = path.parent / src
            if not bpath.is_file():
                report.error(tm.value_mark("patience"), f"'{src}' is not a file beside {path.name}",
                             "name the buyer rules file, e.g. 'patience: buyer.yaml'")
            else:
                brep, bd = load_buyer_defaults(bpath)
                if not brep.ok:
                    report.error(tm.value_mark("patience"), f"{bpath.name} has errors; fix it first")
                for k in _PATIENCE_KEYS:
                    timing[k] = float(getattr(bd, k))
    for k in _PATIENCE_KEYS:
        timing.setdefault(k, float(getattr(BuyerDefaults(), k)))

    rep = {"similarity": 0.8, "min_chars": 5.0, "lookback": 6.0}
    rm = d.get("repetition")
    if isinstance(rm, PosDict):
        sh.keys(rm, "'repetition'", {"similarity": float, "min_chars": int, "lookback": int})
        for k, hi in (("similarity", 1), ("min_chars", None), ("lookback", None)):
            v = sh.number(rm, k, "'repetition'", lo=0, hi=hi)
            if v is not None:
                rep[k] = float(v)

    stages: dict[str, str] = {}
    stm = d.get("stages")
    if isinstance(stm, PosDict):
        for name, spec in stm.items():
            if sh.mapping(spec, stm.value_mark(name), f"stage '{name}'") and sh.keys(
                    spec, f"stage '{name}'", {"title": str}, required=("title",)) and "title" in spec:
                stages[str(name)] = spec["title"]

    flows = _flows(d.get("flows"), report, sh, stages, intents)

    caps: list[Cap] = []
    cl = d.get("caps")
    if isinstance(cl, PosList):
        for i, c in enumerate(cl):
            where = f"cap {i + 1}"
            if not sh.mapping(c, cl.item_mark(i), where):
                continue
            if not sh.keys(c, where, {"category": str, "severity": str, "rule": str, "outcome": str, "max": float,
                                      "why": str}, required=("max", "why")):
                continue
            if not any(k in c for k in ("category", "rule", "outcome")):
                report.error(c.mark, f"{where} needs 'category', 'rule' or 'outcome'")
                continue
            if "category" in c and cats and c["category"] not in cats:
                report.error(c.value_mark("category"), *unknown("category", c["category"], cats))
            if "severity" in c and c["severity"] not in SEVERITIES:
                report.error(c.value_mark("severity"), *unknown("severity", c["severity"], SEVERITIES))
            mx = sh.number(c, "max", where, lo=0, hi=100)
            if mx is not None and "why" in c:
                caps.append(Cap(float(mx), c["why"], c.get("category"), c.get("severity"), c.get("rule"),
                                c.get("outcome")))

    grades: list[Grade] = []
    gl = d.get("grades")
    if isinstance(gl, PosList):
        for i, g in enumerate(gl):
            where = f"grade {i + 1}"
            if sh.mapping(g, gl.item_mark(i), where) and sh.keys(
                    g, where, {"min": float, "grade": str, "label": str}, required=("min", "grade", "label")) \
                    and all(k in g for k in ("min", "grade", "label")):
                grades.append(Grade(float(g["min"]), g["grade"], g["label"]))
        if grades and min(g.min for g in grades) > 0:
            report.error(gl.mark, "the lowest grade must start at 0", "add a band with 'min: 0'")

    closing: dict[str, object] = {}
    cm2 = d.get("closing")
    c_keys = {"outcome": dict, "depth_penalty": float, "max_concessions": int, "extra_concession_penalty": float,
              "upsell_bonus": float, "upsell_phrases": list, "refund_penalty": float, "compensation_penalty": float}
    if isinstance(cm2, PosDict):
        sh.keys(cm2, "'closing'", c_keys)
        for k, t in c_keys.items():
            if k not in cm2:
                continue
            if k == "outcome" and isinstance(cm2[k], PosDict):
                om = cm2[k]
                out = {}
                for o, v in om.items():
                    if not is_type(v, float):
                        report.error(om.value_mark(o), f"outcome score of '{o}' must be a number, not {found_name(v)}")
                    else:
                        out[str(o)] = float(v)
                closing[k] = out
            elif k == "upsell_phrases":
                closing[k] = tuple(compact_phrase(p) for p in sh.text_list(cm2, k, "'closing'", allow_scalar=False))
            elif t is not dict:
                v = sh.number(cm2, k, "'closing'", lo=0)
                if v is not None:
                    closing[k] = float(v)

    bonus = 1.0
    mm = d.get("mood")
    if isinstance(mm, PosDict):
        sh.keys(mm, "'mood'", {"polite_bonus": float})
        bonus = float(sh.number(mm, "polite_bonus", "'mood'", lo=0, hi=20, default=1.0))

    share = float(sh.number(d, "polite_share_penalty", "the scoring config", lo=0, hi=100, default=0) or 0)
    substance = {"span": 40.0, "extra_span": 12.0, "detail_span": 10.0, "warmth": 6.0, "missing_why": "{title}"}
    sm2 = d.get("substance")
    if isinstance(sm2, PosDict):
        sh.keys(sm2, "'substance'", {"span": float, "extra_span": float, "detail_span": float, "warmth": float,
                                     "sure": float, "meaning_floor": float, "step_credit": float, "courtesy": list, "missing_why": str, "monologue_chars": int,
                                     "monologue_topics": int, "topic_chars": int, "list_items": int, "list_chars": int,
                                     "steps": list, "detail_steps": list,
                                     "caps": dict})
        for k in ("span", "extra_span", "detail_span", "warmth"):
            v = sh.number(sm2, k, "'substance'", lo=0, hi=100)
            if v is not None:
                substance[k] = float(v)
        for k in ("sure", "meaning_floor", "step_credit"):
            v = sh.number(sm2, k, "'substance'", lo=0, hi=1)
            if v is not None:
                substance[k] = float(v)
        for k in ("monologue_chars", "monologue_topics", "topic_chars", "list_items", "list_chars"):
            v = sh.number(sm2, k, "'substance'", lo=1, hi=10000)
            if v is not None:
                substance[k] = int(v)
        cm3 = sm2.get("caps")
        if isinstance(cm3, PosDict):
            caps_by_sev = {}
            for k, v in cm3.items():
                if k not in SEVERITIES:
                    report.error(cm3.key_mark(k), *unknown("severity", str(k), SEVERITIES))
                elif isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= 100:
                    report.error(cm3.value_mark(k), f"'substance.caps.{k}' must be a number from 0 to 100")
                else:
                    caps_by_sev[k] = float(v)
            substance["caps"] = caps_by_sev
        steps = sh.text_list(sm2, "steps", "'substance'", allow_scalar=False)
        if intents is not None:
            for i, it in enumerate(steps):
                if it not in intents:
                    report.error(sm2["steps"].item_mark(i), *unknown("intent", it, intents))
        substance["steps"] = steps
        substance["detail_steps"] = sh.text_list(sm2, "detail_steps", "'substance'", allow_scalar=False)
        substance["courtesy"] = sh.text_list(sm2, "courtesy", "'substance'", allow_scalar=False)
        if isinstance(sm2.get("missing_why"), str):
            substance["missing_why"] = sm2["missing_why"]
    arche = sh.text_list(d, "after_sales_archetypes", "the scoring config", allow_scalar=False)
    if not report.ok:
        return report, None
    return report, ScoringConfig(
        severities=sev, categories=cats, dimensions=dims, timing=timing, repetition=rep, caps=tuple(caps),
        grades=tuple(grades), stages=stages, flows=flows, after_sales_archetypes=arche, closing=closing,
        polite_bonus=bonus, polite_share_penalty=share, unfelt=frozenset(unfelt), tone=frozenset(tone),
        missing_stage_why=str(d.get("missing_stage_why", "{stage}")), substance=substance, path=report.path)


def _flows(fm, report: Report, sh: Shape, stages: dict[str, str], intents) -> dict[str, Flow]:
    flows: dict[str, Flow] = {}
    if not isinstance(fm, PosDict):
        return flows
    known_intents = set(intents) if intents else None
    for name, spec in fm.items():
        where = f"flow '{name}'"
        if not sh.mapping(spec, fm.value_mark(name), where):
            continue
        sh.keys(spec, where, {"title": str, "order_penalty": float, "required": list, "stages": list},
                required=("title", "stages", "required"))
        fstages: list[FlowStage] = []
        sl = spec.get("stages")
        if isinstance(sl, PosList):
            for i, s in enumerate(sl):
                sw = f"stage {i + 1} of {where}"
                if not sh.mapping(s, sl.item_mark(i), sw):
                    continue
                sh.keys(s, sw, {"stage": str, "intents": list, "weight": float, "model": str, "place": str,
                                "anytime": bool},
                        required=("stage", "intents"))
                st = s.get("stage")
                if isinstance(st, str) and st not in stages:
                    report.error(s.value_mark("stage"), *unknown("stage", st, stages))
                    continue
                ints = sh.text_list(s, "intents", sw, allow_scalar=False)
                il = s.get("intents")
                if known_intents is not None and isinstance(il, PosList):
                    for j, it in enumerate(il):
                        if str(it) not in known_intents:
                            report.error(il.item_mark(j), *unknown("intent", it, known_intents))
                place = s.get("place", "after")
                if place not in ("before", "after"):
                    report.error(s.value_mark("place"), f"'place' in {sw} must be 'before' or 'after', not '{place}'")
                w = sh.number(s, "weight", sw, lo=0, default=0)
                if isinstance(s.get("model"), str):
                    _check_placeholders(report, s, "model", sw)
                if isinstance(st, str):
                    fstages.append(FlowStage(st, ints, float(w or 0), str(s.get("model", "")), str(place),
                                             bool(s.get("anytime", False))))
        names = {s.stage for s in fstages}
        req: list[tuple[str, ...]] = []
        rl = spec.get("required")
        if isinstance(rl, PosList):
            for j, item in enumerate(rl):
                alts = tuple(a.strip() for a in str(item).split("|") if a.strip())
                for a in alts:
                    if a not in names:
                        report.error(rl.item_mark(j), f"required stage '{a}' is not a stage of {where}")
                req.append(alts)
        flows[str(name)] = Flow(str(name), str(spec.get("title", name)), tuple(fstages), tuple(req),
                                float(sh.number(spec, "order_penalty", where, lo=0, default=10)))
    if "sale" not in flows and not report.errors:
        report.error(fm.mark, "'flows' needs a flow named 'sale'")
    return flows


# ---------------------------------------------------------------- rules

def _check_placeholders(report: Report, d: PosDict, key: str, where: str) -> None:
    """`{name|default}` in a rewrite or model sentence: a known shop fact, with a default for a chat without a shop."""
    known = CONTEXT_VARS + CONTEXT_LISTS
    for m in PLACEHOLDER.finditer(d[key]):
        if m.group(1) not in known:
            msg, hint = unknown("placeholder", m.group(1), known)
            report.error(d.value_mark(key), f"{msg} in '{key}' of {where}", hint)
        elif m.group(2) is None:
            report.error(d.value_mark(key), f"placeholder {{{m.group(1)}}} in '{key}' of {where} needs a default",
                         f"write {{{m.group(1)}|…}}: the text used when the chat has no shop")
    rest = PLACEHOLDER.sub("", d[key])
    if "{" in rest or "}" in rest:
        report.error(d.value_mark(key), f"unmatched brace in '{key}' of {where}",
                     "placeholders look like {colors|白色、粉色}")


def _compile(report: Report, lst, i: int, where: str, flags=0) -> re.Pattern | None:
    try:
        patterns.check(str(lst[i]), flags)
        return re.compile(str(lst[i]), flags)
    except re.error as exc:
        m = lst.item_mark(i)
        report.error(Mark(m.line, m.col + (exc.pos or 0)), f"bad pattern in {where}: {exc.msg}")
    except (patterns.UnsafePattern, RecursionError) as exc:
        report.error(lst.item_mark(i), f"unsafe pattern in {where}: {exc}", patterns.HINT)
    return None


def _compiled(report: Report, lst, where: str) -> list[re.Pattern]:
    """The patterns of a rule's list that compile and are safe (the others are reported)."""
    if not isinstance(lst, PosList):
        return []
    return [p for p in (_compile(report, lst, i, where) for i in range(len(lst))) if p is not None]


def _compacts(sh: Shape, d: PosDict, key: str, where: str) -> tuple[str, ...]:
    out = []
    for t in sh.text_list(d, key, where, allow_scalar=False):
        c = compact_phrase(t)
        if not c:
            lst = d[key]
            idx = [str(x) for x in lst].index(t) if isinstance(lst, PosList) and t in map(str, lst) else None
            sh.r.error(lst.item_mark(idx) if idx is not None else d.value_mark(key),
                       f"'{t}' in '{key}' of {where} has no letters or digits to match")
        else:
            out.append(c)
    return tuple(dict.fromkeys(out))


# shop-file lists an example's `facts:` may give as a list of texts
_LIST_FACTS = ("sizes", "colors", "weak_points", "materials", "gifts", "others")


def _examples(report: Report, sh: Shape, d: PosDict, key: str, where: str, stages) -> tuple[Example, ...]:
    lst = d.get(key)
    if lst is None:
        return ()
    if not isinstance(lst, PosList):
        report.error(d.value_mark(key), f"'{key}' in {where} must be a list, not {found_name(lst)}")
        return ()
    out = []
    for i, item in enumerate(lst):
        m = lst.item_mark(i)
        if isinstance(item, (str, int, float)) and not isinstance(item, bool):
            if str(item).strip():
                out.append(Example(str(item), line=m.line))
            else:
                report.error(m, f"item {i + 1} of '{key}' in {where} is empty")
            continue
        ew = f"item {i + 1} of '{key}' in {where}"
        if not sh.mapping(item, m, ew) or not sh.keys(item, ew, _EXAMPLE_KEYS, required=("text",)):
            continue
        if "text" not in item:
            continue
        st = item.get("stage")
        if st is not None and st not in stages:
            report.error(item.value_mark("stage"), *unknown("stage", st, stages))
        facts = []
        fm = item.get("facts")
        if isinstance(fm, PosDict):
            for k, v in fm.items():
                if k in _LIST_FACTS:
                    facts.append((k, tuple(str(x) for x in v) if isinstance(v, list) else (str(v),)))
                elif k == "couriers" and isinstance(v, PosDict):
                    facts.append((k, tuple((str(a), float(b)) for a, b in v.items() if is_type(b, float))))
                elif k in CONTEXT_VARS and is_type(v, float):
                    facts.append((k, float(v)))
                else:
                    report.error(fm.key_mark(k), f"unknown fact '{k}' in {ew}",
                                 "facts are " + ", ".join(CONTEXT_VARS + _LIST_FACTS + ("couriers",)))
        out.append(Example(
            text=item["text"], stage=st, first=bool(item.get("first", False)),
            wait=float(item["wait"]) if is_type(item.get("wait"), float) else None,
            typing_seconds=float(item["typing_seconds"]) if is_type(item.get("typing_seconds"), float) else None,
            previous=sh.text_list(item, "previous", ew, allow_scalar=False),
            others=sh.text_list(item, "others", ew, allow_scalar=False),
            facts=tuple(facts), line=m.line,
            buyer=str(item["buyer"]) if isinstance(item.get("buyer"), str) else None))
    return tuple(out)


def _rule(report: Report, sh: Shape, r: PosDict, where: str, config: ScoringConfig, intents) -> Rule | None:
    before = len(report.errors)
    sh.keys(r, where, _RULE_KEYS, required=("id", "category", "severity", "title", "why", "rewrite", "examples",
                                            "counter_examples"))
    rid = r.get("id")
    if isinstance(rid, str) and not RULE_ID.match(rid):
        report.error(r.value_mark("id"), f"rule id '{rid}' must be lower-case letters, digits or _")
    cat = r.get("category")
    if isinstance(cat, str) and cat not in config.categories:
        report.error(r.value_mark("category"), *unknown("category", cat, config.categories))
    sev = r.get("severity")
    if isinstance(sev, str) and sev not in SEVERITIES:
        report.error(r.value_mark("severity"), *unknown("severity", sev, SEVERITIES))
    for k in ("title", "why", "rewrite"):
        if isinstance(r.get(k), str) and not r[k].strip():
            report.error(r.value_mark(k), f"'{k}' in {where} is empty")
    if isinstance(r.get("rewrite"), str):
        _check_placeholders(report, r, "rewrite", where)
    why = r.get("why")
    if isinstance(why, str) and re.search(r"[。!?！？].", why.strip()):
        report.warning(r.value_mark("why"), f"'why' in {where} should be one sentence")

    patterns = _compiled(report, r.get("patterns"), where)
    asks = _compiled(report, r.get("buyer_asks"), where)
    whole = frozenset(_compacts(sh, r, "whole", where))
    phrases = _compacts(sh, r, "phrases", where)
    absent = _compacts(sh, r, "absent", where)
    check = r.get("check")
    if isinstance(check, str) and check not in CHECKS:
        report.error(r.value_mark("check"), *unknown("check", check, CHECKS))
        check = None
    st_list = sh.text_list(r, "stages", where, allow_scalar=False)
    sl = r.get("stages")
    for i, s in enumerate(st_list):
        if s not in config.stages:
            report.error(sl.item_mark(i), *unknown("stage", s, config.stages))
    exp = sh.text_list(r, "expect_intents", where, allow_scalar=False)
    if intents is not None:
        el = r.get("expect_intents")
        for i, it in enumerate(exp):
            if it not in intents:
                report.error(el.item_mark(i), *unknown("intent", it, intents))
    denials = []
    dm = r.get("denials")
    if isinstance(dm, PosDict):
        for k, v in dm.items():
            words = tuple(compact_phrase(str(x)) for x in v) if isinstance(v, list) else ()
            if not words or not all(words) or not compact_phrase(str(k)):
                report.error(dm.value_mark(k), f"'denials' of '{k}' in {where} must be a list of words",
                             "e.g. 掉色: [不掉色, 不会掉色]")
                continue
            denials.append((compact_phrase(str(k)), words))
    topics = []
    tm = r.get("topics")
    if isinstance(tm, PosDict):
        for k, v in tm.items():
            words = tuple(compact_phrase(str(x)) for x in v) if isinstance(v, list) else ()
            if k not in _TOPIC_KEYS or not words or not all(words):
                report.error(tm.value_mark(k), f"'topics' of {where}: '{k}' must be one of {', '.join(_TOPIC_KEYS)}, "
                             "with a list of words", "e.g. answer_starts: [有的, 可以, 不会]")
                continue
            topics.append((str(k), tuple(sorted(dict.fromkeys(words), key=len, reverse=True))))
    if check == "question_ignored" and not (topics and r.get("buyer_asks")):
        report.error(r.value_mark("check"), f"{where}: 'check: question_ignored' needs 'topics' and 'buyer_asks'")
    if check in ("weak_point_denied", "material_unlisted") and not denials:
        report.error(r.value_mark("check"), f"{where}: 'check: {check}' needs 'denials'")
    if check == "stage" and not (st_list and exp):
        report.error(r.value_mark("check"), f"{where}: 'check: stage' needs 'stages' and 'expect_intents'")

    groups: set[str] = set()
    for p in patterns:
        groups.update(p.groupindex)
    known = set(CONTEXT_VARS) | {SPECIAL_GROUPS.get(g, g) for g in groups}
    when = None
    if isinstance(r.get("when"), str):
        m = r.value_mark("when")
        line = report.source.splitlines()[m.line - 1] if report.source else ""
        quoted = 1 if line[m.col - 1:m.col] in ("'", '"') else 0
        try:
            when = conditions.parse(r["when"], known)
        except conditions.ConditionError as exc:
            report.error(Mark(m.line, m.col + quoted + exc.offset), f"bad condition in {where}: {exc}", exc.hint)
    ms = sh.number(r, "max_score", where, lo=0, hi=100) if "max_score" in r else None
    if not any(k in r for k in ("patterns", "whole", "phrases", "absent", "check", "when", "intents")):
        report.error(r.mark, f"{where} matches nothing",
                     "give it phrases, patterns, whole, absent, check, when or intents")
    by_meaning = sh.text_list(r, "intents", where, allow_scalar=False)
    unless_intents = sh.text_list(r, "unless_intents", where, allow_scalar=False)
    if intents is not None:
        for key, vals in (("intents", by_meaning), ("unless_intents", unless_intents)):
            il = r.get(key)
            for i, it in enumerate(vals):
                if it not in intents:
                    report.error(il.item_mark(i), *unknown("intent", it, intents))

    replace = []
    rm = r.get("replace")
    if isinstance(rm, PosDict):
        for k, v in rm.items():
            if not isinstance(v, (str, int, float)) or isinstance(v, bool) or v is None:
                report.error(rm.value_mark(k), f"replacement of '{k}' in {where} must be text, not {found_name(v)}")
                continue
            key = "*" if str(k) == "*" else compact_phrase(str(k))
            replace.append((key, "" if v is None else str(v)))

    examples = _examples(report, sh, r, "examples", where, config.stages)
    counters = _examples(report, sh, r, "counter_examples", where, config.stages)
    if "examples" in r and not examples:
        report.error(r.value_mark("examples"), f"{where} needs at least one example that must hit")
    if "counter_examples" in r and not counters:
        report.error(r.value_mark("counter_examples"), f"{where} needs at least one counter-example that must not hit")
    if len(report.errors) > before or not isinstance(rid, str):
        return None
    mc = sh.number(r, "min_chars", where, lo=0, default=0)
    return Rule(
        id=rid, category=cat, severity=sev, title=r["title"], why=r["why"], rewrite=r["rewrite"],
        source=str(r.get("source", "")), phrases=phrases, patterns=tuple(patterns), whole=whole, absent=absent,
        check=check, expect_intents=exp, intents=by_meaning, stages=st_list, first_only=bool(r.get("first", False)),
        min_chars=int(mc or 0), except_=_compacts(sh, r, "except", where),
        unless_before=_compacts(sh, r, "unless_before", where), if_before=_compacts(sh, r, "if_before", where),
        unless_clause=_compacts(sh, r, "unless_clause", where), unless=_compacts(sh, r, "unless", where),
        unless_intents=unless_intents, unless_buyer=_compacts(sh, r, "unless_buyer", where),
        unless_said=_compacts(sh, r, "unless_said", where),
        if_buyer=_compacts(sh, r, "if_buyer", where), buyer_asks=tuple(asks),
        negatable=bool(r.get("negatable", True)), max_score=None if ms is None else float(ms),
        when=when, replace=tuple(replace), prefix=str(r.get("prefix", "")), suffix=str(r.get("suffix", "")),
        denials=tuple(denials), topics=tuple(topics), option_marks=_compacts(sh, r, "option_marks", where),
        option_words=_compacts(sh, r, "option_words", where), examples=examples,
        counter_examples=counters, path=report.path, line=r.mark.line)


def _strength(report: Report, sh: Shape, s: PosDict, where: str, intents) -> StrengthDef | None:
    before = len(report.errors)
    sh.keys(s, where, _STRENGTH_KEYS, required=("id", "title"))
    ints = sh.text_list(s, "intents", where, allow_scalar=False)
    if intents is not None:
        il = s.get("intents")
        for i, it in enumerate(ints):
            if it not in intents:
                report.error(il.item_mark(i), *unknown("intent", it, intents))
    pats, raws = [], []
    for key, out in (("patterns", pats), ("raw_patterns", raws)):
        pl = s.get(key)
        if isinstance(pl, PosList):
            for i in range(len(pl)):
                p = _compile(report, pl, i, where)
                if p is not None:
                    out.append(p)
    check = s.get("check")
    if check is not None and check != "golden":
        report.error(s.value_mark("check"), *unknown("strength check", check, ("golden",)))
    phrases = _compacts(sh, s, "phrases", where)
    if not any(k in s for k in ("intents", "patterns", "raw_patterns", "phrases", "check")):
        report.error(s.mark, f"{where} matches nothing", "give it intents, phrases, patterns or raw_patterns")
    sid = s.get("id")
    if len(report.errors) > before or not isinstance(sid, str) or not isinstance(s.get("title"), str):
        return None
    return StrengthDef(sid, s["title"], ints, phrases, tuple(pats), tuple(raws), check,
                       _compacts(sh, s, "if_before", where), bool(s.get("politeness", False)))


def load_rubric_file(path: Path, config: ScoringConfig, intents=None,
                     seen: dict[str, str] | None = None) -> tuple[Report, list[Rule], list[StrengthDef]]:
    """Rules and strengths of one rubric file; bad rules are reported and left out."""
    report, d = _read(path)
    if d is None:
        return report, [], []
    sh = Shape(report)
    sh.keys(d, "the rubric file", {"version": None, "rules": list, "strengths": list}, required=("rules",))
    sh.version(d)
    seen = {} if seen is None else seen
    rules: list[Rule] = []
    rl = d.get("rules")
    if isinstance(rl, PosList):
        for i, r in enumerate(rl):
            rid = r.get("id") if isinstance(r, PosDict) else None
            where = f"rule '{rid}'" if isinstance(rid, str) else f"rule {i + 1}"
            if not sh.mapping(r, rl.item_mark(i), where):
                continue
            rule = _rule(report, sh, r, where, config, intents)
            if rule is None:
                continue
            if rule.id in seen:
                report.error(r.value_mark("id"), f"duplicate rule id '{rule.id}'", f"also in {seen[rule.id]}")
                continue
            seen[rule.id] = f"{report.path}:{r.mark.line}"
            rules.append(rule)
    strengths: list[StrengthDef] = []
    sl = d.get("strengths")
    if isinstance(sl, PosList):
        ids = set()
        for i, s in enumerate(sl):
            where = f"strength {i + 1}"
            if not sh.mapping(s, sl.item_mark(i), where):
                continue
            st = _strength(report, sh, s, where, intents)
            if st is None:
                continue
            if st.id in ids:
                report.error(s.value_mark("id"), f"duplicate strength id '{st.id}'")
                continue
            ids.add(st.id)
            strengths.append(st)
    return report, rules, strengths


def rubric_files(rules_dir: Path) -> list[Path]:
    return sorted(rules_dir.glob(RUBRIC_GLOB))


def load_rubric(rules_dir: Path | str, intents=None) -> tuple[list[Report], Rubric | None]:
    """The config and every rubric file under `rules_dir`. None when there is no usable config."""
    rules_dir = Path(rules_dir)
    cfg_path = rules_dir / CONFIG_NAME
    if not cfg_path.exists():
        return [], None
    intents = set(intents) if intents is not None else None
    rep, config = load_config(cfg_path, intents)
    reports = [rep]
    if config is None:
        return reports, None
    rubric = Rubric(config)
    seen: dict[str, str] = {}
    for path in rubric_files(rules_dir):
        r, rules, strengths = load_rubric_file(path, config, intents, seen)
        reports.append(r)
        rubric.rules.extend(rules)
        rubric.strengths.extend(strengths)
    return reports, rubric


def check_file(path: Path, intents=None) -> Report:
    """`validate` for one scoring file: the config alone, or a rubric file against its folder's config."""
    if is_config(path):
        return load_config(path, intents)[0]
    cfg = path.parent / CONFIG_NAME
    if not cfg.exists():
        rep = Report(str(path))
        rep.error(Mark(1, 1), f"no {CONFIG_NAME} beside this rubric file", "the categories and stages live there")
        return rep
    crep, config = load_config(cfg, intents)
    if config is None:
        rep = Report(str(path))
        rep.error(Mark(1, 1), f"{crep.path} has errors; fix it first")
        return rep
    return load_rubric_file(path, config, intents)[0]
