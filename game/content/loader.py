"""Loading and validating content: rules, shops and personas, each problem with file:line:col.

One broken file never stops the others: it is reported and skipped.
"""
from __future__ import annotations

import hashlib
import re
from collections import deque
from dataclasses import dataclass, field, replace
from pathlib import Path

from game.language.lexicon import Lexicon, check_reader_rules
from game.language.vocab import IntentDef, intents_from_data

from . import conditions, patterns, placeholders, yamlpos
from .diagnostics import Mark, Report, did_you_mean, rel, unknown
from .model import (ENDINGS, EVENT_TRIGGERS, PICTURES, Buyer, BuyerDefaults, Choice, Order, Persona, Policies, Gift,
                    Product, Shop, StateDef, TrackStep, TransitionDef)
from .schema import CURRENT_VERSION, Shape, found_name, is_type
from .yamlpos import PosDict, PosList

ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")

# Variables every condition may read; the engine keeps them up to date.
BUILTIN_VARS = (
    "mood", "turns", "concessions", "offer_price", "list_price", "floor_price", "last_concession",
    "discount", "quantity", "gift", "free_shipping", "nudges", "elapsed", "wait", "confused", "mentioned_price",
    "stock_count", "mentioned_threshold",
)
# Persona variables the chat report reads itself (the freight an exchange or resend costs the shop).
REPORT_VARS = frozenset({"freight"})
# Extra placeholder names a buyer line may use besides the variables.
TEXT_PLACEHOLDERS = ("product", "shop", "buyer", "price", "color", "size")


@dataclass
class Library:
    """Everything loaded from a content folder, and what was wrong with it."""
    root: Path
    intents: list[IntentDef] = field(default_factory=list)
    buyer_defaults: BuyerDefaults = field(default_factory=BuyerDefaults)
    shops: dict[str, Shop] = field(default_factory=dict)
    personas: dict[str, Persona] = field(default_factory=dict)
    lessons: dict = field(default_factory=dict)  # id -> lessons.Lesson
    reports: list[Report] = field(default_factory=list)
    rubric: object = None  # game.scoring.model.Rubric, None when scoring.yaml is missing or broken
    # Reader word lists from rules/reader.yaml; None when the file is missing (the reader then uses the
    # shipped one). Groups with errors are left out: Reader(lib.intents, lib.lexicon).
    lexicon: Lexicon | None = None
    # Why chats did not convert, from rules/diagnosis.yaml (game.store.diagnose.DiagnosisRules); None when
    # the file is missing (the diagnosis then uses the shipped one). Entries with errors are left out.
    diagnosis: object = None
    # Buyer situations (rules/situations.yaml, game.scoring.situations.Situations); empty without the file.
    situations: object = None

    @property
    def intent_names(self) -> list[str]:
        return [i.name for i in self.intents]

    @property
    def broken(self) -> list[Report]:
        return [r for r in self.reports if not r.ok]

    @property
    def ok(self) -> bool:
        return not self.broken

    def persona(self, name: str) -> Persona:
        """Find a persona by id or by file path."""
        if name in self.personas:
            return self.personas[name]
        for p in self.personas.values():
            if Path(p.path).resolve() == Path(name).resolve() or Path(p.path).stem == name:
                return p
        for r in self.broken:
            if Path(r.path).stem == Path(name).stem:
                raise LookupError(f"persona '{name}' has errors:\n{r.format()}")
        hint = did_you_mean(name, self.personas)
        raise LookupError(f"unknown persona '{name}'" + (f"; {hint}" if hint else "")
                          + "\nknown: " + ", ".join(sorted(self.personas)))


def _read(path: Path) -> tuple[Report, object]:
    report = Report(rel(path))
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raw = exc.object[:exc.start]
        line = raw.count(b"\n") + 1
        col = len(raw[raw.rfind(b"\n") + 1:].decode("utf-8", "replace")) + 1
        enc = _guess_encoding(exc.object)
        report.error(Mark(line, col), f"not UTF-8 text ({exc.reason} at byte {exc.start})" +
                     (f"; it looks like {enc}" if enc else ""), "save the file as UTF-8")
        return report, None
    except OSError as exc:
        report.error(Mark(1, 1), f"cannot read file: {exc.strerror}")
        return report, None
    report.source = text
    data = yamlpos.load(text, report)
    if data is None and report.ok:
        report.error(Mark(1, 1), "the file is empty")
    elif data is not None and not isinstance(data, PosDict):
        report.error(getattr(data, "mark", Mark(1, 1)), "the file must be a mapping (key: value) at the top level")
        data = None
    return report, data


def _guess_encoding(data: bytes) -> str | None:
    """The legacy Chinese encoding a file was probably saved in (Windows editors still default to GBK)."""
    for enc, name in (("gb18030", "GBK/GB18030"), ("big5", "Big5"), ("utf-16", "UTF-16")):
        try:
            data.decode(enc)
            return name
        except (UnicodeDecodeError, LookupError):
            continue
    return None


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


# ---------------------------------------------------------------- rules

def load_intents(path: Path) -> tuple[Report, list[IntentDef]]:
    report, d = _read(path)
    if d is None:
        return report, []
    sh = Shape(report)
    sh.keys(d, "the intents file", {"version": None, "intents": dict}, required=("intents",))
    sh.version(d)
    intents = d.get("intents")
    if not isinstance(intents, PosDict):
        return report, []
    for name, spec in intents.items():
        where = f"intent '{name}'"
        if not ID_RE.match(str(name)):
            report.error(intents.key_mark(name), f"intent name '{name}' must be lower-case letters, digits, _ or -")
        if not sh.mapping(spec, intents.value_mark(name), where):
            continue
        sh.keys(spec, where, {"title": str, "phrases": list, "patterns": list, "examples": list,
                              "counter_examples": list, "yields_to": list, "remembered": bool,
                              "fallback": str, "fault": bool, "courtesy": bool, "softened_by": list,
                              "softened_to": str},
                required=("title",))
        for key in ("phrases", "patterns", "examples", "counter_examples", "yields_to", "softened_by"):
            sh.text_list(spec, key, where, allow_scalar=False)
        if not spec.get("phrases") and not spec.get("patterns") and not spec.get("examples"):
            report.warning(spec.mark, f"{where} has no examples, phrases or patterns", "only facts can trigger it")
        fb = spec.get("fallback")
        if isinstance(fb, str) and fb not in intents:
            msg, hint = unknown("intent", fb, list(intents))
            report.error(spec.value_mark("fallback"), f"{where}: fallback names {msg}", hint)
        for key in ("yields_to", "softened_by"):
            ys = spec.get(key)
            if isinstance(ys, PosList):
                for i, y in enumerate(ys):
                    if str(y) not in intents:
                        msg, hint = unknown("intent", str(y), list(intents))
                        report.error(ys.item_mark(i), f"{where}: {key} names {msg}", hint)
        st = spec.get("softened_to")
        if isinstance(st, str) and st not in intents:
            msg, hint = unknown("intent", st, list(intents))
            report.error(spec.value_mark("softened_to"), f"{where}: softened_to names {msg}", hint)
        if (spec.get("softened_by") is None) != (spec.get("softened_to") is None):
            report.error(spec.mark, f"{where}: softened_by and softened_to go together",
                         "name the intents that soften it and the intent it then reads as")
        pats = spec.get("patterns")
        if isinstance(pats, PosList):
            for i, pat in enumerate(pats):
                try:
                    patterns.check(str(pat))
                except re.error as exc:
                    m = pats.item_mark(i)
                    report.error(Mark(m.line, m.col + (exc.pos or 0)), f"bad pattern in {where}: {exc.msg}")
                except (patterns.UnsafePattern, RecursionError) as exc:
                    report.error(pats.item_mark(i), f"unsafe pattern in {where}: {exc}", patterns.HINT)
    if not report.ok:
        return report, []
    return report, intents_from_data(d)


