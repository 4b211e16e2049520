"""rules/replies.yaml: read quickly when plain, with positions when not; both read the same."""
from pathlib import Path

from game.content.loader import load_replies
from game.language.vocab import IntentDef

INTENTS = [IntentDef(name="greet", title="问好", examples=("您好",)), IntentDef(name="thank", title="感谢", examples=("谢谢",))]


def _write(tmp_path: Path, body: str) -> Path:
    p = tmp_path / "replies.yaml"
    p.write_text("version: 1\nreplies:\n" + body, encoding="utf-8")
    return p


def test_escapes_and_comments_read_as_yaml_reads_them(tmp_path):
    p = _write(tmp_path, '  # a comment\n  - text: "您好\\U0001F338 \\"亲\\""\n    intents: [greet]\n'
                         '  - text: "谢谢"\n    intents: [greet, thank]\n  - text: "嗯"\n    intents: []\n')
    report, intents = load_replies(p, INTENTS)
    assert not report.problems
    by = {i.name: i for i in intents}
    assert by["greet"].replies == ("您好🌸 \"亲\"", "谢谢") and by["thank"].replies == ("谢谢",)
    assert "嗯" in by["thank"].counter_examples  # a reply that makes no move


def test_an_unknown_intent_is_reported_at_its_line(tmp_path):
    p = _write(tmp_path, '  - text: "您好"\n    intents: [greet]\n  - text: "谢谢"\n    intents: [thanks]\n')
    report, intents = load_replies(p, INTENTS)
    (err,) = report.errors
    assert err.line == 6 and "thanks" in err.message
    assert {i.name: i.replies for i in intents}["greet"] == ("您好",)
