"""Matrix rows of the designated record's downloads (openiop/tests/authz.py explains them).

Staff who read the chart download the FHIR Bundle by chart (a staff route: participants 404);
each participant has a "Your record" page and downloads of their own record (staff 404).
Every download is one read event; the page itself shows no record (no read)."""

from openiop.tests.authz import STAFF_CHART_READERS, Entry, chart_kwargs

OWN_PAGES = {r: 404 for r in ("dana", "alvarez", "sam", "chen", "ivy", "admin")}

MATRIX = {
    "notes:record_fhir": Entry(
        "GET",
        STAFF_CHART_READERS,
        chart_kwargs,
        other={"dana": 200, "chen": 200, "ivy": 200},
        audits=1,
    ),
    "notes:my_record": Entry("GET", {**OWN_PAGES, "pat": 200, "quinn": 200}, audits=0),
    "notes:my_record_pdf": Entry("GET", {**OWN_PAGES, "pat": 200, "quinn": 200}, audits=1),
    "notes:my_record_fhir": Entry("GET", {**OWN_PAGES, "pat": 200, "quinn": 200}, audits=1),
}
