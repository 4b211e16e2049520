"""Recording a whole play session (one or several buyers) for the game window, and what the
window reads back: best totals per persona and the progress series. Headless."""
from __future__ import annotations

from .progress import Progress, progress
from .recorder import SessionRecorder


class SessionRecorders:
    """One SessionRecorder per chat of a PlaySession, created as buyers arrive."""

    def __init__(self, store, session, *, profile: str, content_root, judge=None):
        self.store = store
        self.session = session
        self.profile = profile
        self.content_root = content_root
        self.judge = judge
        self.recs: dict[str, SessionRecorder] = {}
        self.reported: set[str] = set()

    def sync(self) -> str | None:
        """Write what every chat did since the last call; the first store error, once, for the screen."""
        for conv in self.session.chats:
            rec = self.recs.get(conv.id)
            if rec is None:
                rec = self.recs[conv.id] = SessionRecorder(
                    self.store, profile=self.profile, persona=conv.persona, mode=self.session.mode,
                    seed=conv.seed, source="game", content_root=self.content_root)
                rec.start(conv)
            rec.sync(conv)
            if conv.finished and conv.id not in self.reported:
                self.reported.add(conv.id)
                rec.finish(conv, self.report(conv))
            if err := rec.new_error():
                return err
        return None

    def report(self, conv):
        if self.judge is None:
            return None
        from game.scoring.report import build_report
        return build_report(conv, self.judge.scorer)

    def close(self, reason: str = "quit") -> None:
        self.sync()
        for rec in self.recs.values():
            rec.close(reason)


def profile_progress(store, profile: str) -> Progress:
    return progress(store.sessions(profile=profile), profile)


def best_totals(store, profile: str) -> dict[str, float]:
    return {p.persona_id: p.total.best for p in profile_progress(store, profile).personas if p.total.best is not None}
