"""The room's rules without sockets (room.py): the join code's guessers and the seats."""
import pytest

from game.classroom import protocol as P
from game.classroom import room
from game.classroom.protocol import ProtocolError


def test_the_gate_throttles_per_address_and_locks_new_names_when_guessed_from_many():
    gate = room.Gate("123456")
    for i in range(P.WRONG_CODE_LIMIT):
        with pytest.raises(ProtocolError, match="wrong_code"):
            gate.check("10.0.0.1", "000000", 100.0 + i, keyed=False)
    with pytest.raises(ProtocolError, match="too_many_attempts"):  # this address waits
        gate.check("10.0.0.1", "123456", 110.0, keyed=False)
    gate.check("10.0.0.2", "123456", 110.0, keyed=False)  # the right code elsewhere gets in
    for i in range(P.WRONG_CODE_GLOBAL - P.WRONG_CODE_LIMIT):  # many addresses, one wrong try each
        with pytest.raises(ProtocolError, match="wrong_code"):
            gate.check(f"10.1.{i}.1", "000000", 111.0, keyed=False)
    assert gate.started == P.LOCKOUT_FIRST and gate.wrong_codes == P.WRONG_CODE_GLOBAL
    with pytest.raises(ProtocolError, match="too_many_attempts"):  # even the right code, for a new name
        gate.check("10.9.9.9", "123456", 112.0, keyed=False)
    gate.check("10.9.9.9", "123456", 112.0, keyed=True)  # a seat with its key still comes back
    gate.check("10.9.9.9", "123456", 111.0 + P.LOCKOUT_FIRST + 0.1, keyed=False)  # and the lock ends


def test_a_seat_is_its_key_and_the_room_counts_who_is_present():
    students: dict = {}
    st, rejoin = room.seat(students, set(), "小红", None, "a", max_clients=2)
    assert not rejoin and st.key
    with pytest.raises(ProtocolError, match="seat_taken"):  # dropped: the name alone takes nothing
        room.seat(students, set(), "小红", None, "b", max_clients=2)
    again, rejoin = room.seat(students, set(), "小红", st.key, "b", max_clients=2)
    assert again is st and rejoin
    st.conn = object()
    with pytest.raises(ProtocolError, match="duplicate_name"):
        room.seat(students, set(), "小红", "wrong-key", "c", max_clients=2)
    with pytest.raises(ProtocolError, match="banned"):
        room.seat(students, {P.name_key("小黑")}, "小黑", None, "d", max_clients=2)
    other, _ = room.seat(students, set(), "小明", None, "e", max_clients=2)
    other.conn = object()
    with pytest.raises(ProtocolError, match="room_full"):
        room.seat(students, set(), "小刚", None, "f", max_clients=2)
    other.conn = None  # someone leaves: a place is free again
    room.seat(students, set(), "小刚", None, "f", max_clients=2)


def test_pairs_are_made_in_join_order_or_by_seed():
    assert room.make_pairs(["甲", "乙", "丙"], None) == [["甲", "乙"]]
    assert room.make_pairs(["甲", "乙", "丙", "丁"], 3) == room.make_pairs(["甲", "乙", "丙", "丁"], 3)
