"""Size advice judged against what the buyer said earlier in the chat about the size they wear."""

from game.cli import main

SCRIPT = """+4s 您好亲,在的,想问哪款鞋的尺码呀?
+7s 好的亲,了解了
+8s {advice}
"""


def _report(tmp_path, capsys, advice: str) -> str:
    f = tmp_path / "nurse.txt"
    f.write_text(SCRIPT.format(advice=advice), encoding="utf-8")
    assert main(["simulate", "size-advice-nurse", "--script", str(f), "--seed", "3"]) == 0
    return capsys.readouterr().out


def test_a_smaller_size_for_a_buyer_whose_size_is_tight_is_advice_the_wrong_way(tmp_path, capsys):
    # the buyer said she wears 37 with a high instep two lines before she asks which size to buy
    out = _report(tmp_path, capsys, "亲,拍36就行,这款做得宽松")
    assert "尺码建议方向反了" in out


def test_a_bigger_size_for_the_same_buyer_is_not(tmp_path, capsys):
    out = _report(tmp_path, capsys, "亲,脚背高的话拍38会舒服些")
    assert "尺码建议方向反了" not in out
