from openiop.lib.text import email_skeleton, invisible_characters, normalize_email, staff_name


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


def test_a_skeleton_maps_cyrillic_and_greek_look_alikes_to_latin():
    assert email_skeleton("\u0440\u0430t@ex\u0430mple.org") == "pat@example.org"
    assert email_skeleton("\u03bflga@example.org") == "olga@example.org"
    assert email_skeleton("m\u0131ke@example.org") == "mike@example.org"


def test_a_skeleton_drops_zero_width_characters():
    assert email_skeleton("pa\u200bt@example.org") == "pat@example.org"
    assert email_skeleton("PAT@Example.org") == "pat@example.org"


def test_staff_see_the_name_a_person_goes_by_inside_their_full_name():
    assert staff_name("Patricia", "Lindqvist", "Pat") == "Patricia (Pat) Lindqvist"
    assert staff_name("Quinn", "Marlowe", "") == "Quinn Marlowe"
    # A preferred name that is the given name adds nothing.
    assert staff_name("Quinn", "Marlowe", " quinn ") == "Quinn Marlowe"
    assert staff_name("José María", "de la Cruz Núñez", "Chema") == (
        "José María (Chema) de la Cruz Núñez"
    )
