"""The message table: every refusal has a reason; names, codes, addresses and the rate limit."""
import json

import pytest

from game.classroom import protocol as P
from game.classroom.protocol import ProtocolError


def frame(**kw):
    return json.dumps({"v": P.PROTOCOL_VERSION, **kw}, ensure_ascii=False)


def reason(raw, **kw):
    with pytest.raises(ProtocolError) as e:
        P.decode(raw, **kw)
    return e.value.reason


CHAT_MSG = dict(type="chat_msg", round=1, seq=1, chat="1:haggler-nurse-shoes", n=0, who="agent", kind="line",
                text="亲,您好", time=3.5, wait=2.5, first=True, typing=None, intents=["greet"], state="opening",
                mood=60, feedback=None)


def test_a_valid_message_decodes_with_its_types():
    m = P.decode(frame(**CHAT_MSG), direction="c>h")
    assert m["type"] == "chat_msg" and m["text"] == "亲,您好" and m["mood"] == 60.0 and isinstance(m["mood"], float)
    assert P.decode(P.encode("ping", n=7)) == {"v": 1, "type": "ping", "n": 7}


@pytest.mark.parametrize("raw, expected", [
    (frame(type="nope"), "unknown_type"),
    (json.dumps({"type": "ping", "n": 1}), "bad_version"),
    (json.dumps({"v": 2, "type": "ping", "n": 1}), "bad_version"),
    (json.dumps({"v": True, "type": "ping", "n": 1}), "bad_version"),
    (frame(type="ping"), "missing_field"),
    (frame(type="ping", n=1, admin=True), "extra_field"),
    (frame(type="ping", n="1"), "wrong_type"),
    (frame(type="ping", n=True), "wrong_type"),
    (frame(type="ping", n=-1), "bad_value"),
    (frame(**dict(CHAT_MSG, text="长" * (P.MAX_TEXT + 1))), "too_long"),
    (frame(**dict(CHAT_MSG, text="")), "bad_value"),
    (frame(**dict(CHAT_MSG, text="a\x00b")), "bad_value"),
    (frame(**dict(CHAT_MSG, who="host")), "bad_value"),
    (frame(**dict(CHAT_MSG, chat="../../etc")), "bad_value"),
    (frame(**dict(CHAT_MSG, intents=["x"] * 13)), "too_long"),
    (frame(**dict(CHAT_MSG, feedback={"score": 1})), "missing_field"),
    (frame(**dict(CHAT_MSG, mood=None)), "wrong_type"),
    ('{"v": 1, "type": "ping", "n": NaN}', "bad_json"),
    ('{"v": 1, "type": "ping", "n": 1, "n": 2}', "bad_json"),
    ('{"v": 1, "type": "ping", "n": ', "bad_json"),
    ("[1, 2, 3]", "bad_json"),
    ("[" * 100_00 + "]" * 100_00, "too_big"),
    ("[" * 5000 + "]" * 5000, "bad_json"),
    ('{"v": 1, "type": "rp_say", "round": 1, "seq": 1, "text": "\\ud800"}', "bad_value"),
    (b'{"v": 1, "type": "ping", "n": 1}', "bad_frame"),
    ("x" * (P.MAX_FRAME + 1), "too_big"),
])
def test_refusals_name_their_reason(raw, expected):
    assert reason(raw) == expected
    assert expected in P.REFUSALS


def test_direction_is_checked_and_refusals_read_in_chinese():
    assert reason(P.encode("pong", n=1), direction="c>h") == "unknown_type"
    with pytest.raises(ProtocolError) as e:
        P.decode(frame(type="ping"))
    assert "缺少字段" in e.value.text and e.value.detail == "缺少字段 ping.n"


def test_every_message_type_is_in_the_table_text():
    text = P.table()
    for name in P.MESSAGES:
        assert f" {name}:" in text
    assert all(d in ("c>h", "h>c") for d, _ in P.MESSAGES.values())


