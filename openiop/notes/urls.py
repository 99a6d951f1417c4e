from django.urls import path

from openiop.notes import disclosure_views, record_views
from openiop.notes.psychotherapy import views as psychotherapy
from openiop.notes.views import group, progress

app_name = "notes"

urlpatterns = [
    path("mine/", progress.my_notes, name="my_notes"),
    path("mine/<uuid:code>/", progress.my_note, name="my_note"),
    path("mine/<uuid:code>/pdf/", progress.my_note_pdf, name="my_note_pdf"),
    path("sessions/<uuid:code>/new/", progress.start_for_session, name="start_for_session"),
    path("participants/<uuid:code>/", progress.participant_notes, name="participant_notes"),
    path(
        "participants/<uuid:code>/new/",
        progress.start_for_participant,
        name="start_for_participant",
    ),
    path("<uuid:code>/", progress.note_detail, name="note"),
    path("<uuid:code>/edit/", progress.edit, name="edit"),
    path("<uuid:code>/autosave/", progress.autosave, name="autosave"),
    path("<uuid:code>/addenda/", progress.add_addendum, name="addendum"),
    path("<uuid:code>/cosign/", progress.cosign, name="cosign"),
    path("<uuid:code>/pdf/", progress.note_pdf, name="pdf"),
    path("group-sessions/<uuid:code>/", group.group_note, name="group_note"),
    path(
        "group-sessions/<uuid:code>/autosave/",
        group.group_note_autosave,
        name="group_note_autosave",
    ),
    # The full-record PDF (the participant's designated record) and psychotherapy notes.
    path(
        "participants/<uuid:code>/record.pdf",
        record_views.record_pdf,
        name="record_pdf",
    ),
    path(
        "participants/<uuid:code>/record.json",
        record_views.record_fhir,
        name="record_fhir",
    ),
    path("mine/record/", record_views.my_record, name="my_record"),
    path("mine/record/record.pdf", record_views.my_record_pdf, name="my_record_pdf"),
    path("mine/record/record.json", record_views.my_record_fhir, name="my_record_fhir"),
    path(
        "participants/<uuid:code>/disclose/",
        disclosure_views.disclose,
        name="disclose",
    ),
    path(
        "psychotherapy/participants/<uuid:code>/",
        psychotherapy.note_list,
        name="psychotherapy_list",
    ),
    path(
        "psychotherapy/participants/<uuid:code>/new/",
        psychotherapy.new_note,
        name="psychotherapy_new",
    ),
    path("psychotherapy/<uuid:code>/", psychotherapy.note_detail, name="psychotherapy_note"),
    path("psychotherapy/<uuid:code>/edit/", psychotherapy.edit_note, name="psychotherapy_edit"),
]
