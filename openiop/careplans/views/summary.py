"""The chart's clinical summary: diagnoses, problem list, medications and allergies.

Plain forms that work without JavaScript: the summary page shows every item and, to users who
may change the chart, a form to add each kind; each item has its own page to change or remove
it and a history page listing every version.
"""

import copy
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from openiop.accounts.http import AuthedRequest
from openiop.careplans import access, actions
from openiop.careplans.actions.summary import SNAPSHOT_FIELDS, is_current
from openiop.careplans.forms import summary as summary_forms
from openiop.careplans.models import (
    Allergy,
    Diagnosis,
    Medication,
    ProblemListEntry,
    SummaryRevision,
)
from openiop.lib.timefmt import format_date
from openiop.participants.models import Participant


@dataclass(frozen=True)
class SummaryKind:
    key: str
    noun: str  # "diagnosis", as in "Add a diagnosis"
    section: str  # the summary page's anchor
    model: type[Any]
    add_form: type[forms.ModelForm]
    edit_form: type[forms.ModelForm]
    remove_form: type[forms.Form]
    add: Callable[..., Any]
    change: Callable[..., Any]
    remove: Callable[..., Any]  # (row, cleaned_data, *, expected_version, acting_user)
    remove_button: str
    removed_message: str


KINDS = {
    kind.key: kind
    for kind in (
        SummaryKind(
            key=SummaryRevision.Kind.DIAGNOSIS,
            noun="diagnosis",
            section="diagnoses",
            model=Diagnosis,
            add_form=summary_forms.DiagnosisForm,
            edit_form=summary_forms.DiagnosisEditForm,
            remove_form=summary_forms.DiagnosisRemoveForm,
            add=actions.add_diagnosis,
            change=actions.change_diagnosis,
            remove=lambda row, data, **kw: actions.remove_diagnosis(
                row, status=data["status"], **kw
            ),
            remove_button="Take off the current diagnoses",
            removed_message="Diagnosis taken off the current list.",
        ),
        SummaryKind(
            key=SummaryRevision.Kind.PROBLEM,
            noun="problem",
            section="problems",
            model=ProblemListEntry,
            add_form=summary_forms.ProblemForm,
            edit_form=summary_forms.ProblemEditForm,
            remove_form=summary_forms.ProblemRemoveForm,
            add=actions.add_problem,
            change=actions.change_problem,
            remove=lambda row, data, **kw: actions.remove_problem(row, **kw),
            remove_button="Mark resolved",
            removed_message="Problem marked resolved.",
        ),
        SummaryKind(
            key=SummaryRevision.Kind.MEDICATION,
            noun="medication",
            section="medications",
            model=Medication,
            add_form=summary_forms.MedicationForm,
            edit_form=summary_forms.MedicationEditForm,
            remove_form=summary_forms.MedicationRemoveForm,
            add=actions.add_medication,
            change=actions.change_medication,
            remove=lambda row, data, **kw: actions.remove_medication(
                row, stopped_on=data["stopped_on"], **kw
            ),
            remove_button="Record the stop",
            removed_message="Medication moved to past medications.",
        ),
        SummaryKind(
            key=SummaryRevision.Kind.ALLERGY,
            noun="allergy",
            section="allergies",
            model=Allergy,
            add_form=summary_forms.AllergyForm,
            edit_form=summary_forms.AllergyEditForm,
            remove_form=summary_forms.AllergyRemoveForm,
            add=actions.add_allergy,
            change=actions.change_allergy,
            remove=lambda row, data, **kw: actions.remove_allergy(row, **kw),
            remove_button="Mark inactive",
            removed_message="Allergy marked inactive.",
        ),
    )
}


def _kind(key: str) -> SummaryKind:
    try:
        return KINDS[key]
    except KeyError as exc:
        raise Http404 from exc


def _summary_url(participant: Participant, kind: SummaryKind | None = None) -> str:
    url = reverse("careplans:summary", args=[participant.code])
    return f"{url}#{kind.section}" if kind else url