def load_buyer_defaults(path: Path, intents: list[str] | None = None) -> tuple[Report, BuyerDefaults]:
    report, d = _read(path)
    base = BuyerDefaults()
    if d is None:
        return report, base
    sh = Shape(report)
    sh.keys(d, "the buyer rules file", {"version": None, "patience": dict, "typing": dict, "mood": dict,
                                        "lines": dict, "archetypes": dict, "flags": dict, "questions": dict,
                                        "question_marks": dict, "with_greeting": list, "greeting_topics": list,
                                        "question_moves": list, "asking_drops": dict, "proposals": dict})
    sh.version(d)
    vals = {}
    groups = {
        "patience": {"first_reply": "first_reply", "golden": "golden", "reply": "reply", "nudges": "nudges"},
        "typing": {"chars_per_second": "chars_per_second", "think": "think", "min_delay": "min_delay",
                   "max_delay": "max_delay"},
        "mood": {"start": "mood_start", "nudge": "mood_nudge", "confused": "mood_confused",
                 "anger_at": "anger_at"},
    }
    for group, keys in groups.items():
        g = d.get(group)
        if isinstance(g, PosDict):
            sh.keys(g, f"'{group}'", {k: float for k in keys})
            for k, attr in keys.items():
                v = sh.number(g, k, f"'{group}'", lo=-100 if group == "mood" else 0)
                if v is not None:
                    vals[attr] = int(v) if attr == "nudges" else float(v)
    lines = d.get("lines")
    if isinstance(lines, PosDict):
        sh.keys(lines, "'lines'", {"nudge": list, "confused": list, "leave": list})
        for k in ("nudge", "confused", "leave"):
            got = sh.text_list(lines, k, "'lines'", allow_scalar=False)
            if got:
                vals[f"{k}_lines"] = got
    arch = d.get("archetypes")
    if isinstance(arch, PosDict):
        vals["archetypes"] = {str(k): str(v) for k, v in arch.items()}
    questions = d.get("questions")
    if isinstance(questions, PosDict):
        topics = {}
        for k in questions:
            if not isinstance(k, str) or not re.match(r"^[a-z_]+$", k):
                report.error(questions.key_mark(k), f"question topic '{k}' must be lower-case letters and _")
                continue
            words = sh.text_list(questions, k, "'questions'", allow_scalar=False)
            if words:
                topics[k] = tuple(words)
        vals["question_topics"] = topics
    qm = d.get("question_marks")
    if isinstance(qm, PosDict):
        sh.keys(qm, "'question_marks'", {"end": list, "soft_end": list, "ask": list, "request": list, "which": list})
        vals["question_marks"] = {k: tuple(sh.text_list(qm, k, "'question_marks'", allow_scalar=False))
                                  for k in ("end", "soft_end", "ask", "request", "which") if k in qm}
    def names_of(key: str, known, what: str, hint: str) -> None:
        if key not in d:
            return
        names = sh.text_list(d, key, "the buyer rules file", allow_scalar=False)
        bad = [n for n in names if known is not None and n not in known]
        for n in bad:
            report.error(d.key_mark(key), f"'{key}' names an unknown {what} '{n}'", hint=hint)
        vals[key] = tuple(n for n in names if n not in bad)

    names_of("with_greeting", intents, "intent", "use an intent of rules/intents.yaml")
    names_of("question_moves", intents, "intent", "use an intent of rules/intents.yaml")
    names_of("greeting_topics", vals.get("question_topics"), "question topic", "use a topic of 'questions'")
    def by_topic(key: str, of_intents: bool) -> None:
        """A mapping of question topics to lists (asking_drops: intents; proposals: words)."""
        m = d.get(key)
        if not isinstance(m, PosDict):
            return
        out = {}
        for topic in m:
            if topic not in vals.get("question_topics", {}):
                report.error(m.key_mark(topic), f"'{key}' names an unknown question topic '{topic}'",
                             hint="use a topic of 'questions'")
                continue
            items = sh.text_list(m, topic, f"'{key}'", allow_scalar=False)
            if of_intents and intents is not None:
                for n in items:
                    if n not in intents:
                        report.error(m.key_mark(topic), f"'{key}' names an unknown intent '{n}'",
                                     hint="use an intent of rules/intents.yaml")
                items = [n for n in items if n in intents]
            out[str(topic)] = tuple(items)
        vals[key] = out

    by_topic("asking_drops", True)
    by_topic("proposals", False)
    flags = d.get("flags")
    if isinstance(flags, PosDict):
        vals["flag_titles"] = {str(k): str(v) for k, v in flags.items() if isinstance(v, str) and v.strip()}
    return report, BuyerDefaults(**{**base.__dict__, **vals})


def load_reader_rules(path: Path, intent_names=None) -> tuple[Report, Lexicon]:
    """The reader's word lists (rules/reader.yaml); checked by game.language.lexicon against its format.
    With ``intent_names``, the intents the file names must exist."""
    report, d = _read(path)
    if d is None:
        return report, Lexicon.empty()
    return report, check_reader_rules(d, report, intent_names)


