"""Terminal versions of the classroom: `main.py host` (the trainer) and `main.py join` (a student).

The game window builds its classroom screens on the same ClassroomHost / ClassroomStudent objects;
these loops are what works over SSH, in tmux and with screen readers.
"""
from __future__ import annotations

import queue
import sys
import threading
import time

from . import protocol as P
from .student import BUYER_COMMANDS, OUTCOME_TEXT, RolePlaySeat, StudentRound

SEATS_FILE = "classroom-seats.json"  # seat keys of rooms joined, in the data folder

HOST_HELP = ("命令: start [ID ...] 开始回合 | end 结束回合 | board 排行榜 | show 名字 查看对话 | pair 分组 | "
             "students 学员 | kick 名字 移出 | ban 名字 禁止加入 | mode practice|exam | roleplay on|off | lesson ID [步骤] | export [文件] | quit 退出")


def _lines_from_stdin(prompt: str = "", last=()) -> queue.Queue:
    """Typed lines on a daemon thread; it stops reading after a line in `last` (so nothing holds stdin at exit)."""
    q: queue.Queue = queue.Queue()

    def read():
        while True:
            try:
                line = input(prompt)
            except (EOFError, KeyboardInterrupt):
                q.put(None)
                return
            q.put(line)
            if line.strip().lower() in last:
                return
    threading.Thread(target=read, daemon=True, name="classroom-stdin").start()
    return q


def _fmt(v, spec: str = ".0f", none: str = "-") -> str:
    return none if v is None else format(v, spec)


def format_board(rows: list[dict]) -> str:
    if not rows:
        return "  (还没有成绩)"
    out = [f"  {'名次':<4}{'学员':<12}{'得分':>6}  {'结果':<14}{'平均回复':>8}  {'消息':>4}  状态"]
    for r in rows:
        rank = str(r["rank"]) if r["rank"] else "-"
        outcome = OUTCOME_TEXT.get(r["outcome"], r["outcome"] or "进行中")
        if r["role"] == "buyer":
            outcome = "扮演买家"
        status = {"playing": "进行中", "done": "完成", "buyer": "买家", "problem": "内容不一致"}.get(r["status"], r["status"])
        if not r["connected"]:
            status += " (掉线)"
        avg = f"{r['avg_reply']:.1f}秒" if r["avg_reply"] is not None else "-"
        out.append(f"  {rank:<4}{r['name']:<12}{_fmt(r['score']):>6}  {outcome:<14}{avg:>8}  {r['messages']:>4}  {status}")
    return "\n".join(out)


def format_podium(podium: list[dict]) -> str:
    if not podium:
        return "  (没有成绩)"
    medals = {1: "🥇", 2: "🥈", 3: "🥉"}
    return "  " + "   ".join(f"{medals.get(p['place'], p['place'])} {p['name']} {p['score']:.0f}分" for p in podium)


