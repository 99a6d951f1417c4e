from openiop.lib.text import invisible_characters, normalize_email


def test_it_folds_case_and_width_of_emails():
    assert normalize_email("  ＰＡＴ@Example.ORG ") == "pat@example.org"


def test_it_keeps_dotless_i_distinct():
    # "mıke" must not become "mike": that collision hijacked Django's password reset
    # (CVE-2019-19844).
    assert normalize_email("mıke@example.org") != normalize_email("mike@example.org")


def test_it_finds_bidi_and_zero_width_characters():
    assert invisible_characters("Pat\u202eEvil") == ["U+202E"]
    assert invisible_characters("Pa\u200bt") == ["U+200B"]
    assert invisible_characters("Tab\there") == ["U+0009"]


def test_it_allows_joiners_used_by_real_names():
    assert invisible_characters("می\u200cخواهم") == []
    assert invisible_characters("عائشة") == []