def _add_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """An action's ValidationError on the form: by field where the form has it."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


def _remove_form(
    kind: SummaryKind, row: Any, data: Any = None, *, version: int | None = None
) -> forms.Form:
    kwargs: dict[str, Any] = {"prefix": "remove"}
    if kind.key == SummaryRevision.Kind.MEDICATION:
        kwargs["started_on"] = row.started_on
    return kind.remove_form(data, initial={"version": version or row.version}, **kwargs)


# The summary --------------------------------------------------------------------------------


@require_GET
@login_required
def summary(request: AuthedRequest, code: str) -> HttpResponse:
    granted = access.get_summary_for_user(request.user, code)
    # Charts admitted before intake's diagnoses reached the summary get them on first view.
    actions.import_missing_intake_diagnoses(granted.row, acting_user=request.user)
    return _render_summary(request, granted.row, can_write=granted.can_write)


@require_POST
@login_required
def add(request: AuthedRequest, code: str, kind: str) -> HttpResponse:
    spec = _kind(kind)
    participant, _ = access.get_summary_for_user(request.user, code, write=True)
    form = spec.add_form(request.POST, prefix=spec.key)
    if form.is_valid():
        try:
            spec.add(participant, fields=form.cleaned_data, acting_user=request.user)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"{spec.noun.capitalize()} added.")
            return redirect(_summary_url(participant, spec))
    return _render_summary(request, participant, can_write=True, failed=form, status=400)


def _render_summary(
    request: AuthedRequest,
    participant: Participant,
    *,
    can_write: bool,
    failed: forms.BaseForm | None = None,
    status: int = 200,
) -> HttpResponse:
    diagnoses = list(participant.diagnoses.all())
    problems = list(participant.problem_list.all())
    medications = list(participant.medications.all())
    allergies = list(participant.allergies.all())
    add_forms: dict[str, forms.BaseForm] = {}
    if can_write:
        add_forms = {key: kind.add_form(prefix=key) for key, kind in KINDS.items()}
        if not any(
            d.rank == Diagnosis.Rank.PRIMARY for d in diagnoses if is_current("diagnosis", d)
        ):
            # The first current diagnosis is usually the primary one.
            add_forms["diagnosis"] = KINDS["diagnosis"].add_form(
                prefix="diagnosis", initial={"rank": Diagnosis.Rank.PRIMARY}
            )
        if failed is not None:
            add_forms[failed.prefix or ""] = failed
    return render(
        request,
        "careplans/summary/summary.html",
        {
            "participant": participant,
            "can_write": can_write,
            "add_forms": add_forms,
            "failed": failed,
            "current_diagnoses": [d for d in diagnoses if is_current("diagnosis", d)],
            "past_diagnoses": [d for d in diagnoses if not is_current("diagnosis", d)],
            "active_problems": [p for p in problems if is_current("problem", p)],
            "resolved_problems": [p for p in problems if not is_current("problem", p)],
            "current_medications": [m for m in medications if is_current("medication", m)],
            "past_medications": sorted(
                (m for m in medications if not is_current("medication", m)),
                key=lambda m: (m.stopped_on, m.id),
                reverse=True,
            ),
            "active_allergies": [a for a in allergies if a.is_active],
            "inactive_allergies": [a for a in allergies if not a.is_active],
        },
        status=status,
    )


# One item -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def edit(request: AuthedRequest, code: str, kind: str, item: str) -> HttpResponse:
    spec = _kind(kind)
    row, _ = access.get_summary_item_for_user(
        request.user, code, spec.key, item, write=True, read=request.method == "GET"
    )
    if request.method == "GET":
        form = spec.edit_form(instance=row, initial={"version": row.version}, prefix="edit")
        return _render_edit(request, spec, row, form, _remove_form(spec, row))
    # A copy: validating a model form writes what was typed onto its instance.
    form = spec.edit_form(request.POST, instance=copy.copy(row), prefix="edit")
    if form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            saved = spec.change(
                row,
                fields=fields,
                expected_version=form.cleaned_data["version"],
                acting_user=request.user,
            )
        except actions.StaleSummaryEdit as exc:
            return _conflict(request, spec, exc.current, edit_data=request.POST)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            if saved.version == form.cleaned_data["version"]:
                messages.info(request, "Nothing was changed.")
            else:
                messages.success(request, f"{spec.noun.capitalize()} saved.")
            return redirect(_summary_url(row.participant, spec))
    return _render_edit(request, spec, row, form, _remove_form(spec, row), status=400)


@require_POST
@login_required
def remove(request: AuthedRequest, code: str, kind: str, item: str) -> HttpResponse:
    spec = _kind(kind)
    row, _ = access.get_summary_item_for_user(request.user, code, spec.key, item, write=True)
    form = _remove_form(spec, row, request.POST)
    if form.is_valid():
        try:
            saved = spec.remove(
                row,
                form.cleaned_data,
                expected_version=form.cleaned_data["version"],
                acting_user=request.user,
            )
        except actions.StaleSummaryEdit as exc:
            return _conflict(request, spec, exc.current, remove_data=request.POST)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            if saved.version == form.cleaned_data["version"]:
                messages.info(request, "Nothing was changed.")
            else:
                messages.success(request, spec.removed_message)
            return redirect(_summary_url(row.participant, spec))
    edit_form = spec.edit_form(instance=row, initial={"version": row.version}, prefix="edit")
    return _render_edit(request, spec, row, edit_form, form, status=400)


def _conflict(
    request: AuthedRequest,
    spec: SummaryKind,
    current: Any,
    *,
    edit_data: Any = None,
    remove_data: Any = None,
) -> HttpResponse:
    """Someone saved first: the form again with what was typed, now based on the saved
    version (so saving again is a deliberate overwrite), and the saved values beside it."""
    if edit_data is not None:
        data = edit_data.copy()
        data["edit-version"] = str(current.version)
        edit_form = spec.edit_form(data, instance=copy.copy(current), prefix="edit")
        edit_form.is_valid()
        edit_form.add_error(None, summary_forms.STALE_MESSAGE)
        remove_form = _remove_form(spec, current)
    else:
        edit_form = spec.edit_form(
            instance=current, initial={"version": current.version}, prefix="edit"
        )
        data = remove_data.copy()
        data["remove-version"] = str(current.version)
        remove_form = _remove_form(spec, current, data)
        remove_form.is_valid()
        remove_form.add_error(None, summary_forms.STALE_MESSAGE)
    return _render_edit(request, spec, current, edit_form, remove_form, saved=current, status=409)


def _render_edit(
    request: AuthedRequest,
    spec: SummaryKind,
    row: Any,
    form: forms.BaseForm,
    remove_form: forms.BaseForm,
    *,
    saved: Any = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "careplans/summary/edit.html",
        {
            "participant": row.participant,
            "kind": spec,
            "item": row,
            "title": item_title(spec.key, row),
            "form": form,
            "remove_form": remove_form,
            "is_current": is_current(spec.key, row),
            "saved": saved,
            "saved_fields": describe(spec.key, snapshot_of(spec.key, saved)) if saved else [],
        },
        status=status,
    )


@require_GET
@login_required
def history(request: AuthedRequest, code: str, kind: str, item: str) -> HttpResponse:
    spec = _kind(kind)
    row, _ = access.get_summary_item_for_user(
        request.user, code, spec.key, item, read_event="careplans.summary_history_viewed"
    )
    revisions = list(
        SummaryRevision.objects.filter(
            participant=row.participant, kind=spec.key, item_code=row.code
        )
        .select_related("changed_by")
        .order_by("version")
    )
    versions = []
    previous: dict[str, Any] | None = None
    for revision in revisions:
        versions.append(
            {
                "revision": revision,
                "fields": describe(spec.key, revision.data, previous),
            }
        )
        previous = revision.data
    versions.reverse()
    return render(
        request,
        "careplans/summary/history.html",
        {
            "participant": row.participant,
            "kind": spec,
            "item": row,
            "title": item_title(spec.key, row),
            "versions": versions,
        },
    )


# How items read -----------------------------------------------------------------------------


def item_title(kind: str, row: Any) -> str:
    if kind == SummaryRevision.Kind.DIAGNOSIS:
        return f"{row.icd10_code} {row.description}"
    if kind == SummaryRevision.Kind.MEDICATION:
        return str(row.name)
    if kind == SummaryRevision.Kind.ALLERGY:
        return str(row.substance)
    return str(row.description)


def snapshot_of(kind: str, row: Any) -> dict[str, Any]:
    return {name: getattr(row, name) for name in SNAPSHOT_FIELDS[kind]}


def describe(
    kind: str, data: dict[str, Any], previous: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Label, readable value and "changed since the previous version" for each field."""
    model = KINDS[kind].model
    rows = []
    for name in SNAPSHOT_FIELDS[kind]:
        field = model._meta.get_field(name)
        value = data.get(name)
        rows.append(
            {
                "label": str(field.verbose_name)[:1].upper() + str(field.verbose_name)[1:],
                "value": _readable(field, value),
                "changed": previous is not None and previous.get(name) != value,
            }
        )
    return rows


def _readable(field: Any, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, date):
        return format_date(value)
    if field.get_internal_type() == "DateField":
        try:
            return format_date(date.fromisoformat(value))
        except (TypeError, ValueError):
            return str(value)
    return str(value)
