"""The scoring engine, run on every shipped instrument (plain pytest: no database)."""

import pytest

from openiop.assessments.definitions import shipped_definitions
from openiop.assessments.scoring import InvalidAnswer, score

DEFINITIONS = shipped_definitions()
PHQ9 = DEFINITIONS["phq-9"]
PHQ2 = DEFINITIONS["phq-2"]
GAD7 = DEFINITIONS["gad-7"]
PCL5 = DEFINITIONS["pcl-5"]
ASQ = DEFINITIONS["asq"]
CHECK_IN = DEFINITIONS["session-check-in"]


def band_of(result, score_id="total"):
    value = result.scores[score_id].band
    return value.code if value else None


def answers_for(definition, scores, **overrides):
    """Answer codes giving these item scores, in order of the scored questions."""
    answers = {}
    for item, value in zip(definition.questions, scores, strict=False):
        option = next(o for o in item.options if o.score == value)
        answers[item.link_id] = option.code
    for link_id, value in overrides.items():
        item = definition.item(link_id)
        answers[link_id] = next(o.code for o in item.options if o.score == value)
    return answers


def spread(total, n_items, top):
    """n item scores, each at most top, that add up to total."""
    scores = []
    for _ in range(n_items):
        value = min(top, total)
        scores.append(value)
        total -= value
    assert total == 0
    return scores


def test_it_ships_exactly_the_instruments_clinical_md_allows():
    assert set(DEFINITIONS) == {"phq-9", "phq-2", "gad-7", "pcl-5", "asq", "session-check-in"}
    assert all(d.copyright for d in DEFINITIONS.values())
    assert not CHECK_IN.validated
    assert "not a validated instrument" in CHECK_IN.title


def test_shipped_files_keep_their_attribution():
    for key in ("phq-9", "phq-2", "gad-7"):
        assert "Pfizer" in DEFINITIONS[key].copyright
    assert "not copyrighted" in DEFINITIONS["pcl-5"].copyright
    assert "NIMH" in DEFINITIONS["asq"].copyright


# --- PHQ-9 -----------------------------------------------------------------------------------

PHQ9_BANDS = [
    (0, "minimal"),
    (4, "minimal"),
    (5, "mild"),
    (9, "mild"),
    (10, "moderate"),
    (14, "moderate"),
    (15, "moderately-severe"),
    (19, "moderately-severe"),
    (20, "severe"),
    (24, "severe"),
]


@pytest.mark.parametrize(("total", "band"), PHQ9_BANDS)
def test_phq9_band_boundaries(total, band):
    # Items 1-8 carry the total so that item 9 stays 0 (no critical item).
    result = score(PHQ9, answers_for(PHQ9, [*spread(total, 8, 3), 0]))
    assert result.complete
    assert result.scores["total"].value == total
    assert band_of(result) == band
    assert result.findings["positive-screen"] is (total >= 10)
    assert not result.critical


def test_phq9_top_of_range_is_severe_and_critical():
    result = score(PHQ9, answers_for(PHQ9, [3] * 9))
    assert result.scores["total"].value == 27
    assert band_of(result) == "severe"
    assert [hit.reason for hit in result.critical] == ["answered"]


def test_phq9_item_9_is_critical_at_a_total_of_1():
    result = score(PHQ9, answers_for(PHQ9, [0] * 8 + [1]))
    assert result.complete
    assert result.scores["total"].value == 1
    assert band_of(result) == "minimal"
    assert result.findings["positive-screen"] is False
    assert [(hit.item, hit.reason) for hit in result.critical] == [("9", "answered")]


def test_phq9_missing_item_9_is_incomplete_and_still_critical():
    answers = answers_for(PHQ9, [0] * 8)
    result = score(PHQ9, answers)
    assert not result.complete
    assert result.missing == ("9",)
    assert result.scores["total"].value is None
    assert result.scores["total"].band is None
    # 0 from the answered items, at most 3 with item 9: the screen is decided negative.
    assert (result.scores["total"].low, result.scores["total"].high) == (0, 3)
    assert result.findings["positive-screen"] is False
    assert [(hit.item, hit.reason) for hit in result.critical] == [("9", "missing")]


