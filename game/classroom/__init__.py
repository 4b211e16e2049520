"""LAN classroom: a trainer hosts a room, students join with a code and play rounds; role-play pairs.

Headless (never imports pygame). `protocol` declares every message; `host.ClassroomHost` runs the
room on a daemon thread; `client.ClassroomClient` connects off the caller's thread; `student`
runs a round's chats on the student's machine and streams results; `roleplay` is the human buyer.
"""
__all__ = ["PROTOCOL_VERSION", "ProtocolError", "ClassroomHost", "ClassroomClient", "ClassroomStudent",
           "StudentRound", "RolePlaySeat", "HumanBuyerChat"]


def __getattr__(name):  # nothing loads before it is used (websockets only with the host or the client)
    if name in ("PROTOCOL_VERSION", "ProtocolError"):
        from . import protocol
        return getattr(protocol, name)
    if name == "ClassroomHost":
        from .host import ClassroomHost
        return ClassroomHost
    if name == "ClassroomClient":
        from .client import ClassroomClient
        return ClassroomClient
    if name in ("ClassroomStudent", "StudentRound", "RolePlaySeat"):
        from . import student
        return getattr(student, name)
    if name == "HumanBuyerChat":
        from .roleplay import HumanBuyerChat
        return HumanBuyerChat
    raise AttributeError(name)
