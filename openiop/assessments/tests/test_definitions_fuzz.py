"""Any damage to a definition file gives a DefinitionError, never another exception."""

import copy
import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from openiop.assessments.definitions import DefinitionError, parse_definition
from openiop.intake.level_of_care import DEFAULT_RULES, RuleSetError, parse_rule_set

EXAMPLE = json.loads(
    (Path(__file__).parent / "fixtures" / "example-site-instrument.json").read_text()
)
PHQ9 = json.loads((Path(__file__).resolve().parents[1] / "instruments" / "phq-9.json").read_text())
RULES = json.loads(DEFAULT_RULES.read_text())

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-3, 100)
    | st.floats(allow_nan=False)
    | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=5,
)


def paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from paths(value, (*prefix, index))


def damaged(document):
    all_paths = [p for p in paths(document) if p]

    @st.composite
    def strategy(draw):
        data = copy.deepcopy(document)
        path = draw(st.sampled_from(all_paths))
        parent = data
        for step in path[:-1]:
            parent = parent[step]
        if draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(json_values)
        return data

    return strategy()


@settings(max_examples=300, deadline=None)
@given(st.one_of(damaged(EXAMPLE), damaged(PHQ9)))
def test_a_damaged_definition_is_refused_cleanly_or_still_valid(data):
    try:
        parse_definition(json.dumps(data), source="fuzz.json")
    except DefinitionError as exc:
        assert str(exc).startswith("fuzz.json")


@settings(max_examples=300, deadline=None)
@given(damaged(RULES))
def test_a_damaged_rule_set_is_refused_cleanly_or_still_valid(data):
    try:
        parse_rule_set(data, source="fuzz.json")
    except RuleSetError as exc:
        assert str(exc).startswith("fuzz.json")
