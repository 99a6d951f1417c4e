"""Right of access (45 CFR 164.524): requests for a copy of the record made other than by the
participant's own portal download, tracked against the 30-day deadline, and the accounting
rows every delivered copy leaves (docs/consent.md, "Right of access")."""
