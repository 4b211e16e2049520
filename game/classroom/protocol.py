"""The classroom's wire protocol: a declared table of message types, and the limits of a room.

Every frame is one JSON object (text, UTF-8) with `v` (PROTOCOL_VERSION) and `type`, plus exactly
the fields the table declares for that type, each checked for its type, length, range or allowed
values. Nothing from the network is eval'ed or unpickled: `json.loads` only, then `validate`.
A message that does not fit is refused with a reason code (REFUSALS) and a Chinese text.

    msg = decode(raw)            # ProtocolError(reason, detail) when it does not fit
    raw = encode("ping", n=3)    # validated on the way out too: a bug here never reaches the wire

Headless: no pygame, no websockets (the host and the client import those).
"""
from __future__ import annotations

import json
import math
import re
import unicodedata
from dataclasses import dataclass

PROTOCOL_VERSION = 1

# ---------------------------------------------------------------- limits of a room
MAX_FRAME = 16 * 1024            # bytes of one client frame the host reads (larger: refused, 'too_big')
HARD_MAX_FRAME = 64 * 1024       # websockets closes the connection (1009) on anything larger
MAX_HOST_FRAME = 1024 * 1024     # bytes of one host frame a client accepts (a resume can be long)
MAX_TEXT = 500                   # characters of one chat line
RATE = 20.0                      # messages a second a client may send, sustained ...
BURST = 60                       # ... with a burst of this many (token bucket)
CLIENT_RATE = 15.0               # what the client paces itself to (under RATE, so it is never refused)
CLIENT_BURST = 40
SAY_RATE = 1.0                   # role-play lines a second one student may say, sustained ...
SAY_BURST = 5                    # ... with a burst of this many (the host reads and scores each)
FLOOD_KICK = 200                 # messages dropped for rate within FLOOD_WINDOW: the connection is closed
FLOOD_WINDOW = 10.0
MAX_ERRORS = 50                  # invalid messages on one connection before it is closed
NAME_MAX = 16                    # characters of a student's name
MAX_CLIENTS = 60                 # students in a room by default ...
MAX_CLIENTS_CAP = 200            # ... and the most a host may allow
HELLO_TIMEOUT = 5.0              # seconds a new connection has to say hello
CODE_DIGITS = 6                  # the join code: six digits (Kahoot-style PIN)
WRONG_CODE_LIMIT = 5             # wrong codes from one address within WRONG_CODE_WINDOW: refused for a while
WRONG_CODE_WINDOW = 60.0
# Wrong codes from all addresses together within WRONG_CODE_WINDOW: beyond this the room takes no new
# names for a while (10 s, then twice as long each time, at most 5 min); seats with their key still rejoin.
WRONG_CODE_GLOBAL = 30
LOCKOUT_FIRST, LOCKOUT_MAX = 10.0, 300.0
ROUND_GRACE = 3.0                # seconds the host waits for students' last results when a round ends
RESEND_AFTER = 2.0               # seconds a client waits for an ack before sending a result again
DEFAULT_PORT = 8765
MAX_PERSONAS = 8                 # personas in one round

NAME_RE = re.compile(r"^[\u4e00-\u9fff\u3400-\u4dbfA-Za-z0-9 _\-]+$")
CODE_RE = re.compile(rf"^\d{{{CODE_DIGITS}}}$")
ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
CHAT_RE = re.compile(r"^[A-Za-z0-9:#_\-]{1,80}$")
TOKEN_RE = re.compile(r"^[A-Za-z0-9_\-]{8,64}$")

OUTCOMES = ("success", "lost", "bad_review", "escalated", "unfinished")
BUYER_ENDINGS = ("success", "lost", "bad_review")   # what a human buyer ends a role-play chat with
MODES = ("practice", "exam")
MSG_KINDS = ("line", "nudge", "confused", "repeat", "leave", "message")
SEVERITIES = ("tip", "minor", "major", "severe", "")

