"""Every flag a shipped persona can raise has a Chinese title (rules/buyer.yaml `flags`): a trainee
never reads a raw name like below_floor after a chat."""


def test_every_shipped_flag_has_a_title(library):
    titles = library.buyer_defaults.flag_titles
    raised = {f for p in library.personas.values() for st in p.states.values()
              for ts in st.on.values() for t in ts for f in t.flags}
    assert raised and not raised - set(titles), sorted(raised - set(titles))
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in titles[f]) for f in raised)


def test_the_terminal_names_flags_in_chinese(capsys, library):
    from types import SimpleNamespace

    from game.textplay import flag_text
    conv = SimpleNamespace(flags=["below_floor", "made_up"], defaults=library.buyer_defaults)
    assert flag_text(conv) == "让价低于店铺底价、made_up"
