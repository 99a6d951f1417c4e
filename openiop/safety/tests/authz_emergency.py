"""Authorisation-matrix rows of emergency access (issue 10, item 5).

Emergency access adds no URL: the details are a panel of the alert page (`safety:alert`), whose
rows stay in the central matrix (directors of the participant's program now 200, and 302 on
acknowledging). The read that page records while the alert is open is
`safety.emergency_details_viewed`, still one read per page view.
"""

from typing import Any

MATRIX: dict[str, Any] = {}
GET_AND_POST: set[str] = set()