# Reason codes of refusals and errors, with what a student reads (Chinese).
REFUSALS: dict[str, str] = {
    "wrong_code": "房间码不对,请向培训师确认房间码。",
    "duplicate_name": "这个名字已经有人在用了,请换一个名字。",
    "kicked": "培训师已将你移出课堂。",
    "banned": "培训师已禁止这个名字加入本课堂。",
    "seat_taken": "这个名字的座位还保留着,只有原来的电脑能重新连上;请换一个名字,或请培训师处理。",
    "room_full": "房间已满,请联系培训师。",
    "bad_name": f"名字只能用中文、字母、数字、空格、_ 和 -,最长 {NAME_MAX} 个字。",
    "bad_version": "程序版本和房间不一致,请使用同一版本的 KefuSim。",
    "too_many_attempts": "房间码输错次数太多,请一分钟后再试。",
    "hello_first": "请先加入房间(发送 hello)。",
    "hello_timeout": "连接后没有及时加入房间。",
    "bad_token": "培训师口令不对。",
    "not_host": "只有培训师可以控制回合。",
    "rate_limited": "发送太快了,请稍等再发。",
    "too_big": "消息太长了。",
    "bad_frame": "收到无法识别的数据(只接受 JSON 文本)。",
    "bad_json": "收到的数据不是有效的 JSON。",
    "unknown_type": "不认识的消息类型。",
    "missing_field": "消息缺少字段。",
    "extra_field": "消息有多余的字段。",
    "wrong_type": "消息字段的类型不对。",
    "too_long": "消息字段太长。",
    "bad_value": "消息字段的值不允许。",
    "not_in_round": "你不在这一回合中。",
    "no_round": "现在没有进行中的回合。",
    "wrong_role": "你在这一回合中不是这个角色。",
    "chat_over": "这段对话已经结束。",
    "gap": "消息顺序有误,客户端会重新发送。",
    "bad_round": "无法开始这一回合。",
    "replaced": "你在另一处重新加入了房间,这里的连接已断开。",
    "closed": "培训师关闭了房间。",
    "internal": "房间处理这条消息时出错,已跳过。",
}

FATAL = {"wrong_code", "duplicate_name", "seat_taken", "kicked", "banned", "room_full", "bad_name", "bad_version", "too_many_attempts",
         "bad_token", "replaced", "closed"}  # a client does not retry after these


def refusal_text(reason: str, detail: str = "") -> str:
    text = REFUSALS.get(reason, "请求被拒绝。")
    return f"{text}({detail})" if detail else text