def load_quick_phrases(path: Path) -> tuple[Report, list[str]]:
    """The default quick replies (快捷回复) a trainee starts with."""
    report, d = _read(path)
    if d is None:
        return report, []
    sh = Shape(report)
    sh.keys(d, "the quick phrases file", {"version": None, "phrases": list}, required=("phrases",))
    sh.version(d)
    return report, list(sh.text_list(d, "phrases", "the quick phrases file", allow_scalar=False))


_QUOTED = re.compile(r'"(?:[^"\\\n]|\\.)*"')


_REPLY_TEXT = re.compile(r'^  - text: "((?:[^"\\]|\\.)*)"\s*$')
_REPLY_INTENTS = re.compile(r"^    intents: \[([a-z0-9_, ]*)\]\s*$")
_ESCAPE = re.compile(r'\\(U[0-9A-Fa-f]{8}|u[0-9A-Fa-f]{4}|x[0-9A-Fa-f]{2}|["\\/nt])')
_SIMPLE_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "n": "\n", "t": "\t"}


def _reply_lines(text: str) -> dict | None:
    """The replies file as written by hand and by tools: `- text: "…"` then `intents: [a, b]`, nothing
    else but comments. Read line by line (the whole file in a few milliseconds); any other line gives None."""
    items: list[dict] = []
    version = None
    for line in text.split("\n"):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = _REPLY_TEXT.match(line)
        if m:
            if "\\" in m.group(1):
                if _ESCAPE.sub("", m.group(1)).count("\\"):
                    return None  # an escape this reader does not know: YAML reads it
                t = _ESCAPE.sub(lambda e: _SIMPLE_ESCAPES.get(e.group(1)) or chr(int(e.group(1)[1:], 16)), m.group(1))
            else:
                t = m.group(1)
            items.append({"text": t})
            continue
        m = _REPLY_INTENTS.match(line)
        if m and items and "intents" not in items[-1]:
            items[-1]["intents"] = [x.strip() for x in m.group(1).split(",") if x.strip()]
            continue
        if line == "version: 1" and version is None:
            version = 1
            continue
        if line == "replies:":
            continue
        return None
    if version is None or any("intents" not in it for it in items):
        return None
    return {"version": version, "replies": items}


def _plain_replies(path: Path, names: set[str]) -> tuple[Report, list[tuple[str, list[str]]]] | None:
    """The replies file read line by line, when it is exactly the plain shape it should be (no anchors,
    known intents, no reply twice): thousands of lines load many times faster without positions.
    Anything else gives None, and the file is read again with positions for its errors."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    bare = _QUOTED.sub("", text)  # an anchor or alias outside quotes: the careful reader's business
    if "&" in bare or "*" in bare or "\t" in text:
        return None
    d = _reply_lines(text)
    if d is None:
        return None
    if not isinstance(d, dict) or set(d) != {"version", "replies"} or d["version"] != CURRENT_VERSION \
            or not isinstance(d["replies"], list):
        return None
    out, seen = [], set()
    for item in d["replies"]:
        if not isinstance(item, dict) or set(item) != {"text", "intents"}:
            return None
        t, labels = item["text"], item["intents"]
        if not isinstance(t, str) or not t.strip() or t in seen or not isinstance(labels, list) \
                or any(not isinstance(n, str) or n not in names for n in labels):
            return None
        seen.add(t)
        out.append((t.strip(), labels))
    report = Report(rel(path))
    report.source = text
    return report, out


def load_replies(path: Path, intents: list[IntentDef]) -> tuple[Report, list[IntentDef]]:
    """rules/replies.yaml: whole replies with every move they make, added to the intents as
    training data. A reply naming an unknown intent is reported and left out."""
    names = {i.name for i in intents}
    plain = _plain_replies(path, names)
    if plain is not None:
        report, rows = plain
        got: dict[str, list[str]] = {n: [] for n in names}
        none: list[str] = []
        for text, labels in rows:
            for n in dict.fromkeys(labels):
                got[n].append(text)
            if not labels:
                none.append(text)
        return report, [replace(i, replies=i.replies + tuple(got[i.name]),
                                counter_examples=i.counter_examples + tuple(none)) for i in intents]
    report, d = _read(path)
    if d is None:
        return report, intents
    sh = Shape(report)
    sh.keys(d, "the replies file", {"version": None, "replies": list}, required=("replies",))
    sh.version(d)
    items = d.get("replies")
    if not isinstance(items, PosList):
        return report, intents
    names = {i.name for i in intents}
    got: dict[str, list[str]] = {n: [] for n in names}
    none: list[str] = []
    seen: dict[str, int] = {}
    for k, item in enumerate(items):
        where = f"reply {k + 1}"
        if not sh.mapping(item, items.item_mark(k), where):
            continue
        sh.keys(item, where, {"text": str, "intents": list}, required=("text", "intents"))
        text, labels = item.get("text"), item.get("intents")
        if not isinstance(text, str) or not text.strip() or not isinstance(labels, PosList):
            continue
        if text in seen:
            report.warning(item.value_mark("text"), f"{where} repeats reply {seen[text]}")
            continue
        seen[text] = k + 1
        ok = True
        for j, n in enumerate(labels):
            if str(n) not in names:
                msg, hint = unknown("intent", str(n), names)
                report.error(labels.item_mark(j), f"{where}: {msg}", hint)
                ok = False
        if ok:
            for n in dict.fromkeys(map(str, labels)):
                got[n].append(text.strip())
            if not labels:
                none.append(text.strip())
    # A reply that makes no move is a counter-example of every intent.
    return report, [replace(i, replies=i.replies + tuple(got[i.name]),
                            counter_examples=i.counter_examples + tuple(none)) for i in intents]


def load_diagnosis(path: Path, intents=None, rubric=None) -> tuple[Report, object]:
    """The causes of an unconverted chat (rules/diagnosis.yaml), checked against the library's intent
    names and the rubric's categories, rule ids and severities when given."""
    from game.store.diagnose import DiagnosisRules, check_diagnosis_rules
    report, d = _read(path)
    if d is None:
        return report, DiagnosisRules()
    cfg = getattr(rubric, "config", None)
    return report, check_diagnosis_rules(
        d, report, intents=list(intents) if intents else None,
        categories=list(cfg.categories) if cfg is not None else None,
        rule_ids=[r.id for r in rubric.rules] if rubric is not None else None,
        severities=list(cfg.severities) if cfg is not None else None)


# ---------------------------------------------------------------- shops

_PRODUCT_KEYS = {"sku": str, "name": str, "price": float, "floor_price": float, "stock": int, "sizes": list,
                 "colors": list, "materials": list, "selling_points": list, "weak_points": list, "picture": str}
