"""The rubric as loaded: rules, strengths and the scoring configuration (all from scenarios/rules/)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from game.content.conditions import Condition

# "tip" is advice (style the seeds ask for), not a fault: a team lead passes the reply all the same.
SEVERITIES = ("tip", "minor", "major", "severe")
CHECKS = ("overlong", "question_ignored", "repetition", "other_buyers", "stage", "first_reply_slow", "reply_slow", "typing_slow",
          "golden", "empty", "weak_point_denied", "material_unlisted")
# Checks about when and how fast a reply was sent, not its words: rewording cannot fix them, so they
# neither block nor take part in a rewrite of the trainee's sentence.
WORDLESS_CHECKS = ("first_reply_slow", "reply_slow", "typing_slow")
# Context variables a rule's `when:` may read (facts of the shop file and of the haggle so far).
CONTEXT_VARS = (
    "list_price", "floor_price", "stock", "free_shipping_threshold", "return_days", "exchange_days", "cod",
    "cutoff", "tax_rate", "offer", "offer_step", "prev_offer", "justified", "gift_per_order",
    "instant_refund", "custom_days", "buyer_hour", "buyer_qty", "buyer_days", "buyer_size", "buyer_fit",
    "product_fit", "price_gap",
)
# Named pattern groups with a meaning of their own; any other group is read as a number.
SPECIAL_GROUPS = {"size": "size_listed", "color": "color_listed", "courier": "courier_fee", "half": "half",
                  "gift": "gift_listed"}
# Lists of the shop file a rewrite or model sentence may name as {sizes}, {colors}, {couriers}.
CONTEXT_LISTS = ("sizes", "colors", "couriers", "shop", "product", "materials", "points", "weak_points", "gifts")
# `{name|default}` in a rewrite or model sentence: the shop's fact when the chat knows it, else the default.
PLACEHOLDER = re.compile(r"\{([a-z_]+)(?:\|([^{}]*))?\}")


@dataclass(frozen=True)
class Example:
    """One example or counter-example line of a rule, with the chat context it needs."""
    text: str
    stage: str | None = None
    first: bool = False
    wait: float | None = None
    typing_seconds: float | None = None
    previous: tuple[str, ...] = ()
    others: tuple[str, ...] = ()
    facts: tuple[tuple[str, object], ...] = ()  # context vars and lists (sizes, colors, couriers)
    line: int = 0
    buyer: str | None = None  # the buyer message the line answers


@dataclass(frozen=True, eq=False)  # identity: rules are looked up in lists on every reply
class Rule:
    id: str
    category: str
    severity: str
    title: str
    why: str
    rewrite: str
    source: str = ""
    phrases: tuple[str, ...] = ()
    patterns: tuple[re.Pattern, ...] = ()
    whole: frozenset[str] = frozenset()  # compact forms the whole reply may equal
    absent: tuple[str, ...] = ()  # fires when none of these occurs
    check: str | None = None
    expect_intents: tuple[str, ...] = ()
    intents: tuple[str, ...] = ()  # fires when the reader reads one of these (faults judged by meaning)
    stages: tuple[str, ...] = ()
    first_only: bool = False
    min_chars: int = 0
    except_: tuple[str, ...] = ()  # compact forms
    unless_before: tuple[str, ...] = ()
    if_before: tuple[str, ...] = ()
    unless_clause: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()  # any of these anywhere in the reply cancels the hit
    unless_intents: tuple[str, ...] = ()  # ... and so does the reader finding one of these moves
    unless_buyer: tuple[str, ...] = ()  # ... and so do these in the buyer's message it answers
    unless_said: tuple[str, ...] = ()  # ... and these in the trainee's earlier replies of the chat
    if_buyer: tuple[str, ...] = ()  # the hit counts only when the buyer's words or the product name hold one
    buyer_asks: tuple[re.Pattern, ...] = ()  # ... or only when the message it answers matches one of these
    negatable: bool = True
    when: Condition | None = None
    replace: tuple[tuple[str, str], ...] = ()  # (compact phrase, replacement); "*" is the default
    prefix: str = ""
    suffix: str = ""
    max_score: float | None = None  # a reply with this fault scores at most this much
    # check weak_point_denied: a flaw word of the product's weak points -> words that deny it
    denials: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # check question_ignored: not_topic, lead, answer_starts, answer_within -> words (compact)
    topics: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # check material_unlisted: a shop material holding one of option_marks (菠萝格(加价)) is an
    # option, not what the product is made of; naming it is a claim unless the reply has option_words
    option_marks: tuple[str, ...] = ()
    option_words: tuple[str, ...] = ()
    examples: tuple[Example, ...] = ()
    counter_examples: tuple[Example, ...] = ()
    path: str = ""
    line: int = 0

    @property
    def wordless(self) -> bool:
        return self.check in WORDLESS_CHECKS

    def replacement(self, compact_text: str) -> str | None:
        default = None
        for k, v in self.replace:
            if k == compact_text:
                return v
            if k == "*":
                default = v
        return default


@dataclass(frozen=True)
class StrengthDef:
    id: str
    title: str
    intents: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    patterns: tuple[re.Pattern, ...] = ()
    raw_patterns: tuple[re.Pattern, ...] = ()  # on the text as typed (emoticon codes survive there)
    check: str | None = None
    if_before: tuple[str, ...] = ()
    politeness: bool = False  # counts for the mood bonus of a clean reply


@dataclass(frozen=True)
class Severity:
    name: str
    title: str
    reply: float
    chat: float
    mood: float
    fault: bool = True  # false: advice on style; a reply with only these is not a faulty reply
    voids_stage: bool = False  # a fault of tone this grave makes the reply do no stage's work


@dataclass(frozen=True)
class FlowStage:
    stage: str
    intents: tuple[str, ...]
    weight: float = 0.0
    model: str = ""
    place: str = "after"
    anytime: bool = False  # a stage the buyer may call up at any point: never out of order


@dataclass(frozen=True)
class Flow:
    name: str
    title: str
    stages: tuple[FlowStage, ...]
    required: tuple[tuple[str, ...], ...]  # each item: alternatives
    order_penalty: float = 10.0

    def stage(self, name: str) -> FlowStage | None:
        return next((s for s in self.stages if s.stage == name), None)


@dataclass(frozen=True)
class Cap:
    max: float
    why: str
    category: str | None = None
    severity: str | None = None
    rule: str | None = None
    outcome: str | None = None


@dataclass(frozen=True)
class Grade:
    min: float
    grade: str
    label: str


@dataclass(frozen=True)
class ScoringConfig:
    severities: dict[str, Severity]
    categories: dict[str, tuple[str, str]]  # name -> (title, dimension)
    dimensions: dict[str, tuple[str, float]]  # name -> (title, weight)
    timing: dict[str, object]
    repetition: dict[str, float]
    caps: tuple[Cap, ...]
    grades: tuple[Grade, ...]
    stages: dict[str, str]  # name -> title
    flows: dict[str, Flow]
    after_sales_archetypes: tuple[str, ...]
    closing: dict[str, object]
    polite_bonus: float = 1.0
    polite_share_penalty: float = 0.0
    unfelt: frozenset = frozenset()  # categories that do not move the buyer's mood
    tone: frozenset = frozenset()  # categories that are faults of tone (a lecture, an insult, blame)
    missing_stage_why: str = "{stage}"
    # Judging against the buyer's message (rules/situations.yaml): points that ride on the situation's
    # moves (span) and on warmth (politeness strengths), and when a reply is a monologue.
    substance: dict = field(default_factory=lambda: {"span": 40.0, "warmth": 6.0, "missing_why": "{title}"})
    path: str = ""

    def grade(self, total: float) -> Grade:
        for g in sorted(self.grades, key=lambda g: -g.min):
            if total >= g.min:
                return g
        return self.grades[-1] if self.grades else Grade(0, "-", "")

    def flow_for(self, archetype: str | None) -> Flow:
        name = "after_sales" if archetype in self.after_sales_archetypes else "sale"
        return self.flows.get(name) or next(iter(self.flows.values()))


@dataclass
class Rubric:
    config: ScoringConfig
    rules: list[Rule] = field(default_factory=list)
    strengths: list[StrengthDef] = field(default_factory=list)

    def rule(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)

    def category_title(self, name: str) -> str:
        return self.config.categories.get(name, (name, ""))[0]

    def dimension_of(self, category: str) -> str:
        return self.config.categories.get(category, ("", "taboo"))[1]
