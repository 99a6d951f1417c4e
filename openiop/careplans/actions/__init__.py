"""Every careplans write: atomic, audited, with the acting user keyword-only.

One module per part of the record; callers use the names re-exported here
(`from openiop.careplans import actions; actions.book_intervention_series(...)`).
"""

from openiop.careplans.actions.booking import book_intervention_series

__all__ = [
    "book_intervention_series",
]
