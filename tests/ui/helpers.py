"""A role-play seat without a network, for the window's role-play and report screens."""
from game.classroom.student import RolePlaySeat

PODIUM = [{"place": 1, "name": "小王", "score": 92.0}, {"place": 2, "name": "小李", "score": 85.0},
          {"place": 3, "name": "小张", "score": 77.0}]
FAULT = {"rule": "r", "title": "生硬拒绝", "why": "只说不行,没有给买家台阶", "severity": "major", "text": "不行"}
REPORT = {"total": 64.0, "grade": "D", "grade_label": "及格",
          "dimensions": [{"name": k, "title": "", "score": v} for k, v in
                         (("politeness", 70), ("taboo", 55), ("timing", 90), ("flow", 60), ("closing", 50))],
          "improvements": [{"title": "生硬拒绝", "why": "", "quote": "不行", "rewrite": "亲,给您送双鞋垫好吗"}]}


class Student:
    """The classroom student as the role-play screen reads it."""

    def __init__(self, seat):
        self.round = seat
        self.ended: set = set()

    def update(self, tick=True):
        return []


def seat_for(role: str, sent: list) -> RolePlaySeat:
    start = {"round": 3, "role": role, "chat": "c1", "partner": "小甲", "mode": "practice", "title": "护士鞋砍价",
             "product": {"shop": "大礼拜旗舰店", "product": "护士鞋", "list_price": 168, "floor_price": 150,
                         "buyer": "想便宜点的护士"},
             "card": {"buyer": "护士小林", "title": "想便宜点的护士", "want": "便宜十块钱就买",
                      "openings": ["能便宜点吗", "在吗"], "lines": ["别家才139", "送点东西吧"]} if role == "buyer" else None}
    return RolePlaySeat(start, send=lambda kind, **kw: sent.append((kind, kw)))


def line(seat, n: int, who: str, text: str, t: float, feedback=None) -> None:
    seat.on_message({"type": "rp_line", "round": seat.round, "chat": seat.chat, "n": n, "who": who, "text": text,
                     "time": t, "wait": 5.0 if who == "agent" else 0.0, "feedback": feedback})


def over(seat, total: float = 64.0) -> None:
    seat.on_message({"type": "rp_over", "round": seat.round, "chat": seat.chat, "outcome": "success", "total": total,
                     "grade": "D", "report": dict(REPORT, total=total)})
