"""Properties of the scoring engine over random answer sets (hypothesis)."""

from hypothesis import given
from hypothesis import strategies as st

from openiop.assessments.definitions import shipped_definitions
from openiop.assessments.scoring import InvalidAnswer, score

DEFINITIONS = shipped_definitions()
SCORED = [d for d in DEFINITIONS.values() if d.scores]


@st.composite
def partial_answers(draw):
    definition = draw(st.sampled_from(SCORED))
    answers = {}
    for item in definition.questions:
        if item.type == "text" or draw(st.integers(0, 3)) == 0:
            continue
        if item.type == "choice":
            answers[item.link_id] = draw(st.sampled_from([o.code for o in item.options]))
        else:
            answers[item.link_id] = draw(st.integers(item.min_value, item.max_value))
    return definition, answers


@given(partial_answers())
def test_scores_stay_in_range_and_missing_items_never_give_a_score(case):
    definition, answers = case
    result = score(definition, answers)
    for rule in definition.scores:
        value = result.scores[rule.id].value
        if any(link_id not in answers for link_id in rule.items):
            assert value is None
        else:
            assert rule.min <= value <= rule.max
            assert (result.scores[rule.id].band is not None) == bool(rule.bands)
    assert result.complete == (not result.missing)


@given(partial_answers())
def test_phq9_item_9_always_reaches_a_person_unless_answered_zero(case):
    definition, answers = case
    if definition.id != "phq-9":
        return
    result = score(definition, answers)
    critical = any(hit.item == "9" for hit in result.critical)
    assert critical == (answers.get("9") != "LA6568-5")


any_value = st.none() | st.booleans() | st.integers(-5, 30) | st.floats() | st.text(max_size=12)


@st.composite
def hostile_answers(draw):
    definition = draw(st.sampled_from(list(DEFINITIONS.values())))
    keys = [item.link_id for item in definition.items] + ["nope"]
    answers = draw(st.dictionaries(st.sampled_from(keys), any_value, max_size=8))
    return definition, answers


@given(hostile_answers())
def test_any_answers_are_scored_or_refused_with_invalid_answer(case):
    definition, answers = case
    try:
        result = score(definition, answers)
    except InvalidAnswer:
        return
    assert result.complete == (not result.missing)
