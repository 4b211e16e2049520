"""Typed content, as the engine and the tools use it once a file has passed validation."""
from __future__ import annotations

from dataclasses import dataclass, field

from .conditions import Condition

ENDINGS = ("success", "lost", "bad_review", "escalated")
# Triggers that are not trainee intents: the clock, the fallback and the buyer's own mood.
EVENT_TRIGGERS = ("timeout", "unknown", "any", "mood_low")


# What the 商品 tab can draw for a product (``picture:`` in a shop file); the window draws each kind.
PICTURES = ("shoe", "boot", "watch", "dress", "cardigan", "jeans", "tshirt", "coat", "planter", "tools")


@dataclass(frozen=True)
class Product:
    sku: str
    name: str
    price: float
    floor_price: float
    stock: int
    sizes: tuple[str, ...] = ()
    colors: tuple[str, ...] = ()
    materials: tuple[str, ...] = ()
    selling_points: tuple[str, ...] = ()
    weak_points: tuple[str, ...] = ()
    picture: str = ""  # one of PICTURES; empty: the tab shows the colour swatches only


@dataclass(frozen=True)
class Policies:
    free_shipping_threshold: float | None = None
    return_days: int = 7
    exchange_days: int = 7
    invoice_tax_rate: float = 0.0
    shipping_cutoff: str = ""
    default_courier: str = ""
    couriers: tuple[tuple[str, float], ...] = ()  # (name, surcharge)
    cash_on_delivery: bool = False
    notes: tuple[str, ...] = ()
    # what an agent may give away; None when the shop file does not say (then no gift is judged)
    gifts: tuple["Gift", ...] | None = None
    # may the agent pay a refund in the chat? None when the shop file does not say
    instant_refund: bool | None = None
    custom_days: int = 0  # the fewest days a made-to-order item takes to make; 0: the shop makes none


@dataclass(frozen=True)
class Gift:
    name: str
    words: tuple[str, ...] = ()  # other names a reply may give it (三件套, 工具)
    per_order: bool = False  # one with each order, not one with each item


@dataclass(frozen=True)
class Shop:
    id: str
    name: str
    policies: Policies
    products: dict[str, Product]
    path: str = ""

    def numeric_vars(self) -> dict[str, float]:
        p = self.policies
        return {
            "free_shipping_threshold": float(p.free_shipping_threshold or 0),
            "return_days": float(p.return_days),
            "exchange_days": float(p.exchange_days),
            "invoice_tax_rate": float(p.invoice_tax_rate),
        }


@dataclass(frozen=True)
class BuyerDefaults:
    """Seed figures and stock lines every persona starts from (scenarios/rules/buyer.yaml)."""
    first_reply: float = 15.0
    golden: float = 6.0
    reply: float = 20.0
    nudges: int = 2
    chars_per_second: float = 3.0
    think: float = 1.0
    min_delay: float = 1.0
    max_delay: float = 8.0
    mood_start: float = 60.0
    mood_nudge: float = -8.0
    mood_confused: float = -3.0
    anger_at: float = 20.0
    nudge_lines: tuple[str, ...] = ("在吗?", "人呢?")
    confused_lines: tuple[str, ...] = ("你说的是什么意思呀?",)
    leave_lines: tuple[str, ...] = ("算了,我去别家看看",)
    archetypes: dict[str, str] = field(default_factory=dict)
    # What a trainee's question is about (topic -> words): a persona's `buyer.answers` says what the
    # buyer answers to each topic she is asked about (scenarios/rules/buyer.yaml `questions`).
    question_topics: dict = field(default_factory=dict)
    question_marks: dict = field(default_factory=dict)  # end / soft_end / ask: what makes a sentence a question
    # Moves that, said with a greeting, answer the greeting and not the buyer's next question, unless
    # they ask her about a topic outside `greeting_topics`; a state taking one of `question_moves`
    # has heard the trainee's question itself (the buyer answers in the state's words)
    with_greeting: tuple[str, ...] = ()
    greeting_topics: tuple[str, ...] = ()
    question_moves: tuple[str, ...] = ()
    # topic -> moves that, in a message asking her about that topic, are part of the question
    asking_drops: dict = field(default_factory=dict)
    proposals: dict = field(default_factory=dict)  # topic -> words of a clause that proposes, not asks ("38码吧?")
    # Chinese titles of the flags personas raise (a trainee never sees a raw name like below_floor)
    flag_titles: dict = field(default_factory=dict)


@dataclass(frozen=True)
class TrackStep:
    at: str    # as the courier's page shows it, e.g. "11-26 09:12"
    text: str


@dataclass(frozen=True)
class Order:
    """The order an after-sales buyer has with the shop: what the 订单 tab shows."""
    number: str
    status: str
    items: tuple[str, ...] = ()
    paid: float | None = None
    placed: str = ""
    courier: str = ""
    tracking: tuple[TrackStep, ...] = ()


@dataclass(frozen=True)
class Buyer:
    name: str
    mood: float
    first_reply: float
    reply: float
    nudges: int
    chars_per_second: float
    anger_at: float
    nudge_lines: tuple[str, ...]
    confused_lines: tuple[str, ...]
    leave_lines: tuple[str, ...]
    tags: tuple[str, ...] = ()  # what the shop's CRM shows (新顾客, 第3次购买, 会员)
    # topic -> lines: what she answers when the trainee asks her about it (her size, which item...)
    answers: dict = field(default_factory=dict)


@dataclass(frozen=True)
class TransitionDef:
    trigger: str
    dest: str | None          # None: stay in the same state
    cond: Condition | None
    mood: float = 0.0
    say: tuple[str, ...] = ()
    set: tuple[tuple[str, float], ...] = ()
    add: tuple[tuple[str, float], ...] = ()
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Choice:
    """A ready-made reply for beginners; choosing it is the same as typing it."""
    text: str
    why: str
    best: bool = False


@dataclass(frozen=True)
class StateDef:
    name: str
    say: tuple[str, ...]
    end: str | None
    on: dict[str, tuple[TransitionDef, ...]]  # in the author's order: earlier wins
    choices: tuple[Choice, ...] = ()
    reply: float | None = None    # patience in this state, overriding the buyer's
    nudges: int | None = None
    away: bool = False            # the buyer is offline: trainee lines are left messages, not timed replies
    situation: str | None = None  # what the buyer's lines here ask for (rules/situations.yaml); read from them if unset


@dataclass
class Persona:
    id: str
    title: str
    summary: str
    archetype: str
    difficulty: int
    shop: Shop
    product: Product
    buyer: Buyer
    vars: dict[str, float]
    list_price: float
    floor_price: float
    start: str
    states: dict[str, StateDef]
    path: str = ""
    digest: str = ""
    # The persona's own examples: more for a shared intent, or intents of its own (刻字, 试用装).
    intents: tuple = ()  # game.language.vocab.IntentDef
    order: Order | None = None  # after-sales buyers: the order they write about
    _machine: object = field(default=None, repr=False, compare=False)

    @property
    def endings(self) -> dict[str, str]:
        return {n: s.end for n, s in self.states.items() if s.end}
