"""The trajectory SVG: what it draws, that it parses as XML, that it stays small."""

import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta

from django.test import SimpleTestCase

from openiop.outcomes import charts

SVG = "{http://www.w3.org/2000/svg}"
START = datetime(2026, 1, 5, 15, 0, tzinfo=UTC)
PHQ9_BANDS = (
    charts.Band(0, 4, "None–minimal"),
    charts.Band(5, 9, "Mild"),
    charts.Band(10, 14, "Moderate"),
    charts.Band(15, 19, "Moderately severe"),
    charts.Band(20, 27, "Severe"),
)


def phq9_chart(values=(18, 15, 13, 9), **kwargs):
    defaults = {
        "id": "chart-phq-9",
        "title": "PHQ-9 scores over time",
        "description": "4 PHQ-9 scores: baseline 18, latest 9.",
        "low": 0,
        "high": 27,
        "zone": "America/New_York",
        "scores": tuple(charts.Score(START + timedelta(weeks=n), v) for n, v in enumerate(values)),
        "bands": PHQ9_BANDS,
        "reliable_band": (12.0, 24.0),
        "marks": (
            charts.Mark(START + timedelta(days=1), True),
            charts.Mark(START + timedelta(days=3), False),
            charts.Mark(START + timedelta(days=8), True),
        ),
        "targets": (charts.Target(9, date(2026, 2, 27), "Target ≤ 9 by Fri 27 Feb 2026"),),
    }
    return charts.Chart(**{**defaults, **kwargs})


def parse(chart):
    return ET.fromstring(str(charts.render(chart)))


class TrajectorySvgTests(SimpleTestCase):
    def test_it_is_valid_xml_and_an_image_with_a_title_and_description(self):
        root = parse(phq9_chart())
        self.assertEqual(root.tag, f"{SVG}svg")
        self.assertEqual(root.get("role"), "img")
        self.assertEqual(root.get("aria-labelledby"), "chart-phq-9-title chart-phq-9-desc")
        self.assertEqual(root.find(f"{SVG}title").text, "PHQ-9 scores over time")
        self.assertEqual(root.find(f"{SVG}desc").get("id"), "chart-phq-9-desc")

    def test_it_shades_each_severity_band_and_labels_it(self):
        root = parse(phq9_chart())
        labels = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "band-label"]
        self.assertEqual(labels, [b.label for b in PHQ9_BANDS])
        fills = [r for r in root.iter(f"{SVG}rect") if r.get("fill", "").startswith("#")]
        self.assertGreaterEqual(len(fills), 5)

    def test_it_draws_the_reliable_change_band_around_the_baseline(self):
        root = parse(phq9_chart())
        band = next(r for r in root.iter(f"{SVG}rect") if r.get("class") == "reliable-band")
        # 0–27 over a plot 10..218 px: 24 is at y ≈ 30.8 and 12 at ≈ 123.3.
        self.assertAlmostEqual(float(band.get("y")), 10 + (27 - 24) / 27 * 208, places=0)
        self.assertAlmostEqual(float(band.get("height")), 12 / 27 * 208, places=0)
        self.assertIn("hatch", band.get("fill"))
        self.assertIn("Reliable-change band", "".join(root.itertext()))

    def test_it_draws_every_score_with_the_baseline_apart(self):
        root = parse(phq9_chart())
        paths = {p.get("class"): p for p in root.iter(f"{SVG}path") if p.get("class")}
        self.assertEqual(paths["line"].get("d").count("L"), 3)
        self.assertEqual(paths["points"].get("d").count("M"), 3)
        self.assertTrue(any(r.get("class") == "baseline" for r in root.iter(f"{SVG}rect")))

    def test_it_marks_attended_and_missed_sessions_by_shape(self):
        root = parse(phq9_chart())
        paths = {p.get("class"): p for p in root.iter(f"{SVG}path") if p.get("class")}
        self.assertEqual(paths["attended"].get("d").count("M"), 2)
        self.assertEqual(paths["missed"].get("d").count("M"), 1)
        text = "".join(root.itertext())
        self.assertIn("Session attended", text)
        self.assertIn("Session missed", text)

    def test_it_draws_the_target_line_with_its_label(self):
        root = parse(phq9_chart())
        target = next(p for p in root.iter(f"{SVG}path") if p.get("class") == "target")
        self.assertIn("stroke-dasharray", target.attrib)
        self.assertIn("Target ≤ 9 by Fri 27 Feb 2026", "".join(root.itertext()))

    def test_one_score_is_a_single_point_without_a_line(self):
        root = parse(phq9_chart(values=(14,), reliable_band=None, targets=(), marks=()))
        classes = {p.get("class") for p in root.iter(f"{SVG}path")}
        self.assertNotIn("line", classes)
        self.assertNotIn("points", classes)
        self.assertTrue(any(r.get("class") == "baseline" for r in root.iter(f"{SVG}rect")))

    def test_two_scores_at_the_same_instant_do_not_divide_by_zero(self):
        same = (charts.Score(START, 10), charts.Score(START, 16))
        root = parse(phq9_chart(scores=same, targets=()))
        line = next(p for p in root.iter(f"{SVG}path") if p.get("class") == "line")
        self.assertNotIn("nan", line.get("d"))

    def test_axis_dates_are_in_the_viewers_zone(self):
        # 10:00 UTC on 10 Jan: midnight in Honolulu (UTC-10), midnight of 11 Jan in
        # Kiritimati (UTC+14); the axis starts three days before, at each zone's next midnight.
        at = datetime(2026, 1, 10, 10, 0, tzinfo=UTC)
        chart = phq9_chart(scores=(charts.Score(at, 12),), targets=(), marks=(), reliable_band=None)
        for zone, first_tick in (("Pacific/Honolulu", "8 Jan"), ("Pacific/Kiritimati", "9 Jan")):
            root = parse(charts.Chart(**{**chart.__dict__, "zone": zone}))
            ticks = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "tick"]
            self.assertEqual(ticks[0], first_tick, zone)

    def test_text_is_escaped(self):
        root = parse(phq9_chart(title="A <b> & “quoted” title"))
        self.assertEqual(root.find(f"{SVG}title").text, "A <b> & “quoted” title")

    def test_a_year_of_weekly_scores_and_sessions_stays_small(self):
        values = [(n * 7) % 28 for n in range(52)]
        marks = tuple(charts.Mark(START + timedelta(days=n * 2), n % 5 != 0) for n in range(156))
        svg = str(charts.render(phq9_chart(values=values, marks=marks)))
        self.assertLess(len(svg.encode()), 12_000)

    def test_a_phone_chart_wraps_its_key(self):
        narrow = parse(phq9_chart(width=360, height=260))
        wide = parse(phq9_chart())
        self.assertGreater(
            float(narrow.get("viewBox").split()[3]), 260, "the key took a second row"
        )
        self.assertEqual(wide.get("viewBox"), "0 0 640 280")