@pytest.mark.parametrize("raw, name", [("小王", "小王"), ("  Amy   Li ", "Amy Li"), ("ＡＢ１", "AB1"),
                                       ("张_三-2", "张_三-2"), ("a" * P.NAME_MAX, "a" * P.NAME_MAX)])
def test_good_names(raw, name):
    assert P.check_name(raw) == name


@pytest.mark.parametrize("raw", ["", "   ", "a" * (P.NAME_MAX + 1), "小王😀", "<script>", "a\nb", "名字!", 5])
def test_bad_names(raw):
    with pytest.raises(ProtocolError) as e:
        P.check_name(raw)
    assert e.value.reason == "bad_name"


def test_names_differ_only_in_case_or_width_are_the_same():
    assert P.name_key("Amy") == P.name_key("amy") == P.name_key(P.check_name("ＡＭＹ"))


def test_codes_and_addresses():
    assert P.check_code(" 123 456 ") == "123456"
    for bad in ("12345", "1234567", "abcdef", ""):
        with pytest.raises(ProtocolError):
            P.check_code(bad)
    assert P.parse_address("192.168.1.5:9000") == ("192.168.1.5", 9000)
    assert P.parse_address("192.168.1.5") == ("192.168.1.5", P.DEFAULT_PORT)
    assert P.parse_address("ws://localhost:81/") == ("localhost", 81)
    assert P.parse_address("[::1]:82") == ("::1", 82)
    for bad in ("", "host:0", "host:99999", "a b:1", "host:x"):
        with pytest.raises(ValueError):
            P.parse_address(bad)


def test_token_bucket_allows_a_burst_then_the_rate():
    b = P.TokenBucket(10, 3, now=0.0)
    assert [b.take(0.0) for _ in range(4)] == [True, True, True, False]
    assert b.wait(0.0) == pytest.approx(0.1)
    assert b.take(0.1) and not b.take(0.1)
    assert b.take(10.0) and b.tokens == pytest.approx(2.0)


def test_scores_from_a_real_chat_fit_the_declared_records(library, reader):
    from game.classroom.summary import feedback_summary, report_summary
    from game.engine.script import parse_script, simulate
    from game.scoring.cli import make_judge
    from game.scoring.report import build_report
    judge = make_judge(library)
    res = simulate(library.personas["haggler-nurse-shoes"], parse_script("+4s 在\n+5s 不行,不能便宜"), reader,
                   seed=3, defaults=library.buyer_defaults, judge=judge)
    conv = res.conversation
    agent = [m for m in conv.transcript if m.who == "agent"]
    fb = feedback_summary(agent[1].feedback)
    assert fb["faults"] and fb["score"] is not None
    P.make("chat_msg", **dict(CHAT_MSG, feedback=fb))
    rep = report_summary(build_report(conv, judge.scorer), conv)
    m = P.make("chat_end", round=1, seq=2, chat="1:x", outcome=conv.outcome, reason="x", report=rep)
    assert m["report"]["turns"] == 2 and {d["name"] for d in m["report"]["dimensions"]} >= {"politeness", "timing"}


def test_cards_fit_the_round_start(library):
    from game.classroom.roleplay import persona_card, product_card
    for p in library.personas.values():
        card, prod = persona_card(p), product_card(p)
        P.make("round_start", round=1, kind="roleplay", mode="practice", title=p.title, personas=[p.id],
               digests=[{"persona": p.id, "digest": "abc"}], seed=1, gap=0, pass_mark=None, role="buyer",
               partner="小王", chat=f"rp1-1:{p.id}", card=card, product=prod)
        assert card["openings"] and "{" not in "".join(card["openings"]), p.id


def test_the_classroom_never_imports_pygame():
    import subprocess
    import sys

    from tests.conftest import ROOT
    code = ("import sys, game.classroom.cli, game.classroom.host, game.classroom.client, game.classroom.student; "
            "print('pygame' in sys.modules)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=str(ROOT), timeout=60)
    assert r.stdout.strip() == "False", r.stderr
