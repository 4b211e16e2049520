"""A made-to-order item promised to ship at once, judged in a chat about that item."""

from game.cli import main

SCRIPT = """+4s 亲,您好!欢迎光临木艺花箱工厂店,有什么问题您尽管问~
+8s 量放花箱那块地方的长和宽,再定个您想要的高度就行,单位用厘米
+8s 对的,长宽高三个都量,量外面能放下的尺寸就行
+8s {answer}
"""


def _report(tmp_path, capsys, answer: str) -> str:
    f = tmp_path / "custom.txt"
    f.write_text(SCRIPT.format(answer=answer), encoding="utf-8")
    assert main(["simulate", "planter-custom-first-timer", "--script", str(f), "--seed", "1"]) == 0
    return capsys.readouterr().out


def test_shipping_tomorrow_is_no_answer_for_a_planter_still_to_be_made(tmp_path, capsys):
    # the buyer's last line ("我量好了…做好要多久") does not say 定做; the chat and the product do
    assert "定制的答应马上发货" in _report(tmp_path, capsys, "好的亲,收到尺寸马上安排,明天就能给您发出")


def test_the_making_time_and_then_shipping_is(tmp_path, capsys):
    out = _report(tmp_path, capsys, "好的亲,按这个尺寸现做,5到7天做好,做好当天就给您发德邦")
    assert "定制的答应马上发货" not in out
