"""Whatever arrives on the wire, the protocol answers with a message or a reason, never an exception
of another kind; and a host fed fuzzed frames keeps serving (issue 14)."""
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from game.classroom import protocol as P

JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=40)),
    lambda inner: st.one_of(st.lists(inner, max_size=5), st.dictionaries(st.text(max_size=10), inner, max_size=5)),
    max_leaves=20,
)
FIELD_NAMES = sorted({name for _d, fields in P.MESSAGES.values() for name in fields})


@st.composite
def near_messages(draw):
    """Objects shaped like real messages: a known type, its fields or others, values of any JSON type."""
    t = draw(st.sampled_from(sorted(P.MESSAGES)))
    _d, fields = P.MESSAGES[t]
    names = draw(st.lists(st.sampled_from(sorted(fields) + FIELD_NAMES) if fields else st.sampled_from(FIELD_NAMES),
                          max_size=len(fields) + 2, unique=True))
    msg = {"v": draw(st.sampled_from([1, 1, 1, 0, 2, "1", True, None])), "type": t}
    for n in names:
        msg[n] = draw(JSON)
    return msg


FRAMES = st.one_of(
    st.text(max_size=300),
    st.binary(max_size=100),
    JSON.map(lambda o: json.dumps(o)),
    near_messages().map(lambda o: json.dumps(o, ensure_ascii=False)),
    st.text(alphabet="{}[]\":,0123456789eE.-truefalsnl ", max_size=200),
    st.integers(0, 200).map(lambda n: "[" * n + "]" * n),
)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(FRAMES)
def test_decode_returns_a_checked_message_or_a_reason(frame):
    for direction in (None, "c>h", "h>c"):
        try:
            msg = P.decode(frame, direction=direction)
        except P.ProtocolError as exc:
            assert exc.reason in P.REFUSALS, exc
            continue
        assert msg["type"] in P.MESSAGES and msg["v"] == P.PROTOCOL_VERSION
        assert P.decode(P.dumps(msg), direction=direction) == msg  # what passed survives a round trip


def test_a_host_fed_fuzzed_frames_still_serves(make_host, raw, make_client):
    import numpy as np

    from tests.classroom.helpers import joined
    host = make_host()
    rng = np.random.default_rng(7)
    kinds = [t for t in sorted(P.MESSAGES) if t != "bye"]  # bye closes the connection, as it should
    answered = 0
    for c in range(4):  # MAX_ERRORS invalid frames close a connection: several connections, 40 each
        with raw(host) as ws:
            assert ws.hello(host, name=f"模糊{c}")["type"] == "welcome"
            for _ in range(40):
                t = kinds[int(rng.integers(len(kinds)))]
                frame = {"v": 1, "type": t}
                for name in P.MESSAGES[t][1]:
                    if rng.random() < 0.8:
                        frame[name] = [None, -1, 2**60, "x" * int(rng.integers(0, 600)), [], {}, 1.5, True,
                                       "\ufffd\x00\u202e"][int(rng.integers(9))]
                ws.send(frame)
                answered += ws.recv()["type"] in ("error", "ok", "pong", "ack")
            ws.send({"v": 1, "type": "ping", "n": 9})
            assert ws.until("pong")["n"] == 9
    assert answered > 100
    student = make_client(host, "小明")
    joined(student)
    assert "小明" in [s["name"] for s in host.students()]
