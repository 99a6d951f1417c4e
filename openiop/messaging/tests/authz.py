"""messaging's rows of the authorisation matrix: each part keeps its own in `authz_<part>.py`
(participant ↔ care team threads, the care team's coordination)."""

from openiop.tests.authz import include_parts

PARTS = ("threads", "team")

MATRIX, GET_AND_POST = include_parts("openiop.messaging.tests", PARTS)
