"""What the trainee can look up during a chat (the window's 商品 / 订单 / 客户 tabs, the terminal's /info):
the facts the reply is scored against, as labelled rows. Headless: the window and the terminal
draw the same rows."""
from __future__ import annotations

from dataclasses import dataclass

from .model import Persona


@dataclass(frozen=True)
class Row:
    kind: str        # "head" (a heading), "kv" (label: value), "note" (a remark), "step" (tracking)
    label: str
    value: str = ""


def stock_text(stock: int) -> str:
    return "充足" if stock > 20 else ("紧张(不要说出具体件数)" if stock > 0 else "无货")


def product_rows(persona: Persona) -> list[Row]:
    p = persona.product
    rows = [Row("head", p.name), Row("kv", "货号", p.sku),
            Row("kv", "标价", f"¥{persona.list_price:g}    最低可让 ¥{persona.floor_price:g}"),
            Row("kv", "库存", stock_text(p.stock))]
    for label, items in (("尺码", p.sizes), ("颜色", p.colors), ("材质", p.materials),
                         ("卖点", p.selling_points), ("不足", p.weak_points)):
        if items:
            rows.append(Row("kv", label, "、".join(map(str, items))))
    return rows + shop_rows(persona)


def shop_rows(persona: Persona) -> list[Row]:
    shop = persona.shop
    pol = shop.policies
    rows = [Row("head", shop.name)]
    if pol.free_shipping_threshold:
        rows.append(Row("kv", "包邮", f"满{pol.free_shipping_threshold:g}元包邮"))
    rows.append(Row("kv", "退换", f"{pol.return_days}天无理由退货, {pol.exchange_days}天内换货"))
    if pol.invoice_tax_rate:
        rows.append(Row("kv", "发票", f"可开; 多开部分税点 {pol.invoice_tax_rate * 100:g}% 由买家承担"))
    if pol.shipping_cutoff:
        rows.append(Row("kv", "发货", f"{pol.shipping_cutoff} 前下单当天发出"))
    if pol.couriers:
        rows.append(Row("kv", "快递", "、".join(f"{n}+{f:g}元" if f else n for n, f in pol.couriers)))
    rows.append(Row("kv", "货到付款", "支持" if pol.cash_on_delivery else "暂未开通"))
    rows += [Row("note", n) for n in pol.notes]
    return rows


def order_rows(persona: Persona) -> list[Row]:
    """The buyer's order; a pre-sales buyer has none, and the tab says so rather than leave it blank."""
    o = persona.order
    if o is None:
        return [Row("note", "这位买家还没有下单(售前咨询)。"),
                Row("note", "下单后订单号、金额和物流会显示在这里。")]
    rows = [Row("head", f"订单 {o.number}"), Row("kv", "状态", o.status)]
    if o.placed:
        rows.append(Row("kv", "下单", o.placed))
    items = o.items or (persona.product.name,)
    rows += [Row("kv", "商品" if i == 0 else "", it) for i, it in enumerate(items)]
    if o.paid is not None:
        rows.append(Row("kv", "实付", f"¥{o.paid:g}"))
    if o.courier:
        rows.append(Row("kv", "快递", o.courier))
    if o.tracking:
        rows.append(Row("head", "物流"))
        rows += [Row("step", s.at, s.text) for s in reversed(o.tracking)]  # newest first, as couriers show it
    return rows


def customer_rows(persona: Persona) -> list[Row]:
    b = persona.buyer
    rows = [Row("head", b.name)]
    if b.tags:
        rows.append(Row("kv", "标签", " · ".join(b.tags)))
    o = persona.order
    rows.append(Row("kv", "类型", "售后(已下单)" if o is not None else "售前咨询"))
    rows.append(Row("kv", "咨询商品", persona.product.name))
    rows.append(Row("kv", "订单", f"{o.number} · {o.status}" if o is not None else "暂无"))
    return rows
