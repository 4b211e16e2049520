"""Emoticon codes: every code has a face in the window and an emoji in text outputs."""
from game.cli import main
from game.content.emoticons import CODES, EMOJI, as_emoji


def test_every_code_has_an_emoji_and_text_shows_it():
    assert set(CODES.values()) <= set(EMOJI)
    assert as_emoji("亲,马上给您发货/:^_^ 好评哦/:good") == "亲,马上给您发货🙂 好评哦👍"
    assert as_emoji("/:xyz 不是表情, 3/:4 也不是") == "/:xyz 不是表情, 3/:4 也不是"


def test_the_html_export_shows_emoticons_as_emoji(tmp_path):
    script = tmp_path / "s.test.yaml"
    script.write_text("version: 1\npersona: chatty-office-lady\ncases:\n  - name: smile\n    seed: 0\n    script: |\n"
                      "      +4s 亲,您好!很高兴为您服务/:^_^\n    expect: {}\n", encoding="utf-8")
    data = tmp_path / "data"
    assert main(["--data-dir", str(data), "simulate", "chatty-office-lady", "--script", str(script), "--case", "smile",
                 "--record", "--json"]) == 0
    out = tmp_path / "r.html"
    assert main(["--data-dir", str(data), "export", "--format", "html", "-o", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert "很高兴为您服务🙂" in html and "/:^_^" not in html
