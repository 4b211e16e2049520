"""rules/buyer.yaml names intents and question topics: a wrong name is an error with its place."""
from pathlib import Path

from game.content.loader import load_buyer_defaults


def test_unknown_names_in_the_buyer_rules_are_errors_with_their_line(tmp_path):
    f = tmp_path / "buyer.yaml"
    f.write_text("version: 1\nquestions:\n  size: [码]\nwith_greeting: [ask_need, wave]\n"
                 "greeting_topics: [product]\nquestion_moves: [ask_need]\n", encoding="utf-8")
    report, d = load_buyer_defaults(Path(f), ["ask_need", "greet"])
    text = "\n".join(p.format() for p in report.errors)
    assert "wave" in text and "buyer.yaml:4" in text
    assert "product" in text and "buyer.yaml:5" in text
    assert d.with_greeting == ("ask_need",) and d.question_moves == ("ask_need",) and d.greeting_topics == ()
