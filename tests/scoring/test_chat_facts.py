"""Faults judged against what the chat said before the reply: the size the buyer wears, and a
made-to-order item."""

from game.cli import main

NURSE = """+4s 您好亲,在的,想问哪款鞋的尺码呀?
+7s 亲,您平时穿多大码的鞋子呢?
+8s {reply}
"""
CUSTOM = """+4s 亲,您好!欢迎光临木艺花箱工厂店,有什么问题您尽管问~
+8s 量放花箱那块地方的长和宽,再定个您想要的高度就行,单位用厘米
+8s 对的,长宽高三个都量,量外面能放下的尺寸就行
+8s {reply}
"""


def _report(tmp_path, capsys, persona: str, script: str, seed: int, reply: str) -> str:
    f = tmp_path / "script.txt"
    f.write_text(script.format(reply=reply), encoding="utf-8")
    assert main(["simulate", persona, "--script", str(f), "--seed", str(seed)]) == 0
    return capsys.readouterr().out


def test_a_smaller_size_for_a_buyer_whose_size_is_tight_is_advice_the_wrong_way(tmp_path, capsys):
    # the buyer said she wears 37 with a high instep two lines before she asks which size to buy
    out = _report(tmp_path, capsys, "size-advice-nurse", NURSE, 3, "亲,拍36就行,这款做得宽松")
    assert "尺码建议方向反了" in out


def test_a_bigger_size_for_the_same_buyer_is_not(tmp_path, capsys):
    out = _report(tmp_path, capsys, "size-advice-nurse", NURSE, 3, "亲,脚背高的话拍38会舒服些")
    assert "尺码建议方向反了" not in out


def test_shipping_tomorrow_is_no_answer_for_a_planter_still_to_be_made(tmp_path, capsys):
    # the buyer's last line ("我量好了…做好要多久") does not say 定做; the chat and the product do
    out = _report(tmp_path, capsys, "planter-custom-first-timer", CUSTOM, 1, "好的亲,收到尺寸马上安排,明天就能给您发出")
    assert "定制的答应马上发货" in out


def test_the_making_time_and_then_shipping_is(tmp_path, capsys):
    out = _report(tmp_path, capsys, "planter-custom-first-timer", CUSTOM, 1,
                  "好的亲,按这个尺寸现做,5到7天做好,做好当天就给您发德邦")
    assert "定制的答应马上发货" not in out