def test_phq9_missing_item_is_never_a_low_score():
    answers = answers_for(PHQ9, [0] * 9)
    del answers["3"]
    result = score(PHQ9, answers)
    assert not result.complete
    assert result.missing == ("3",)
    assert result.scores["total"].value is None
    assert not result.critical


def test_phq9_blank_answer_counts_as_missing():
    answers = answers_for(PHQ9, [0] * 9)
    answers["9"] = ""
    result = score(PHQ9, answers)
    assert result.missing == ("9",)
    assert result.critical[0].reason == "missing"


def test_phq9_difficulty_item_is_optional_and_unscored():
    answers = answers_for(PHQ9, [1] * 9)
    answers["10"] = "LA6575-0"
    result = score(PHQ9, answers)
    assert result.complete
    assert result.scores["total"].value == 9
    assert "10" not in result.item_scores


# --- PHQ-2 -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("total", "positive"), [(0, False), (2, False), (3, True), (6, True)])
def test_phq2_positive_screen_boundary(total, positive):
    result = score(PHQ2, answers_for(PHQ2, spread(total, 2, 3)))
    assert result.scores["total"].value == total
    assert result.scores["total"].band is None
    assert result.findings["positive-screen"] is positive


def test_phq2_has_no_unconfirmed_loinc_total_code():
    assert PHQ2.scores[0].code is None


# --- GAD-7 -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "severe"),
        (21, "severe"),
    ],
)
def test_gad7_band_boundaries(total, band):
    result = score(GAD7, answers_for(GAD7, spread(total, 7, 3)))
    assert result.complete
    assert result.scores["total"].value == total
    assert band_of(result) == band
    assert result.findings["positive-screen"] is (total >= 10)


def test_gad7_total_has_confirmed_loinc_code():
    code = GAD7.scores[0].code
    assert code is not None
    assert (code.system, code.code) == ("http://loinc.org", "70274-6")
    assert [c.code for c in GAD7.item("6").codes] == ["69689-8"]


# --- PCL-5 -----------------------------------------------------------------------------------


def pcl(**ratings):
    scores = [0] * 20
    for key, value in ratings.items():
        scores[int(key.removeprefix("i")) - 1] = value
    return answers_for(PCL5, scores)


@pytest.mark.parametrize("total", [0, 1, 30, 31, 32, 33, 34, 79, 80])
def test_pcl5_total_has_no_severity_bands(total):
    result = score(PCL5, answers_for(PCL5, spread(total, 20, 4)))
    assert result.scores["total"].value == total
    assert result.scores["total"].band is None
    assert all(not s.bands for s in PCL5.scores)


def test_pcl5_cluster_sums():
    result = score(PCL5, answers_for(PCL5, [1] * 5 + [2] * 2 + [3] * 7 + [4] * 6))
    values = {k: v.value for k, v in result.scores.items()}
    assert values == {
        "total": 5 + 4 + 21 + 24,
        "cluster-b": 5,
        "cluster-c": 4,
        "cluster-d": 21,
        "cluster-e": 24,
    }


MINIMAL_RULE = {"i1": 2, "i6": 2, "i8": 2, "i9": 2, "i15": 2, "i16": 2}


def test_pcl5_cluster_rule_met_with_the_minimum_per_cluster():
    result = score(PCL5, pcl(**MINIMAL_RULE))
    assert result.findings["dsm5-cluster-rule"] is True
    assert result.scores["total"].value == 12


@pytest.mark.parametrize("dropped", ["i1", "i6", "i9", "i16"])
def test_pcl5_cluster_rule_fails_when_one_cluster_is_short(dropped):
    ratings = dict(MINIMAL_RULE, **{dropped: 1})
    assert score(PCL5, pcl(**ratings)).findings["dsm5-cluster-rule"] is False


