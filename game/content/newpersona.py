"""`new-persona`: a commented starting file for a chosen archetype and shop, plus its test script."""
from __future__ import annotations

import sys

from .diagnostics import did_you_mean
from .loader import ID_RE, Library


def _fail(msg: str) -> int:
    print(f"error: {msg}", file=sys.stderr)
    return 2


def new_persona(lib: Library, archetype: str, shop_id: str, sku: str | None, pid: str | None,
                title: str | None, difficulty: int = 1) -> int:
    arches = lib.buyer_defaults.archetypes
    if arches and archetype not in arches:
        hint = did_you_mean(archetype, arches)
        return _fail(f"unknown archetype '{archetype}'" + (f"; {hint}" if hint else "") + "\nknown: " + ", ".join(arches))
    shop = lib.shops.get(shop_id)
    if shop is None:
        hint = did_you_mean(shop_id, lib.shops)
        return _fail(f"unknown shop '{shop_id}'" + (f"; {hint}" if hint else "") + "\nknown: " + ", ".join(lib.shops))
    sku = sku or next(iter(shop.products))
    if sku not in shop.products:
        hint = did_you_mean(sku, shop.products)
        return _fail(f"unknown product '{sku}' in shop '{shop_id}'" + (f"; {hint}" if hint else ""))
    folder = lib.root / "personas"
    if pid is None:
        n = 1
        while (folder / f"{archetype.replace('_', '-')}-{shop_id}-{n}.yaml").exists():
            n += 1
        pid = f"{archetype.replace('_', '-')}-{shop_id}-{n}"
    if not ID_RE.match(pid):
        return _fail(f"persona id '{pid}' must be lower-case letters, digits, _ or -")
    target, test = folder / f"{pid}.yaml", folder / f"{pid}.test.yaml"
    if target.exists() or test.exists() or pid in lib.personas:
        return _fail(f"persona '{pid}' exists already; choose another --id")
    title = title or f"{arches.get(archetype, archetype)}的买家"
    values = {"__ID__": pid, "__TITLE__": title, "__ARCHETYPE__": archetype, "__SHOP__": shop_id, "__PRODUCT__": sku,
              "__DIFFICULTY__": str(difficulty)}
    templates = lib.root / "templates"
    for src, dst in ((templates / "persona.yaml", target), (templates / "persona.test.yaml", test)):
        text = src.read_text(encoding="utf-8")
        for k, v in values.items():
            text = text.replace(k, v)
        dst.write_text(text, encoding="utf-8")
    print(f"wrote {target}\nwrote {test}\nnext: python main.py validate {target}\n"
          f"      python main.py test-scenarios {test}")
    return 0
