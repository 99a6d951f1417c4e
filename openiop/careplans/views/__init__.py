"""careplans pages, one module per part of the record (urls.py names each view)."""