_POLICY_KEYS = {"free_shipping_threshold": float, "return_days": int, "exchange_days": int,
                "invoice_tax_rate": float, "shipping_cutoff": str, "default_courier": str, "couriers": dict,
                "cash_on_delivery": bool, "notes": list, "gifts": None,  # gifts: typed by _gifts
                "instant_refund": bool, "custom_days": int}
_GIFT_KEYS = {"name": str, "words": list, "per_order": bool}


def _gifts(sh: Shape, pol: PosDict) -> tuple[Gift, ...] | None:
    """`gifts:` of a shop's policies: names, or mappings with name, words and per_order; [] gives nothing."""
    g = pol.get("gifts")
    if "gifts" not in pol or g is None:
        return None
    if not isinstance(g, PosList):
        sh.r.error(pol.value_mark("gifts"), "'gifts' must be a list of gift names or {name, words, per_order}",
                   "write gifts: [] when the shop gives nothing away")
        return None
    out = []
    for i, item in enumerate(g):
        where = f"gift {i + 1}"
        if isinstance(item, str) and item.strip():
            out.append(Gift(item.strip()))
        elif isinstance(item, PosDict) and sh.keys(item, where, _GIFT_KEYS, required=("name",)):
            name = item.get("name")
            if isinstance(name, str) and name.strip():
                out.append(Gift(name.strip(), sh.text_list(item, "words", where),
                                bool(item.get("per_order", False))))
            elif isinstance(name, str):
                sh.r.error(item.value_mark("name"), f"the name of {where} is empty")
        elif not isinstance(item, PosDict):
            sh.r.error(g.item_mark(i), f"{where} must be a name or a mapping with 'name', not {found_name(item)}")
    return tuple(out)


def load_shop(path: Path) -> tuple[Report, Shop | None]:
    report, d = _read(path)
    if d is None:
        return report, None
    sh = Shape(report)
    sh.keys(d, "the shop", {"version": None, "id": str, "name": str, "policies": dict, "products": list},
            required=("id", "name", "products"))
    sh.version(d)
    sid = d.get("id")
    if isinstance(sid, str) and not ID_RE.match(sid):
        report.error(d.value_mark("id"), f"shop id '{sid}' must be lower-case letters, digits, _ or -")
    pol = d.get("policies", PosDict())
    policies = Policies()
    if isinstance(pol, PosDict):
        sh.keys(pol, "'policies'", _POLICY_KEYS)
        cut = pol.get("shipping_cutoff")
        if isinstance(cut, str) and not re.match(r"^([01]?\d|2[0-3]):[0-5]\d$", cut):
            report.error(pol.value_mark("shipping_cutoff"), f"shipping_cutoff '{cut}' must be a time like \"15:30\"",
                         "quote it so YAML keeps it as text")
        rate = sh.number(pol, "invoice_tax_rate", "'policies'", lo=0, hi=1)
        couriers = []
        cmap = pol.get("couriers")
        if isinstance(cmap, PosDict):
            for name, fee in cmap.items():
                if isinstance(fee, bool) or not isinstance(fee, (int, float)):
                    report.error(cmap.value_mark(name), f"surcharge of courier '{name}' must be a number")
                else:
                    couriers.append((str(name), float(fee)))
        kw = {k: pol[k] for k in ("free_shipping_threshold", "return_days", "exchange_days", "shipping_cutoff",
                                  "default_courier", "cash_on_delivery", "instant_refund", "custom_days") if k in pol}
        policies = Policies(**kw, invoice_tax_rate=float(rate or 0), couriers=tuple(couriers),
                            notes=sh.text_list(pol, "notes", "'policies'"), gifts=_gifts(sh, pol))
    products: dict[str, Product] = {}
    plist = d.get("products")
    if isinstance(plist, PosList):
        if not plist:
            report.error(d.value_mark("products"), "a shop needs at least one product")
        for i, p in enumerate(plist):
            where = f"product {i + 1}"
            if not sh.mapping(p, plist.item_mark(i), where):
                continue
            if not sh.keys(p, where, _PRODUCT_KEYS, required=("sku", "name", "price", "floor_price", "stock")):
                continue
            if not all(k in p for k in ("sku", "name", "price", "floor_price", "stock")):
                continue
            sku = p["sku"]
            if sku in products:
                report.error(p.value_mark("sku"), f"duplicate product sku '{sku}'")
                continue
            if p["floor_price"] > p["price"]:
                report.error(p.value_mark("floor_price"), f"floor_price {p['floor_price']} of '{sku}' is above "
                             f"its price {p['price']}", "the floor is the lowest price the shop accepts")
            if p["stock"] < 0:
                report.error(p.value_mark("stock"), f"stock of '{sku}' cannot be negative")
            lists = {k: sh.text_list(p, k, f"product '{sku}'") for k in
                     ("sizes", "colors", "materials", "selling_points", "weak_points")}
            picture = p.get("picture") if isinstance(p.get("picture"), str) else ""
            if picture and picture not in PICTURES:
                report.error(p.value_mark("picture"), *unknown("picture", picture, PICTURES))
                picture = ""
            products[sku] = Product(sku=sku, name=p["name"], price=float(p["price"]),
                                    floor_price=float(p["floor_price"]), stock=int(p["stock"]), picture=picture,
                                    **lists)
    if not report.ok:
        return report, None
    return report, Shop(id=d["id"], name=d["name"], policies=policies, products=products, path=report.path)


# ---------------------------------------------------------------- personas

_PERSONA_KEYS = {"version": None, "id": str, "title": str, "summary": str, "archetype": str, "difficulty": int,
                 "shop": str, "product": str, "buyer": dict, "vars": dict, "deal": dict, "start": str,
                 "states": dict, "intents": dict, "order": dict}
_BUYER_KEYS = {"name": str, "mood": float, "patience": dict, "typing_speed": float, "anger_at": float,
               "nudge_lines": list, "confused_lines": list, "leave_lines": list, "tags": list, "answers": dict}
_ORDER_KEYS = {"number": (str, int), "status": str, "items": (str, list), "paid": float, "placed": (str, int),
               "courier": str, "tracking": list}
_SHORT = 40  # characters: an order field or a tag is a label, not a paragraph
_STATE_KEYS = {"say": (str, list), "on": dict, "end": str, "note": str, "choices": list, "patience": dict,
               "away": bool, "situation": str}
_TRANS_KEYS = {"to": str, "if": str, "mood": float, "say": (str, list), "set": dict, "add": dict,
               "flag": (str, list)}


