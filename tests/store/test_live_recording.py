"""A round played in the game window (PlaySession + SessionRecorders) is stored and replays exactly."""
from game.engine.clock import ManualClock
from game.engine.session import PlaySession
from game.scoring.cli import make_judge
from game.store.commands import open_store
from game.store.live import SessionRecorders, best_totals
from game.store.rerun import rerun


def test_a_window_round_is_stored_and_replays_exactly(library, reader, tmp_path):
    clock = ManualClock()
    judge = make_judge(library)
    personas = [library.personas["haggler-nurse-shoes"], library.personas["chatty-office-lady"]]
    s = PlaySession.start(personas, reader, clock, seed=42, defaults=library.buyer_defaults, judge=judge, gap=3)
    store = open_store(tmp_path, quiet=True)
    recs = SessionRecorders(store, s, profile="小王", content_root=library.root, judge=judge)
    try:
        for line in ["亲,您好!欢迎光临,很高兴为您服务", "亲,我们家都是明码标价的哦,做工和质量都很好,真的值这个价呢"]:
            for _ in range(40):
                clock.advance(0.25)
                s.tick()
                recs.sync()
            s.send(line)
            recs.sync()
        for _ in range(400):
            clock.advance(0.25)
            s.tick()
            recs.sync()
        recs.close()
        assert len(recs.recs) == 2
        seeds = set()
        for rec in recs.recs.values():
            sess = store.session(rec.session_id)
            seeds.add(sess.seed)
            replay = rerun(sess, store.messages(sess.id), library.personas[sess.persona_id], reader,
                           defaults=library.buyer_defaults, judge=make_judge(library))
            assert replay.same, replay.differences[:3]
        assert len(seeds) == 2  # each chat keeps its own seed
        finished = [x for x in store.sessions(profile="小王") if x.status == "finished"]
        assert finished and all(x.report is not None for x in finished)
        assert set(best_totals(store, "小王")) == {x.persona_id for x in finished}
    finally:
        store.close()