class ProtocolError(ValueError):
    """A frame or message that does not fit the protocol: `reason` is a REFUSALS key."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail

    @property
    def text(self) -> str:
        return refusal_text(self.reason, self.detail)


# ---------------------------------------------------------------- field specs
@dataclass(frozen=True)
class Str:
    max: int
    min: int = 0
    pattern: re.Pattern | None = None
    multiline: bool = False

    def check(self, v, where: str):
        if not isinstance(v, str):
            raise ProtocolError("wrong_type", f"{where} 应为文本")
        if len(v) > self.max:
            raise ProtocolError("too_long", f"{where} 最多 {self.max} 个字符")
        if len(v) < self.min:
            raise ProtocolError("bad_value", f"{where} 不能为空" if self.min == 1 else f"{where} 太短")
        for ch in v:
            if ch < " " and not (self.multiline and ch == "\n") or ch == "\x7f":
                raise ProtocolError("bad_value", f"{where} 含有控制字符")
            if "\ud800" <= ch <= "\udfff":
                raise ProtocolError("bad_value", f"{where} 含有无效字符")
        if self.pattern is not None and not self.pattern.match(v):
            raise ProtocolError("bad_value", f"{where} 格式不对")
        return v


@dataclass(frozen=True)
class Int:
    lo: int = 0
    hi: int = 2**31 - 1

    def check(self, v, where: str):
        if isinstance(v, bool) or not isinstance(v, int):
            raise ProtocolError("wrong_type", f"{where} 应为整数")
        if not self.lo <= v <= self.hi:
            raise ProtocolError("bad_value", f"{where} 应在 {self.lo}..{self.hi} 之间")
        return v


@dataclass(frozen=True)
class Num:
    lo: float = 0.0
    hi: float = 1e7

    def check(self, v, where: str):
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise ProtocolError("wrong_type", f"{where} 应为数字")
        if not math.isfinite(v) or not self.lo <= v <= self.hi:
            raise ProtocolError("bad_value", f"{where} 应在 {self.lo:g}..{self.hi:g} 之间")
        return float(v)


@dataclass(frozen=True)
class Bool:
    def check(self, v, where: str):
        if not isinstance(v, bool):
            raise ProtocolError("wrong_type", f"{where} 应为 true/false")
        return v


@dataclass(frozen=True)
class Enum:
    values: tuple[str, ...]

    def check(self, v, where: str):
        if not isinstance(v, str):
            raise ProtocolError("wrong_type", f"{where} 应为文本")
        if v not in self.values:
            allowed = "/".join(x or '""' for x in self.values)
            raise ProtocolError("bad_value", f"{where} 只能是 {allowed}")
        return v


@dataclass(frozen=True)
class List:
    item: object
    max: int

    def check(self, v, where: str):
        if not isinstance(v, list):
            raise ProtocolError("wrong_type", f"{where} 应为列表")
        if len(v) > self.max:
            raise ProtocolError("too_long", f"{where} 最多 {self.max} 项")
        return [self.item.check(x, f"{where}[{i}]") for i, x in enumerate(v)]


@dataclass(frozen=True)
class F:
    """A field: its spec, whether it may be missing, whether it may be null."""
    spec: object
    optional: bool = False
    nullable: bool = False


class Obj:
    """A record with exactly these fields (unknown keys refused)."""

    def __init__(self, **fields):
        self.fields = {k: (f if isinstance(f, F) else F(f)) for k, f in fields.items()}

    def check(self, v, where: str):
        if not isinstance(v, dict):
            raise ProtocolError("wrong_type", f"{where} 应为对象")
        return check_fields(self.fields, v, where)


def check_fields(fields: dict[str, F], d: dict, where: str) -> dict:
    extra = [k for k in d if k not in fields]
    if extra:
        raise ProtocolError("extra_field", f"{where}: 不允许的字段 {', '.join(sorted(map(str, extra)))[:100]}")
    out = {}
    for name, f in fields.items():
        path = f"{where}.{name}" if where else name
        if name not in d:
            if f.optional:
                continue
            raise ProtocolError("missing_field", f"缺少字段 {path}")
        val = d[name]
        if val is None:
            if not f.nullable:
                raise ProtocolError("wrong_type", f"{path} 不能为 null")
            out[name] = None
            continue
        out[name] = f.spec.check(val, path)
    return out


# ---------------------------------------------------------------- the table
NAME = Str(NAME_MAX * 2, 1)          # checked again by check_name (characters, length after trimming)
ROUND = Int(1, 10**6)
SEQ = Int(1, 10**7)
CHAT = Str(80, 1, CHAT_RE)
PID = Str(64, 1, ID_RE)
TEXT = Str(MAX_TEXT, 1, multiline=True)
TIME = Num(0.0, 1e6)
SHORT = Str(80)
WHY = Str(300)
LONG = Str(MAX_TEXT + 200, multiline=True)

FEEDBACK = Obj(
    score=F(Num(0, 100), nullable=True),
    faults=List(Obj(rule=Str(64), title=SHORT, why=WHY, severity=Enum(SEVERITIES), text=Str(200)), 8),
    strengths=List(SHORT, 8),
    rewrite=F(LONG, nullable=True),
)
REPORT = Obj(
    total=Num(0, 100), grade=Str(8), grade_label=Str(16),
    dimensions=List(Obj(name=Str(32, 1), title=Str(32), score=Num(0, 100)), 10),
    improvements=List(Obj(title=SHORT, why=WHY, quote=LONG, rewrite=LONG), 5),
    first_reply=F(Num(0, 1e6), nullable=True), mean_wait=F(Num(0, 1e6), nullable=True),
    max_wait=F(Num(0, 1e6), nullable=True), slow_replies=Int(0, 10**4), nudges=Int(0, 10**4),
    turns=Int(0, 10**4), flags=List(Str(64), 20), final_price=F(Num(0, 1e7), nullable=True),
)
CARD = Obj(  # the persona card a role-play buyer plays from (only ever sent to that buyer)
    title=SHORT, summary=Str(400, multiline=True), buyer=SHORT, shop=SHORT, product=SHORT,
    list_price=Num(0, 1e7), floor_price=Num(0, 1e7), kind=Enum(("sale", "after_sales")),
    want=Str(400, multiline=True), openings=List(Str(200), 6), lines=List(Str(200), 10),
    endings=Str(200),
)
PRODUCT = Obj(  # what the agent sees of the chat: the shop's product card and the buyer's nickname
    shop=SHORT, product=SHORT, list_price=Num(0, 1e7), floor_price=Num(0, 1e7), buyer=SHORT,
)
RESUME_LINE = Obj(chat=CHAT, time=TIME, text=TEXT, typing=F(TIME, nullable=True))
LIMITS = Obj(max_text=Int(1, 10**5), rate=Num(0, 1e4), burst=Int(1, 10**5), max_frame=Int(1, 10**8))

# type -> fields (beside v and type). "c>h": a client sends it; "h>c": the host does.
MESSAGES: dict[str, tuple[str, dict[str, F]]] = {}


def _msg(type_: str, direction_: str, /, **fields) -> None:
    MESSAGES[type_] = (direction_, {k: (f if isinstance(f, F) else F(f)) for k, f in fields.items()})


# ---- client -> host
_msg("hello", "c>h", name=NAME, code=Str(CODE_DIGITS, CODE_DIGITS, CODE_RE), role=Enum(("student", "host")),
     key=F(Str(64, 8, TOKEN_RE), optional=True), token=F(Str(64, 8, TOKEN_RE), optional=True),
     client=F(Str(40), optional=True))
_msg("ping", "c>h", n=Int(0, 2**53))
_msg("bye", "c>h")
_msg("chat_open", "c>h", round=ROUND, seq=SEQ, chat=CHAT, persona=PID, time=TIME,
     seed=F(Int(0, 2**63 - 1), nullable=True))
_msg("chat_msg", "c>h", round=ROUND, seq=SEQ, chat=CHAT, n=Int(0, 10**4), who=Enum(("buyer", "agent")),
     kind=Enum(MSG_KINDS), text=TEXT, time=TIME, wait=TIME, first=Bool(),
     typing=F(TIME, nullable=True), intents=List(Str(40), 12), state=Str(64), mood=Num(0, 100),
     feedback=F(FEEDBACK, nullable=True))
_msg("chat_end", "c>h", round=ROUND, seq=SEQ, chat=CHAT, outcome=Enum(OUTCOMES), reason=Str(64),
     report=F(REPORT, nullable=True))
_msg("round_problem", "c>h", round=ROUND, seq=SEQ,
     reason=Enum(("content_mismatch", "unknown_persona", "other")), detail=Str(300))
_msg("round_done", "c>h", round=ROUND, seq=SEQ)
_msg("rp_say", "c>h", round=ROUND, seq=SEQ, text=TEXT)
_msg("rp_end", "c>h", round=ROUND, seq=SEQ, outcome=Enum(BUYER_ENDINGS))
_msg("host_start", "c>h", personas=List(PID, MAX_PERSONAS), lesson=F(PID, nullable=True),
     step=Int(0, 100), mode=Enum(MODES), roleplay=Bool(), seed=F(Int(0, 2**31 - 1), nullable=True))
_msg("host_end", "c>h")

# ---- host -> client
_msg("welcome", "h>c", name=NAME, key=Str(64, 8, TOKEN_RE), room=SHORT, rejoin=Bool(), limits=LIMITS,
     role=Enum(("student", "host")))
_msg("refused", "h>c", reason=Str(32), text=Str(300), detail=Str(300))
_msg("error", "h>c", reason=Str(32), text=Str(300), detail=Str(300), ref=F(Str(32), nullable=True))
_msg("ack", "h>c", round=ROUND, seq=Int(0, 10**7))
_msg("pong", "h>c", n=Int(0, 2**53))
_msg("ok", "h>c", ref=Str(32), detail=Str(300))
_msg("round_start", "h>c", round=ROUND, kind=Enum(("normal", "roleplay")), mode=Enum(MODES), title=Str(120),
     personas=List(PID, MAX_PERSONAS), digests=List(Obj(persona=PID, digest=Str(64)), MAX_PERSONAS),
     seed=Int(0, 2**31 - 1), gap=Num(0, 3600), pass_mark=F(Int(0, 100), nullable=True),
     role=Enum(("agent", "buyer")), partner=F(NAME, nullable=True), chat=F(CHAT, nullable=True),
     card=F(CARD, nullable=True), product=F(PRODUCT, nullable=True))
_msg("resume", "h>c", round=ROUND, seq=Int(0, 10**7), time=TIME,
     chats=List(Obj(chat=CHAT, n=Int(0, 10**4), ended=Bool()), MAX_PERSONAS),
     lines=List(RESUME_LINE, 2000))
_msg("rp_line", "h>c", round=ROUND, chat=CHAT, n=Int(0, 10**4), who=Enum(("buyer", "agent")), text=TEXT,
     time=TIME, wait=TIME, feedback=F(FEEDBACK, nullable=True))
_msg("rp_over", "h>c", round=ROUND, chat=CHAT, outcome=Enum(OUTCOMES), total=F(Num(0, 100), nullable=True),
     grade=F(Str(8), nullable=True), report=F(REPORT, nullable=True))
_msg("round_stop", "h>c", round=ROUND)
_msg("round_end", "h>c", round=ROUND,
     podium=List(Obj(place=Int(1, 3), name=NAME, score=Num(0, 100)), 3),
     # the student's own chats as the host scored them (the only figures that count)
     results=F(List(Obj(chat=CHAT, title=SHORT, outcome=Enum(OUTCOMES), total=F(Num(0, 100), nullable=True),
                        grade=F(Str(8), nullable=True)), MAX_PERSONAS), optional=True))


# ---------------------------------------------------------------- encode / decode
def _no_constants(name: str):
    raise ProtocolError("bad_json", f"不允许 {name}")


def _pairs(pairs):
    d = {}
    for k, v in pairs:
        if k in d:
            raise ProtocolError("bad_json", f"重复的键 {k[:40]}")
        d[k] = v
    return d


def parse(raw, *, max_bytes: int = MAX_FRAME) -> dict:
    """A frame as a JSON object (not yet checked against the table)."""
    if isinstance(raw, (bytes, bytearray, memoryview)):
        raise ProtocolError("bad_frame", "只接受文本帧")
    if not isinstance(raw, str):
        raise ProtocolError("bad_frame", type(raw).__name__)
    if len(raw) > max_bytes or len(raw.encode("utf-8", "surrogatepass")) > max_bytes:
        raise ProtocolError("too_big", f"最多 {max_bytes} 字节")
    try:
        data = json.loads(raw, object_pairs_hook=_pairs, parse_constant=_no_constants)
    except ProtocolError:
        raise
    except (ValueError, RecursionError) as exc:
        raise ProtocolError("bad_json", str(exc)[:120]) from None
    if not isinstance(data, dict):
        raise ProtocolError("bad_json", "应为 JSON 对象")
    return data


def validate(data: dict, *, direction: str | None = None) -> dict:
    """The message with its fields checked (floats normalised); ProtocolError otherwise."""
    if not isinstance(data, dict):
        raise ProtocolError("bad_json", "应为 JSON 对象")
    t = data.get("type")
    if not isinstance(t, str) or t not in MESSAGES:
        raise ProtocolError("unknown_type", (str(t)[:32] if t is not None else "缺少 type"))
    v = data.get("v")
    if isinstance(v, bool) or v != PROTOCOL_VERSION:
        raise ProtocolError("bad_version", f"协议版本 {str(v)[:16]},需要 {PROTOCOL_VERSION}")
    d, fields = MESSAGES[t]
    if direction is not None and d != direction:
        raise ProtocolError("unknown_type", f"{t} 不能由这一方发送")
    body = {k: val for k, val in data.items() if k not in ("v", "type")}
    out = check_fields(fields, body, t)
    out["type"] = t
    out["v"] = PROTOCOL_VERSION
    return out


def decode(raw, *, direction: str | None = None, max_bytes: int = MAX_FRAME) -> dict:
    return validate(parse(raw, max_bytes=max_bytes), direction=direction)


def make(type_: str, **fields) -> dict:
    """A checked message dict (raises ProtocolError on a programming mistake)."""
    return validate({"v": PROTOCOL_VERSION, "type": type_, **fields})


def encode(type_: str, **fields) -> str:
    return dumps(make(type_, **fields))


def dumps(msg: dict) -> str:
    return json.dumps(msg, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


# ---------------------------------------------------------------- names and codes
def check_name(raw) -> str:
    """A student's name, normalised (NFKC, spaces collapsed); ProtocolError('bad_name') otherwise."""
    if not isinstance(raw, str):
        raise ProtocolError("bad_name", "应为文本")
    if any(unicodedata.category(ch).startswith("C") for ch in raw):
        raise ProtocolError("bad_name", "含有控制字符")
    name = " ".join(unicodedata.normalize("NFKC", raw).split())
    if not name:
        raise ProtocolError("bad_name", "名字不能为空")
    if len(name) > NAME_MAX:
        raise ProtocolError("bad_name", f"最长 {NAME_MAX} 个字")
    if not NAME_RE.match(name):
        raise ProtocolError("bad_name", "含有不允许的字符")
    return name