class _PersonaChecker:
    def __init__(self, report: Report, lib: Library):
        self.r = report
        self.sh = Shape(report)
        self.lib = lib
        self.used: set[str] = set()  # variable names read anywhere, to warn about unused ones

    def cond(self, d: PosDict, key: str, known) -> conditions.Condition | None:
        src = d[key]
        m = d.value_mark(key)
        line = self.r.source.splitlines()[m.line - 1] if self.r.source else ""
        quoted = 1 if line[m.col - 1:m.col] in ("'", '"') else 0
        try:
            cond = conditions.parse(src, known)
            self.used.update(cond.names)
            return cond
        except conditions.ConditionError as exc:
            self.r.error(Mark(m.line, m.col + quoted + exc.offset), f"bad condition: {exc}", exc.hint)
            return None

    def lines(self, d: PosDict, key: str, where: str, names) -> tuple[str, ...]:
        out = self.sh.text_list(d, key, where)
        v = d.get(key)
        for i, text in enumerate(out):
            m = v.item_mark(i) if isinstance(v, PosList) else d.value_mark(key)
            self.placeholders(text, m, where, names)
        return out

    def placeholders(self, text: str, m: Mark, where: str, names) -> None:
        """`{name}` placeholders only, from ``names``; an error names the column of the bad brace."""
        line = self.r.source.splitlines()[m.line - 1] if self.r.source and m.line >= 1 else ""
        quoted = 1 if line[m.col - 1:m.col] in ("'", '"') else 0
        try:
            found = placeholders.fields(text)
        except placeholders.PlaceholderError as exc:
            at = Mark(m.line, m.col + quoted + exc.offset) if "\n" not in text[:exc.offset] else m
            self.r.error(at, f"bad placeholder in {where}: {exc}", "write a literal brace as {{ or }}")
            return
        for f, off in found:
            self.used.add(f)
            if f not in names:
                msg, hint = unknown("placeholder", "{" + f + "}", ["{" + n + "}" for n in names])
                at = Mark(m.line, m.col + quoted + off) if "\n" not in text[:off] else m
                self.r.error(at, f"{msg} in {where}", hint)

    def check(self, d: PosDict) -> Persona | None:
        r, sh, lib = self.r, self.sh, self.lib
        sh.keys(d, "the persona", _PERSONA_KEYS,
                required=("id", "title", "archetype", "difficulty", "shop", "product", "start", "states"))
        sh.version(d)
        pid = d.get("id")
        if isinstance(pid, str) and not ID_RE.match(pid):
            r.error(d.value_mark("id"), f"persona id '{pid}' must be lower-case letters, digits, _ or -")
        arch = d.get("archetype")
        if isinstance(arch, str) and lib.buyer_defaults.archetypes and arch not in lib.buyer_defaults.archetypes:
            r.error(d.value_mark("archetype"), *unknown("archetype", arch, lib.buyer_defaults.archetypes))
        sh.number(d, "difficulty", "the persona", lo=1, hi=3)

        shop = product = None
        if isinstance(d.get("shop"), str):
            shop = lib.shops.get(d["shop"])
            broken = [b.path for b in lib.broken if Path(b.path).parent.name == "shops" and Path(b.path).stem == d["shop"]]
            if shop is None and broken:
                r.error(d.value_mark("shop"), f"shop '{d['shop']}' has errors", f"see {broken[0]}")
            elif shop is None:
                r.error(d.value_mark("shop"), *unknown("shop", d["shop"], lib.shops))
        if shop is not None and isinstance(d.get("product"), str):
            product = shop.products.get(d["product"])
            if product is None:
                msg, hint = unknown("product", d["product"], shop.products)
                r.error(d.value_mark("product"), f"{msg} in shop '{shop.id}'", hint)

        # Persona variables: numbers the author names and conditions read.
        pvars: dict[str, float] = {}
        vmap = d.get("vars")
        if isinstance(vmap, PosDict):
            for k, v in vmap.items():
                if not ID_RE.match(str(k)) or "-" in str(k):
                    r.error(vmap.key_mark(k), f"variable name '{k}' must be lower-case letters, digits and _")
                elif k in BUILTIN_VARS:
                    r.error(vmap.key_mark(k), f"variable '{k}' is built in", "choose another name")
                elif not is_type(v, float):
                    r.error(vmap.value_mark(k), f"variable '{k}' must be a number, not {found_name(v)}",
                            "use 1/0 for yes/no")
                else:
                    pvars[str(k)] = float(v)
        shop_vars = shop.numeric_vars() if shop else {}
        known_vars = set(BUILTIN_VARS) | set(pvars) | set(shop_vars)
        placeholder_names = sorted(known_vars | set(TEXT_PLACEHOLDERS))
        # said.<intent>: how many of the trainee's messages made that move (conditions only)
        known_vars |= {f"said.{n}" for n in self.lib.intent_names}
        # now.<intent>: 1 while the message being read makes that move
        known_vars |= {f"now.{n}" for n in self.lib.intent_names}

        list_price = product.price if product else 0.0
        floor_price = product.floor_price if product else 0.0
        deal = d.get("deal")
        if isinstance(deal, PosDict):
            sh.keys(deal, "'deal'", {"list_price": float, "floor_price": float})
            list_price = float(sh.number(deal, "list_price", "'deal'", lo=0, default=list_price))
            floor_price = float(sh.number(deal, "floor_price", "'deal'", lo=0, default=floor_price))
            if floor_price > list_price:
                r.error(deal.value_mark("floor_price"), f"floor_price {floor_price} is above list_price {list_price}")

        buyer = self.buyer(d.get("buyer"), d, placeholder_names)
        order = self.order(d.get("order"), d, shop)
        own = self.own_intents(d)
        known_vars |= {f"said.{i.name}" for i in own} | {f"now.{i.name}" for i in own}
        before = len(r.errors)
        states = self.states(d, known_vars, pvars, placeholder_names, {i.name for i in own})
        if states is not None and len(r.errors) == before:
            # Reachability is only meaningful once every state and transition is well formed.
            self.graph(d, states)
            if d.get("difficulty") == 1:
                sm = d["states"]
                for name, st in states.items():
                    if not st.end and not st.choices:
                        r.error(sm.key_mark(name), f"state '{name}' of a difficulty-1 persona has no choices",
                                "beginners answer by choosing: add 3-4 'choices' with one 'best: true'")
        if isinstance(vmap, PosDict):
            for k in pvars:
                if k not in self.used and k not in REPORT_VARS:
                    r.warning(vmap.key_mark(k), f"variable '{k}' is never used",
                              "use it in an 'if', 'set'/'add' or a {placeholder}, or remove it")
        if not r.ok or shop is None or product is None or buyer is None or states is None:
            return None
        return Persona(id=pid, title=d["title"], summary=str(d.get("summary", "")), archetype=arch,
                       difficulty=int(d["difficulty"]), shop=shop, product=product, buyer=buyer, vars=pvars,
                       list_price=list_price, floor_price=floor_price, start=d["start"], states=states,
                       path=r.path, digest=_digest(r.source), intents=own, order=order)

    def short_text(self, d: PosDict, key: str, where: str, mark: Mark | None = None) -> str:
        v = d.get(key)
        text = "" if v is None or isinstance(v, (bool, dict, list)) else str(v).strip()
        if len(text) > _SHORT:
            self.r.error(mark or d.value_mark(key), f"'{key}' in {where} is {len(text)} characters long",
                         f"keep it under {_SHORT}: it is a label on the 订单 tab")
            return text[:_SHORT]
        return text

    def order(self, o, d: PosDict, shop) -> Order | None:
        """``order:`` of an after-sales persona: number, status, items, paid, placed, courier, tracking."""
        if o is None:
            return None
        if not self.sh.mapping(o, d.value_mark("order"), "'order'"):
            return None
        r, sh = self.r, self.sh
        sh.keys(o, "'order'", _ORDER_KEYS, required=("number", "status"))
        number = self.short_text(o, "number", "'order'")
        if number and not re.fullmatch(r"[0-9A-Za-z-]{4,32}", number):
            r.error(o.value_mark("number"), f"order number '{number}' must be 4-32 letters or digits",
                    "write it as the shop's backend shows it, e.g. \"2611251430021867\"")
        courier = self.short_text(o, "courier", "'order'")
        if courier and shop is not None and shop.policies.couriers and \
                courier not in {n for n, _ in shop.policies.couriers}:
            r.warning(o.value_mark("courier"), f"courier '{courier}' is not one of shop '{shop.id}'s couriers",
                      "allowed: " + ", ".join(n for n, _ in shop.policies.couriers))
        steps: list[TrackStep] = []
        track = o.get("tracking")
        if isinstance(track, PosList):
            for i, item in enumerate(track):
                where = f"step {i + 1} of 'tracking'"
                if not sh.mapping(item, track.item_mark(i), where):
                    continue
                sh.keys(item, where, {"at": (str, int), "text": str}, required=("at", "text"))
                steps.append(TrackStep(at=self.short_text(item, "at", where), text=self.short_text(item, "text", where)))
        items = self.sh.text_list(o, "items", "'order'")
        paid = sh.number(o, "paid", "'order'", lo=0, hi=10_000_000)
        return Order(number=number, status=self.short_text(o, "status", "'order'"),
                     items=items, paid=None if paid is None else float(paid),
                     placed=self.short_text(o, "placed", "'order'"), courier=courier, tracking=tuple(steps))

    def own_intents(self, d: PosDict) -> tuple[IntentDef, ...]:
        """``intents:`` of a persona: examples added to shared intents, or new intents with a title."""
        spec = d.get("intents")
        if not isinstance(spec, PosDict):
            return ()
        r, sh = self.r, self.sh
        shared = set(self.lib.intent_names)
        out: list[IntentDef] = []
        for name, body in spec.items():
            where = f"intent '{name}' of the persona"
            if not ID_RE.match(str(name)) or "-" in str(name):
                r.error(spec.key_mark(name), f"intent name '{name}' must be lower-case letters, digits and _")
                continue
            if not sh.mapping(body, spec.value_mark(name), where):
                continue
            sh.keys(body, where, {"title": str, "examples": list, "counter_examples": list})
            examples = sh.text_list(body, "examples", where, allow_scalar=False)
            counter = sh.text_list(body, "counter_examples", where, allow_scalar=False)
            if name not in shared and not isinstance(body.get("title"), str):
                msg, hint = unknown("intent", name, shared)
                r.error(spec.key_mark(name), f"{where} is not a shared intent and has no 'title'",
                        (hint + "; or " if hint else "") + "give a new intent a 'title' and 5+ 'examples'")
                continue
            if not examples:
                r.error(spec.key_mark(name), f"{where} has no examples", "list replies that make this move")
                continue
            if name not in shared and len(examples) < 5:
                r.warning(spec.key_mark(name), f"{where} has only {len(examples)} examples",
                          "a new intent is learned from its examples: write 5 or more, in different words")
            out.append(IntentDef(name=str(name), title=str(body.get("title") or name), examples=tuple(examples),
                                 counter_examples=tuple(counter)))
        return tuple(out)

    def buyer(self, b, d: PosDict, names) -> Buyer | None:
        dflt = self.lib.buyer_defaults
        if b is None:
            b = PosDict()
            b.mark = d.mark
        if not isinstance(b, PosDict):
            return None
        sh = self.sh
        sh.keys(b, "'buyer'", _BUYER_KEYS)
        first, reply, nudges = dflt.first_reply, dflt.reply, dflt.nudges
        pat = b.get("patience")
        if isinstance(pat, PosDict):
            sh.keys(pat, "'patience'", {"first_reply": float, "reply": float, "nudges": int})
            first = float(sh.number(pat, "first_reply", "'patience'", lo=1, default=first))
            reply = float(sh.number(pat, "reply", "'patience'", lo=1, default=reply))
            nudges = int(sh.number(pat, "nudges", "'patience'", lo=0, hi=10, default=nudges))
        mood = float(sh.number(b, "mood", "'buyer'", lo=0, hi=100, default=dflt.mood_start))
        anger = float(sh.number(b, "anger_at", "'buyer'", lo=0, hi=100, default=dflt.anger_at))
        speed = float(sh.number(b, "typing_speed", "'buyer'", lo=0.1, default=dflt.chars_per_second))
        lines = {k: self.lines(b, f"{k}_lines", "'buyer'", names) or getattr(dflt, f"{k}_lines")
                 for k in ("nudge", "confused", "leave")}
        tags = sh.text_list(b, "tags", "'buyer'")
        for i, tag in enumerate(tags):
            if len(tag) > _SHORT:
                v = b.get("tags")
                self.r.error(v.item_mark(i) if isinstance(v, PosList) else b.value_mark("tags"),
                             f"tag {i + 1} of 'buyer' is {len(tag)} characters long", f"keep a tag under {_SHORT}")
        answers = {}
        am = b.get("answers")
        if isinstance(am, PosDict):
            topics = dflt.question_topics
            for k in am:
                if k not in topics:
                    msg, hint = unknown("question topic", str(k), topics)
                    self.r.error(am.key_mark(k), f"{msg} in 'buyer.answers'", hint)
                    continue
                got = self.lines(am, k, f"'buyer.answers.{k}'", names)
                if got:
                    answers[k] = got
        elif am is not None:
            self.r.error(b.value_mark("answers"), "'buyer.answers' must map a question topic to lines",
                         "e.g. answers: {size: 我平时穿38码}")
        return Buyer(name=str(b.get("name", "买家")), mood=mood, first_reply=first, reply=reply, nudges=nudges,
                     chars_per_second=speed, anger_at=anger, nudge_lines=lines["nudge"],
                     confused_lines=lines["confused"], leave_lines=lines["leave"], tags=tags, answers=answers)

    def states(self, d: PosDict, known_vars, pvars, names, own_intents=()) -> dict[str, StateDef] | None:
        r, sh = self.r, self.sh
        sm = d.get("states")
        if not isinstance(sm, PosDict):
            return None
        if not sm:
            r.error(d.value_mark("states"), "a persona needs at least one state")
            return None
        triggers = set(self.lib.intent_names) | set(EVENT_TRIGGERS) | set(own_intents)
        settable = set(pvars) | {"mood"}
        out: dict[str, StateDef] = {}
        for name, spec in sm.items():
            where = f"state '{name}'"
            if not isinstance(name, str) or not re.match(r"^[A-Za-z0-9_]+$", name):
                r.error(sm.key_mark(name), f"state name '{name}' must be letters, digits and _")
            if spec is None:
                r.error(sm.key_mark(name), f"{where} is empty", "give it 'say' and 'on', or 'end'")
                continue
            if not sh.mapping(spec, sm.value_mark(name), where):
                continue
            sh.keys(spec, where, _STATE_KEYS)
            say = self.lines(spec, "say", where, names)
            end = spec.get("end")
            if isinstance(end, str) and end not in ENDINGS:
                r.error(spec.value_mark("end"), *unknown("ending", end, ENDINGS))
                end = None
            on: dict[str, tuple[TransitionDef, ...]] = {}
            onmap = spec.get("on")
            if isinstance(onmap, PosDict):
                if end and onmap:
                    r.error(spec.key_mark("on"), f"{where} is an ending ('end: {end}') and cannot have exits",
                            "remove 'on' or 'end'")
                for trig, tspec in onmap.items():
                    if trig not in triggers:
                        msg, hint = unknown("intent or event", trig, triggers)
                        r.error(onmap.key_mark(trig), f"{msg} in {where}", hint)
                        continue
                    items = tspec if isinstance(tspec, PosList) else [tspec]
                    marks = tspec.item_marks if isinstance(tspec, PosList) else [onmap.value_mark(trig)]
                    ts, raw = [], []
                    for i, t in enumerate(items):
                        tw = f"'{trig}' of {where}"
                        if isinstance(t, str):  # shorthand: `greet: asking`
                            t2 = PosDict(to=t)
                            t2.mark = marks[i]
                            t2.value_marks["to"] = marks[i]
                            t = t2
                        if not sh.mapping(t, marks[i], tw):
                            continue
                        ts.append(self.transition(trig, t, tw, sm, known_vars, settable, names))
                        raw.append(t)
                    if isinstance(tspec, PosList):
                        for i, t in enumerate(raw[:-1]):
                            if "if" not in t:
                                r.warning(tspec.item_mark(i + 1), f"this choice of {trig!r} in {where} is never "
                                          "used: the one before has no 'if'", "put choices with 'if' first")
                    on[trig] = tuple(t for t in ts if t is not None)
            if "end" not in spec and not on and not (isinstance(onmap, PosDict) and onmap):
                r.error(sm.key_mark(name), f"{where} has no way out and is not an ending",
                        "add 'on:' with at least one trigger, or 'end: success|lost|bad_review|escalated'")
            reply = nudges = None
            pat = spec.get("patience")
            if isinstance(pat, PosDict):
                sh.keys(pat, f"'patience' of {where}", {"reply": float, "nudges": int})
                reply = sh.number(pat, "reply", f"'patience' of {where}", lo=1)
                nudges = sh.number(pat, "nudges", f"'patience' of {where}", lo=0, hi=10)
            choices = self.choices(spec, where, bool(end), names)
            situation = spec.get("situation")
            known = getattr(self.lib.situations, "items", None)
            if isinstance(situation, str) and known is not None and situation not in known:
                r.error(spec.value_mark("situation"), *unknown("situation", situation, known))
                situation = None
            out[name] = StateDef(name=name, say=say, end=end, on=on, choices=choices,
                                 reply=float(reply) if reply is not None else None,
                                 nudges=int(nudges) if nudges is not None else None,
                                 away=bool(spec.get("away", False)),
                                 situation=situation if isinstance(situation, str) else None)
        return out

    def choices(self, spec: PosDict, where: str, is_end: bool, names=()) -> tuple[Choice, ...]:
        r, sh = self.r, self.sh
        cl = spec.get("choices")
        if not isinstance(cl, PosList):
            return ()
        if is_end:
            r.error(spec.key_mark("choices"), f"{where} is an ending; the trainee has nothing to choose there")
            return ()
        if not 3 <= len(cl) <= 4:
            r.error(spec.key_mark("choices"), f"{where} has {len(cl)} choices; give 3 or 4",
                    "one best reply and two or three typical mistakes")
        out = []
        for i, c in enumerate(cl):
            cw = f"choice {i + 1} of {where}"
            if not sh.mapping(c, cl.item_mark(i), cw):
                continue
            if sh.keys(c, cw, {"text": str, "why": str, "best": bool}, required=("text", "why")) and \
                    "text" in c and "why" in c:
                self.placeholders(c["text"], c.value_mark("text"), cw, names)  # filled as buyer lines are
                out.append(Choice(text=c["text"], why=c["why"], best=bool(c.get("best", False))))
        best = sum(1 for c in out if c.best)
        if out and best != 1:
            r.error(spec.key_mark("choices"), f"{where} must mark exactly one choice 'best: true', not {best}")
        return tuple(out)

    def transition(self, trig, t: PosDict, where, sm, known_vars, settable, names) -> TransitionDef | None:
        r, sh = self.r, self.sh
        sh.keys(t, where, _TRANS_KEYS)
        dest = t.get("to")
        if isinstance(dest, str) and dest not in sm:
            r.error(t.value_mark("to"), *unknown("state", dest, sm))
        cond = self.cond(t, "if", known_vars) if isinstance(t.get("if"), str) else None
        sets = []
        for key in ("set", "add"):
            m = t.get(key)
            if isinstance(m, PosDict):
                for var, val in m.items():
                    if var not in settable:
                        msg, hint = unknown("variable", var, settable)
                        r.error(m.key_mark(var), f"{msg} in '{key}'",
                                hint or "declare it under 'vars:' at the top of the persona")
                    elif not is_type(val, float):
                        r.error(m.value_mark(var), f"'{key}' value of '{var}' must be a number")
                    else:
                        sets.append((key, str(var), float(val)))
                        self.used.add(str(var))
        flags = t.get("flag", ())
        flags = (flags,) if isinstance(flags, str) else tuple(str(f) for f in flags or ())
        mood = t.get("mood", 0)
        if not isinstance(mood, (int, float)) or isinstance(mood, bool):
            mood = 0
        return TransitionDef(trigger=trig, dest=dest if isinstance(dest, str) else None, cond=cond,
                             mood=float(mood), say=self.lines(t, "say", where, names),
                             set=tuple((k, v) for s, k, v in sets if s == "set"),
                             add=tuple((k, v) for s, k, v in sets if s == "add"), flags=flags)

    def graph(self, d: PosDict, states: dict[str, StateDef]) -> None:
        r = self.r
        sm = d["states"]
        start = d.get("start")
        if isinstance(start, str) and start not in states:
            if start not in sm:
                r.error(d.value_mark("start"), *unknown("start state", start, states))
            return
        if not isinstance(start, str):
            return
        edges = {n: {t.dest for ts in s.on.values() for t in ts if t.dest} for n, s in states.items()}
        ends = {n for n, s in states.items() if s.end}
        if not ends:
            r.error(d.key_mark("states"), "the persona has no ending",
                    "add a state with 'end: success' and one with 'end: lost'")
            return
        seen, todo = {start}, deque([start])
        while todo:
            for nxt in edges.get(todo.popleft(), ()):
                if nxt in states and nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        for n in states:
            if n not in seen:
                r.error(sm.key_mark(n), f"state '{n}' cannot be reached from the start state '{start}'",
                        "add a transition to it ('to: " + n + "') or remove it")
        if not ends & seen:
            r.error(d.value_mark("start"), "no ending can be reached from the start state")
            return
        # Backwards from the endings: every reachable state must be able to finish.
        rev: dict[str, set[str]] = {n: set() for n in states}
        for n, outs in edges.items():
            for o in outs:
                if o in rev:
                    rev[o].add(n)
        can_end, todo = set(ends), deque(ends)
        while todo:
            for prev in rev[todo.popleft()]:
                if prev not in can_end:
                    can_end.add(prev)
                    todo.append(prev)
        for n in states:
            if n in seen and n not in can_end and states[n].on:
                r.error(sm.key_mark(n), f"no ending can be reached from state '{n}'",
                        "the buyer would be stuck there forever; add a way to an ending")


