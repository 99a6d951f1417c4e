"""Psychotherapy notes (45 CFR 164.501; CLINICAL.md §6.2): a mental-health professional's
private notes of a counselling session, kept apart from the participant's record.

- `access`: the gate. Only the author reaches a note; everyone else gets 404.
- `actions`: writing and updating one. The text is encrypted (the site keyring, as TOTP
  secrets are) before it reaches the database, and never goes into an audit event or a log.
- `views`, `forms`: the author's pages under /notes/psychotherapy/.

Nothing else in the project reads `PsychotherapyNote`: the chart, the participant's own pages,
the full-record PDF, the FHIR export, calendar feeds and the caseload never see one.
"""