def name_key(name: str) -> str:
    """Two names that differ only in case or width are the same name in a room."""
    return unicodedata.normalize("NFKC", name).casefold()


def check_code(raw) -> str:
    code = str(raw).strip().replace(" ", "")
    if not CODE_RE.match(code):
        raise ProtocolError("wrong_code", f"房间码是 {CODE_DIGITS} 位数字")
    return code


def parse_address(text: str, default_port: int = DEFAULT_PORT) -> tuple[str, int]:
    """'192.168.1.5:8765', '192.168.1.5', 'localhost:9000', '[::1]:9000' -> (host, port); ValueError in Chinese."""
    t = str(text).strip()
    if t.startswith("ws://"):
        t = t[5:].rstrip("/")
    if not t:
        raise ValueError("请填写培训师电脑的地址,例如 192.168.1.5:8765")
    if t.startswith("["):
        host, _, rest = t[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ""
    elif t.count(":") == 1:
        host, port = t.split(":")
    else:
        host, port = t, ""
    if not host or not re.match(r"^[A-Za-z0-9.\-:]+$", host):
        raise ValueError(f"地址格式不对: {text}(例如 192.168.1.5:8765)")
    if port == "":
        return host, default_port
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"端口应为 1-65535 的数字: {port}")
    return host, int(port)


