"""The scale-out rig's Locust traffic names real pages (the rig itself runs from bench/).

bench/rig.py starts the whole deployment and takes minutes; here only what would make it fail
late, cheaply: every path the Locust users open is the one Django's URL names give, and the
locustfile loads in Locust with the user classes the rig asks for.
"""

import subprocess
import sys
import uuid
from pathlib import Path

from django.urls import reverse

from bench import rig
from bench.locust_paths import FIELDS, PAGES, path

ROOT = Path(__file__).resolve().parents[2]


def test_every_locust_path_is_the_url_its_name_gives():
    codes = {field: str(uuid.uuid4()) for field in FIELDS}
    for label, (name, template) in PAGES.items():
        field = next((f for f in FIELDS if f"{{{f}}}" in template), None)
        kwargs = {"code": codes[field]} if field else {}
        assert path(label, **codes) == reverse(name, kwargs=kwargs), label


def test_the_rig_reports_every_page_the_users_open():
    assert set(rig.LABELS) == set(PAGES)


def test_the_locustfile_loads_with_the_rigs_user_classes():
    listed = subprocess.run(
        [str(Path(sys.executable).parent / "locust"), "-f", "bench/locustfile.py", "--list"],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    assert set(listed.stdout.split()) >= {"Clinician", "Director", "Participant", "Hello"}
