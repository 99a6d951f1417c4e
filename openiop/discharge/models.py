"""Discharge summaries and aftercare (CLINICAL.md §5.4)."""
