"""Telehealth meets the scheduling engine in one module, schedule.py."""

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[1]
# Tests, and the demo loader's synthetic session, build sessions and bookings directly.
OUTSIDE_THE_RULE = {"tests", "demo.py"}


def scheduling_imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
            "openiop.scheduling"
        ):
            found.append(node.module or "")
        elif isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.startswith("openiop.scheduling")]
    return found


def test_only_schedule_py_imports_the_scheduling_engine():
    offenders = {}
    for path in APP.rglob("*.py"):
        relative = path.relative_to(APP).as_posix()
        if relative == "schedule.py" or any(
            relative == rule or relative.startswith(f"{rule}/") for rule in OUTSIDE_THE_RULE
        ):
            continue
        if imports := scheduling_imports(path):
            offenders[relative] = imports
    assert offenders == {}