class TokenBucket:
    """`rate` tokens a second up to `burst`; take() is False when empty. Time is injected."""

    def __init__(self, rate: float, burst: int, now: float):
        self.rate = float(rate)
        self.burst = float(burst)
        self.tokens = float(burst)
        self.t = now

    def _fill(self, now: float) -> None:
        if now > self.t:
            self.tokens = min(self.burst, self.tokens + (now - self.t) * self.rate)
            self.t = now

    def take(self, now: float) -> bool:
        self._fill(now)
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False

    def wait(self, now: float) -> float:
        """Seconds until a token is there (0: now)."""
        self._fill(now)
        return 0.0 if self.tokens >= 1.0 else (1.0 - self.tokens) / self.rate


def table() -> str:
    """The message table as text (for the README and `python -m game.classroom.protocol`)."""
    def spec_text(s) -> str:
        if isinstance(s, Str):
            extra = " pattern" if s.pattern is not None else ""
            return f"str≤{s.max}{extra}"
        if isinstance(s, Int):
            return f"int {s.lo}..{s.hi}"
        if isinstance(s, Num):
            return f"num {s.lo:g}..{s.hi:g}"
        if isinstance(s, Bool):
            return "bool"
        if isinstance(s, Enum):
            return "|".join(x or '""' for x in s.values)
        if isinstance(s, List):
            return f"[{spec_text(s.item)}]≤{s.max}"
        if isinstance(s, Obj):
            return "{" + ", ".join(f"{k}" for k in s.fields) + "}"
        return type(s).__name__

    lines = [f"protocol v{PROTOCOL_VERSION}: every message has v={PROTOCOL_VERSION} and type"]
    for name, (direction, fields) in MESSAGES.items():
        fs = ", ".join(f"{k}{'?' if f.optional else ''}: {spec_text(f.spec)}{' | null' if f.nullable else ''}"
                       for k, f in fields.items())
        lines.append(f"{direction} {name}: {fs or '(no fields)'}")
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    print(table())
