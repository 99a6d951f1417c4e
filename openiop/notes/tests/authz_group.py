"""The notes app's rows of the authorisation matrix (openiop/tests/test_authz_matrix.py)."""

from openiop.tests.authz import ROLES, Entry, _scheduled

# A group session's note: its facilitators and the program's directors write it; an intake
# coordinator, who sees the session, gets 403; everyone else 404.
GROUP_NOTE_WRITERS = {
    **{r: 404 for r in ROLES if r != "anonymous"},
    "dana": 200,
    "alvarez": 200,
    "sam": 200,
    "ivy": 403,
}
OTHER_GROUP_NOTE_WRITERS = {"dana": 200, "chen": 200, "ivy": 403}

MATRIX: dict[str, Entry] = {
    "notes:group_note": Entry(
        "GET",
        GROUP_NOTE_WRITERS,
        _scheduled("session"),
        other=OTHER_GROUP_NOTE_WRITERS,
        audits=1,
    ),
    "notes:group_note_autosave": Entry(
        "POST",
        {**GROUP_NOTE_WRITERS, "anonymous": 401},
        _scheduled("session"),
        other=OTHER_GROUP_NOTE_WRITERS,
        data={"edit_version": "0"},
    ),
}

GET_AND_POST = {"notes:group_note"}