def test_pcl5_cluster_rule_counts_only_ratings_of_2_or_more():
    ratings = {f"i{n}": 1 for n in range(1, 21)}
    result = score(PCL5, pcl(**ratings))
    assert result.scores["total"].value == 20
    assert result.findings["dsm5-cluster-rule"] is False


def test_pcl5_cluster_rule_is_unknown_while_a_deciding_item_is_missing():
    answers = pcl(**dict(MINIMAL_RULE, i16=0))
    del answers["17"]
    result = score(PCL5, answers)
    assert not result.complete
    assert result.findings["dsm5-cluster-rule"] is None
    assert result.scores["cluster-e"].value is None
    assert result.scores["cluster-b"].value == 2


def test_pcl5_cluster_rule_is_false_when_missing_items_cannot_change_it():
    answers = pcl()
    del answers["20"]
    assert score(PCL5, answers).findings["dsm5-cluster-rule"] is False


# --- ASQ -------------------------------------------------------------------------------------


def asq(*yes, q5=None):
    answers = {str(n): ("yes" if n in yes else "no") for n in range(1, 5)}
    if q5 is not None:
        answers["5"] = q5
    return answers


def test_asq_all_no_is_negative_and_skips_question_5():
    result = score(ASQ, asq())
    assert result.complete
    assert result.findings == {
        "positive-screen": False,
        "acute-positive": False,
        "non-acute-positive": False,
    }
    assert not result.critical


def test_asq_yes_requires_question_5():
    result = score(ASQ, asq(2))
    assert not result.complete
    assert result.missing == ("5",)
    assert result.findings["positive-screen"] is True
    # The acuity question left blank counts as "yes", as a declined one does.
    assert result.findings["acute-positive"] is True
    assert [(hit.item, hit.reason) for hit in result.critical] == [
        ("2", "answered"),
        ("5", "missing"),
    ]


def test_asq_yes_with_no_to_question_5_is_non_acute_positive():
    result = score(ASQ, asq(4, q5="no"))
    assert result.complete
    assert result.findings["non-acute-positive"] is True
    assert result.findings["acute-positive"] is False


def test_asq_yes_to_question_5_is_acute_positive():
    result = score(ASQ, asq(1, 3, q5="yes"))
    assert result.findings["acute-positive"] is True
    assert result.findings["non-acute-positive"] is False
    assert [hit.item for hit in result.critical] == ["1", "3", "5"]


def test_asq_ignores_an_answer_to_a_question_that_is_not_shown():
    result = score(ASQ, asq(q5="yes"))
    assert result.complete
    assert not result.critical
    assert "5" not in result.item_scores


def test_asq_attempt_details_are_optional_text():
    answers = asq(4, q5="no")
    answers["4-how"] = "free text"
    assert score(ASQ, answers).complete


# --- session check-in ------------------------------------------------------------------------


def test_check_in_totals_sliders():
    result = score(CHECK_IN, {"heard": 10, "goals": "7", "approach": 0, "overall": 9})
    assert result.scores["total"].value == 26
    assert result.scores["total"].band is None


@pytest.mark.parametrize("value", [-1, 11, "ten", True, 2.5])
def test_check_in_rejects_out_of_range_values(value):
    with pytest.raises(InvalidAnswer, match="heard"):
        score(CHECK_IN, {"heard": value, "goals": 5, "approach": 5, "overall": 5})


# --- bad answers -----------------------------------------------------------------------------


def test_it_rejects_an_unknown_answer_code():
    answers = answers_for(PHQ9, [0] * 9)
    answers["9"] = "LA9999-9"
    with pytest.raises(InvalidAnswer, match=r"'9'.*not one of its answer codes"):
        score(PHQ9, answers)


def test_it_rejects_a_score_given_instead_of_a_code():
    with pytest.raises(InvalidAnswer):
        score(PHQ9, {"1": 3})


def test_it_rejects_an_unknown_question():
    with pytest.raises(InvalidAnswer, match="no such question"):
        score(PHQ9, {"11": "LA6568-5"})


def test_it_rejects_answers_to_display_items():
    with pytest.raises(InvalidAnswer):
        score(PHQ9, {"stem": "LA6568-5"})