def load_persona(path: Path, lib: Library) -> tuple[Report, Persona | None, Mark]:
    report, d = _read(path)
    if d is None:
        return report, None, Mark(1, 1)
    return report, _PersonaChecker(report, lib).check(d), d.value_mark("id")


# ---------------------------------------------------------------- library

def persona_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.yaml") if not p.name.endswith(".test.yaml"))


def load_library(root: Path | str = "scenarios", extra_personas: list[Path] | None = None) -> Library:
    """Load rules, shops and personas under `root`; broken files are reported and skipped."""
    root = Path(root)
    lib = Library(root=root)
    rules = root / "rules"
    intents_path = rules / "intents.yaml"
    if intents_path.exists():
        rep, lib.intents = load_intents(intents_path)
        lib.reports.append(rep)
    replies_path = rules / "replies.yaml"
    if replies_path.exists() and lib.intents:
        rep, lib.intents = load_replies(replies_path, lib.intents)
        lib.reports.append(rep)
    reader_path = rules / "reader.yaml"
    if reader_path.exists():
        rep, lib.lexicon = load_reader_rules(reader_path, lib.intent_names if lib.intents else None)
        lib.reports.append(rep)
    buyer_path = rules / "buyer.yaml"
    if buyer_path.exists():
        rep, lib.buyer_defaults = load_buyer_defaults(buyer_path, lib.intent_names if lib.intents else None)
        lib.reports.append(rep)
    from game.scoring.rubric import load_rubric  # the scoring rubric and config (rubric*.yaml, scoring.yaml)
    reps, lib.rubric = load_rubric(rules, lib.intent_names if lib.intents else None)
    lib.reports.extend(reps)
    situations_path = rules / "situations.yaml"
    if situations_path.exists():
        from game.scoring.situations import load_situations
        rep, lib.situations = load_situations(situations_path, lib.intent_names if lib.intents else None)
        lib.reports.append(rep)
    diagnosis_path = rules / "diagnosis.yaml"
    if diagnosis_path.exists():
        rep, lib.diagnosis = load_diagnosis(diagnosis_path, lib.intent_names, lib.rubric)
        lib.reports.append(rep)
    seen_ids: dict[str, str] = {}
    for path in sorted((root / "shops").glob("*.yaml")):
        rep, shop = load_shop(path)
        if shop is not None and shop.id in lib.shops:
            rep.error(Mark(1, 1), f"duplicate shop id '{shop.id}'", f"also in {lib.shops[shop.id].path}")
            shop = None
        if shop is not None:
            lib.shops[shop.id] = shop
        lib.reports.append(rep)
    for path in persona_files(root / "personas") + list(extra_personas or []):
        add_persona(lib, path, seen_ids)
    from .lessons import load_lessons  # lessons refer to personas, so they load last
    load_lessons(lib)
    return lib


def add_persona(lib: Library, path: Path, seen_ids: dict[str, str] | None = None) -> Report:
    seen_ids = seen_ids if seen_ids is not None else {p.id: p.path for p in lib.personas.values()}
    rep, persona, id_mark = load_persona(path, lib)
    if persona is not None and persona.id in seen_ids:
        rep.error(id_mark, f"duplicate persona id '{persona.id}'", f"also in {seen_ids[persona.id]}")
        persona = None
    if persona is not None:
        seen_ids[persona.id] = persona.path
        lib.personas[persona.id] = persona
    lib.reports.append(rep)
    return rep