class HostConsole:
    """The trainer's terminal: prints joins and results as they come, and runs typed commands."""

    def __init__(self, host, *, personas=(), lesson=None, step=0, mode="practice", roleplay=False, out=None):
        self.host = host
        self.personas = list(personas)
        self.lesson = lesson
        self.step = step
        self.mode = mode
        self.roleplay = roleplay
        self.out = out or sys.stdout
        self._board_due: float | None = None

    def say(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def banner(self) -> None:
        addr = self.host.address()
        self.say("== KefuSim 课堂 (培训师) ==")
        self.say(f"房间码 join code: {self.host.code}")
        self.say(f"地址 address:     {addr}")
        self.say(f"学员输入: python main.py join {addr} --name 名字 --code {self.host.code}")
        what = f"课程 {self.lesson} 第 {self.step + 1} 步" if self.lesson else (", ".join(self.personas) or "(未选择,用 start ID)")
        self.say(f"回合设置: {what}; 模式 {self.mode}; {'角色扮演' if self.roleplay else '模拟买家'}")
        self.say(HOST_HELP)

    def pump(self, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        for ev in self.host.events():
            d = ev.data
            if ev.kind == "joined":
                self.say(f"+ {d['name']} {'重新' if d['rejoin'] else ''}加入 ({d['address']})")
            elif ev.kind == "left":
                self.say(f"- {d['name']} {'掉线' if d['dropped'] else '离开'}")
            elif ev.kind == "refused":
                self.say(f"  拒绝 {d['address']}: {d['text']}")
            elif ev.kind == "round_started":
                self.say(f"== 第 {d['round']} 回合开始: {d['title']} ({d['mode']}, {'角色扮演' if d['kind'] == 'roleplay' else '模拟买家'}) ==")
                for p in d["pairs"]:
                    self.say(f"  {p['buyer']} 扮演买家 ↔ {p['agent']} 扮演客服 ({p['persona']})")
            elif ev.kind == "result":
                total = f"{d['total']:.0f} 分 ({d['grade']})" if d["total"] is not None else "无评分"
                self.say(f"  ✓ {d['name']}: {OUTCOME_TEXT.get(d['outcome'], d['outcome'])}, {total}")
                self._board_due = self._board_due or now + 2.0
            elif ev.kind == "problem":
                self.say(f"  ! {d['name']}: {d['detail']}")
            elif ev.kind == "round_ended":
                self.say(f"== 第 {d['round']} 回合结束 ==")
                self.say(format_board(self.host.leaderboard()))
                self.say("领奖台: " + format_podium(d["podium"]))
                self._board_due = None
            elif ev.kind == "store_error":
                self.say("注意: " + d["text"])
            elif ev.kind == "kicked":
                self.say(f"- {d['name']} 已被移出" + (" (禁止再加入)" if d["ban"] else ""))
            elif ev.kind == "attempts":
                self.say(f"注意: 已有 {d['count']} 次错误的加入码尝试,{d['seconds']:.0f} 秒内不接受新学员(已加入的可以重连)")
        if self._board_due is not None and now >= self._board_due:
            self._board_due = None
            self.say("排行榜:\n" + format_board(self.host.leaderboard()))

    def command(self, line: str) -> bool:
        """Run one typed command; False when the trainer quits."""
        parts = line.strip().split()
        if not parts:
            return True
        cmd, args = parts[0].lower(), parts[1:]
        try:
            if cmd in ("quit", "exit", "q"):
                return False
            if cmd == "start":
                personas = args or self.personas
                info = self.host.start_round(personas if not (self.lesson and not args) else None,
                                             lesson=None if args else self.lesson, step=self.step, mode=self.mode,
                                             roleplay=self.roleplay)
                self.say(f"已开始第 {info['round']} 回合,{len(info['participants'])} 位学员。")
            elif cmd == "end":
                self.say("正在结束回合,等待学员提交最后的成绩…")
                self.host.end_round(wait=True)
            elif cmd == "board":
                self.say(format_board(self.host.leaderboard()))
            elif cmd == "show":
                self._show(" ".join(args))
            elif cmd == "pair":
                res = self.host.pair()
                for buyer, agent in res["pairs"]:
                    self.say(f"  {buyer} 先扮演买家 ↔ {agent} 先扮演客服")
                if res["odd"]:
                    self.say(f"  {res['odd']} 对模拟买家练习")
                if not res["pairs"]:
                    self.say("  学员不足两人,无法分组。")
            elif cmd in ("kick", "ban") and args:
                who = " ".join(args)
                done = self.host.kick(who, ban=cmd == "ban")
                self.say((f"已移出 {who}" + (",并禁止再加入" if cmd == "ban" else "")) if done else f"没有学员 {who}")
            elif cmd == "students":
                for s in self.host.students():
                    self.say(f"  {s['name']:<12} {'在线' if s['connected'] else '离线'}  {s['address']}")
            elif cmd == "mode" and args and args[0] in P.MODES:
                self.mode = args[0]
                self.say(f"模式: {self.mode}")
            elif cmd == "roleplay" and args and args[0] in ("on", "off"):
                self.roleplay = args[0] == "on"
                self.say("下一回合: " + ("角色扮演" if self.roleplay else "模拟买家"))
            elif cmd == "lesson" and args:
                self.lesson = args[0]
                self.step = int(args[1]) - 1 if len(args) > 1 and args[1].isdigit() else 0
                self.say(f"下一回合: 课程 {self.lesson} 第 {self.step + 1} 步")
            elif cmd == "export":
                path = self.host.export(args[0] if args else None)
                self.say(f"已导出 {path}" if path else "没有可导出的回合(或没有记录数据库)。")
            else:
                self.say(HOST_HELP)
        except ValueError as exc:
            self.say(f"错误: {exc}")
        return True

    def _show(self, name: str) -> None:
        chats = self.host.transcript(name)
        if not chats:
            self.say(f"没有 {name} 在本回合的对话。")
            return
        for c in chats:
            head = f"-- {name} · {c['title']} · {OUTCOME_TEXT.get(c['outcome'], '进行中') if c['outcome'] else '进行中'}"
            if c["total"] is not None:
                head += f" · {c['total']:.0f} 分"
            self.say(head)
            for m in c["messages"]:
                who = "买家" if m["who"] == "buyer" else "客服"
                extra = f"  [等了 {m['wait']:.0f} 秒]" if m["who"] == "agent" and m["wait"] else ""
                self.say(f"  [{m['time']:6.1f}] {who}: {m['text']}{extra}")


def cmd_host(args) -> int:
    from game.content.loader import load_library
    from .host import ClassroomHost

    lib = load_library(args.content)
    for pid in args.persona or ():
        if pid not in lib.personas:
            print(f"error: 没有买家场景 {pid}", file=sys.stderr)
            return 2
    if args.lesson and args.lesson not in lib.lessons:
        print(f"error: 没有课程 {args.lesson} (可选: {', '.join(lib.lessons)})", file=sys.stderr)
        return 2
    store = None
    if not args.no_record:
        from game.store.commands import open_store
        store = open_store(args.data_dir)
    try:
        try:
            host = ClassroomHost(lib, store=store, host=args.bind, port=args.port, max_clients=args.max_clients)
        except OSError as exc:
            if args.port == 0:
                raise
            print(f"注意: 端口 {args.port} 无法使用 ({exc.strerror or exc}),改用其他端口。")
            host = ClassroomHost(lib, store=store, host=args.bind, port=0, max_clients=args.max_clients)
        with host:
            console = HostConsole(host, personas=args.persona or (), lesson=args.lesson, step=max(0, args.step - 1),
                                  mode=args.mode, roleplay=args.roleplay)
            console.banner()
            lines = _lines_from_stdin(last=("quit", "exit", "q"))
            while True:
                console.pump()
                try:
                    line = lines.get(timeout=0.1)
                except queue.Empty:
                    continue
                if line is None or not console.command(line):
                    break
            console.pump()
    except KeyboardInterrupt:
        pass
    finally:
        if store is not None:
            store.close()
    print("课堂已关闭。")
    return 0


# ================================================================ the student's terminal
class JoinConsole:
    """A student in the terminal: shows the round's chats and sends typed lines."""

    def __init__(self, student, out=None):
        self.student = student
        self.out = out or sys.stdout
        self._typing: set[str] = set()
        self._shown_round = None

    def say(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def pump(self) -> int | None:
        """Poll and print; returns an exit code when the client will not connect again."""
        st = self.student
        msgs = st.update(tick=False)
        r = st.round
        events = r.update() if isinstance(r, StudentRound) else []
        for m in msgs:
            self._message(m)
        if r is not None and r is st.round and r.round != self._shown_round:
            self._shown_round = r.round
        for ev in events:
            self._event(ev)
        if st.client.finished:
            return 1 if st.client.refusal else 0
        return None

    def _chat_label(self, chat: str) -> str:
        r = self.student.round
        if isinstance(r, StudentRound) and r.session and len(r.session.order) > 1:
            return f"[{r.session.order.index(chat) + 1}] " if chat in r.session.order else ""
        return ""

    def _message(self, m: dict) -> None:
        t = m["type"]
        r = self.student.round
        if t == "status":
            self.say(f"({m['text']})")
        elif t == "refused":
            self.say(f"无法加入: {m['text']}")
        elif t == "error":
            self.say(f"(房间提示: {m['text']} {m.get('detail', '')})")
        elif t == "welcome":
            self.say(f"已加入 {m['room']},你的名字: {m['name']}。等待培训师开始回合…")
        elif t == "round_start" and r is not None and r.round == m["round"]:
            self._round_banner(r)
        elif t == "rp_line" and isinstance(r, RolePlaySeat) and m["round"] == r.round:
            mine = (m["who"] == "buyer") == (r.role == "buyer")
            if not mine:
                who = r.partner + ("(买家)" if m["who"] == "buyer" else "(客服)")
                self.say(f"[{int(m['time'] // 60):02d}:{int(m['time'] % 60):02d}] {who}: {m['text']}")
            if m.get("feedback"):
                from game.scoring.notes import feedback_notes
                fb = {"score": m["feedback"]["score"], "violations": m["feedback"]["faults"],
                      "strengths": m["feedback"]["strengths"], "rewrite": m["feedback"]["rewrite"]}
                for line, _ in feedback_notes(fb):
                    self.say(f"   {line}")
        elif t == "rp_over" and isinstance(r, RolePlaySeat) and m["round"] == r.round:
            total = f",客服得分 {m['total']:.0f} ({m['grade']})" if m["total"] is not None else ""
            self.say(f"== 对话结束: {OUTCOME_TEXT.get(m['outcome'], m['outcome'])}{total} ==")
        elif t == "round_stop":
            self.say("(培训师结束了本回合,正在提交成绩…)")
        elif t == "round_end":
            self.say(f"== 第 {m['round']} 回合结束 ==")
            for res in m.get("results") or ():  # the host's figures: the only ones that count
                total = f",{res['total']:.0f} 分 ({res['grade']})" if res["total"] is not None else ""
                self.say(f"  {res['title']}: {OUTCOME_TEXT.get(res['outcome'], res['outcome'])}{total}")
            self.say("领奖台: " + format_podium(m["podium"]))
            self.say("等待下一回合…")

    def _round_banner(self, r) -> None:
        if isinstance(r, RolePlaySeat):
            self.say(f"== 第 {r.round} 回合 (角色扮演): {r.title} ==")
            if r.role == "buyer":
                c = r.card
                self.say(f"你扮演买家 {c['buyer']}(对方客服: {r.partner})。你的角色卡:")
                self.say(f"  {c['title']}: {c['summary']}")
                self.say(f"  {c['want']}")
                self.say("  开场可以说: " + " / ".join(c["openings"]))
                if c["lines"]:
                    self.say("  之后可以说: " + " / ".join(c["lines"][:6]))
                self.say("  " + c["endings"])
                self.say("请先发第一句话。")
            else:
                p = r.product
                self.say(f"你扮演客服,买家 {p['buyer']} 由 {r.partner} 扮演。商品: {p['shop']} · {p['product']} "
                         f"¥{p['list_price']:g} (底价 ¥{p['floor_price']:g})。等待买家发消息…")
            return
        self.say(f"== 第 {r.round} 回合: {r.title} ({'考试' if r.mode == 'exam' else '练习'}) ==")
        for reason, detail in r.problems:
            self.say(f"注意: {detail}")
        for p in r.personas:
            self.say(f"  买家: {p.title} ({p.shop.name} · {p.product.name} ¥{p.list_price:g}, 底价 ¥{p.floor_price:g})")
        if r.session is not None and len(r.personas) > 1:
            self.say("  多位买家同时咨询: 输入 /2 切换到第 2 位买家,或 /2 文字 直接回复。")

    def _event(self, ev) -> None:
        r = self.student.round
        if not isinstance(r, StudentRound) or r.session is None:
            return
        conv = r.session.desk.chats.get(ev.chat)
        name = conv.persona.buyer.name if conv else "买家"
        label = self._chat_label(ev.chat)
        if ev.kind == "buyer_typing" and ev.chat not in self._typing:
            self._typing.add(ev.chat)
            self.say(f"   {label}({name} 正在输入…)")
        elif ev.kind == "chat_opened":
            self.say(f"   {label}新买家 {name} 进入咨询")
        elif ev.kind == "buyer_line":
            self._typing.discard(ev.chat)
            tag = " [催促]" if ev.data.get("kind") == "nudge" else ""
            self.say(f"[{int(ev.time // 60):02d}:{int(ev.time % 60):02d}] {label}{name}: {ev.text}{tag}")
        elif ev.kind == "feedback" and r.mode == "practice":
            from game.scoring.notes import feedback_notes
            for line, _ in feedback_notes(ev.data.get("feedback")):
                self.say(f"   {line}")
        elif ev.kind == "outcome":
            rep = r.reports.get(ev.chat)
            total = f",{rep.total:.0f} 分 ({rep.grade})" if rep is not None and r.mode == "practice" else ""
            self.say(f"== {label}结束: {OUTCOME_TEXT.get(ev.text, ev.text)}{total} ==")

    def typed(self, text: str) -> bool:
        """A typed line; False on /quit."""
        text = text.strip()
        if text in ("/quit", "/q", "/退出"):
            return False
        r = self.student.round
        if not text:
            return True
        if r is None or r.finished:
            self.say("(现在没有进行中的对话)")
            return True
        if isinstance(r, RolePlaySeat):
            if text in BUYER_COMMANDS:
                if r.role != "buyer":
                    self.say("只有扮演买家的一方可以结束对话。")
                else:
                    r.end(BUYER_COMMANDS[text])
            else:
                r.say(text)
            return True
        if text.startswith("/") and r.session is not None:
            head, _, rest = text[1:].partition(" ")
            if head.isdigit():
                r.session.switch_index(int(head) - 1)
                if not rest.strip():
                    self.say(f"(已切换到第 {head} 位买家)")
                    return True
                text = rest
        for ev in r.say(text):
            self._event(ev)
        return True


def cmd_join(args) -> int:
    from game.content.loader import load_library
    from .client import ClassroomClient
    from .student import ClassroomStudent

    try:
        address = P.parse_address(args.address)
        name = P.check_name(args.name)
        code = P.check_code(args.code)
    except (ValueError, P.ProtocolError) as exc:
        print(f"error: {getattr(exc, 'text', None) or exc}", file=sys.stderr)
        return 2
    lib = load_library(args.content)
    from game.store.paths import data_dir
    # the seat key survives a restart of this program: rejoining the same room needs it
    client = ClassroomClient(address, name, code, key_file=data_dir(None) / SEATS_FILE)
    student = ClassroomStudent(client, lib)
    console = JoinConsole(student)
    print(f"正在连接 {address[0]}:{address[1]} … (/quit 退出)")
    lines = _lines_from_stdin(last=("/quit", "/q", "/退出"))
    code_out = 0
    try:
        while True:
            rc = console.pump()
            if rc is not None:
                code_out = rc
                break
            try:
                line = lines.get(timeout=0.05)
            except queue.Empty:
                continue
            if line is None or not console.typed(line):
                break
    except KeyboardInterrupt:
        pass
    finally:
        if isinstance(student.round, StudentRound) and not student.round.finished:
            student.round.sync()
        client.close()
    return code_out
