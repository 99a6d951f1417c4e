"""Real-Janus tests fail, not skip, where they cannot run (issue 8)."""

import pytest

from . import lab


@pytest.fixture
def no_lab(monkeypatch):
    monkeypatch.setattr(lab, "netns_available", lambda: "network namespaces need root")
    for name in ("CI", "MAKELEVEL", lab.SKIP_ENV):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_a_machine_that_cannot_run_them_fails_with_the_reason(no_lab):
    with pytest.raises(pytest.fail.Exception, match=r"need root.*OPENIOP_SKIP_JANUS=1"):
        lab.require_lab()


def test_a_developer_may_skip_them_explicitly(no_lab):
    no_lab.setenv(lab.SKIP_ENV, "1")
    with pytest.raises(pytest.skip.Exception, match=r"OPENIOP_SKIP_JANUS=1.*need root"):
        lab.require_lab()


@pytest.mark.parametrize("variable,value", [("CI", "true"), ("MAKELEVEL", "1")])
def test_ci_and_make_test_never_skip_them(no_lab, variable, value):
    no_lab.setenv(lab.SKIP_ENV, "1")
    no_lab.setenv(variable, value)
    with pytest.raises(pytest.fail.Exception, match="cannot run here") as failure:
        lab.require_lab()
    assert "OPENIOP_SKIP_JANUS" not in str(failure.value)


def test_a_machine_that_can_run_them_goes_ahead(monkeypatch):
    monkeypatch.setattr(lab, "netns_available", lambda: None)
    monkeypatch.setenv("CI", "true")
    lab.require_lab()
