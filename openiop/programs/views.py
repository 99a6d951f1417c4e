"""Program setup pages (docs/programs.md): the program's directors only; everyone else 404.

Each view: gate (openiop.programs.access) → form → action → redirect, or the page again with
the form's messages (status 400) and what was typed.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch
from django.forms import BaseForm
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from openiop.accounts.http import AuthedRequest
from openiop.programs import access, actions
from openiop.programs.forms import (
    BlockForm,
    ConfirmForm,
    FacilitatorForm,
    GroupForm,
    ProgramSettingsForm,
    TopicForm,
    TrackForm,
)
from openiop.programs.models import (
    CurriculumTopic,
    Group,
    GroupFacilitator,
    Program,
    Track,
    TrackBlock,
)


def _refuse(form: BaseForm, error: ValidationError) -> None:
    """Show an action's refusal on the form (its fields were valid; the rule is not)."""
    form.add_error(None, error)


@require_GET
@login_required
def index(request: AuthedRequest) -> HttpResponse:
    programs = list(access.programs_to_set_up(request.user))
    if not programs:
        raise Http404
    if len(programs) == 1:
        return redirect("programs:setup", programs[0].code)
    return render(request, "programs/index.html", {"programs": programs})


@require_GET
@login_required
def setup(request: AuthedRequest, code: str) -> HttpResponse:
    """The program at a glance: settings, tracks with their blocks, groups with facilitators
    and curriculum sizes. A fixed number of queries, whatever the number of rows."""
    program = access.get_program_to_set_up(request.user, code)
    groups = Group.objects.annotate(topic_count=Count("topics")).order_by("name")
    tracks = (
        Track.objects.filter(program=program)
        .select_related("program")
        .prefetch_related(
            Prefetch("blocks", queryset=TrackBlock.objects.order_by("starts_at", "pk")),
            Prefetch("groups", queryset=groups),
            Prefetch(
                "groups__facilitator_roles",
                queryset=GroupFacilitator.objects.select_related("clinician").order_by("role"),
            ),
        )
        .order_by("-is_active", "name")
    )
    return render(request, "programs/setup.html", {"program": program, "tracks": tracks})


@require_http_methods(["GET", "POST"])
@login_required
def settings(request: AuthedRequest, code: str) -> HttpResponse:
    program = access.get_program_to_set_up(request.user, code)
    form = ProgramSettingsForm(request.POST or None, instance=Program.objects.get(pk=program.pk))
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.update_program(program, values=form.cleaned_data, acting_user=request.user)
            except ValidationError as error:
                _refuse(form, error)
            else:
                messages.success(request, "Program settings saved.")
                return redirect("programs:setup", program.code)
        return render(
            request, "programs/settings.html", {"program": program, "form": form}, status=400
        )
    return render(request, "programs/settings.html", {"program": program, "form": form})


@require_http_methods(["GET", "POST"])
@login_required
def track_new(request: AuthedRequest, code: str) -> HttpResponse:
    program = access.get_program_to_set_up(request.user, code)
    data = request.POST or None
    form = TrackForm(data, program=program)
    block_form = BlockForm(data, program=program)
    if request.method == "POST":
        if form.is_valid() and block_form.is_valid():
            try:
                track = actions.create_track(
                    program,
                    values=form.cleaned_data,
                    rule=block_form.rule(),
                    starts_at=block_form.cleaned_data["starts_at"],
                    ends_at=block_form.cleaned_data["ends_at"],
                    acting_user=request.user,
                )
            except ValidationError as error:
                _refuse(block_form, error)
            else:
                messages.success(
                    request,
                    f"Track {track.name} created. Add its groups; sessions appear when the "
                    "schedule is next generated.",
                )
                return redirect("programs:track", track.code)
        status = 400
    else:
        status = 200
    return render(
        request,
        "programs/track_new.html",
        {"program": program, "form": form, "block_form": block_form},
        status=status,
    )


def _track_page(
    request: AuthedRequest,
    track: Track,
    *,
    form: TrackForm | None = None,
    block_form: BlockForm | None = None,
    status: int = 200,
) -> HttpResponse:
    program = track.program
    return render(
        request,
        "programs/track.html",
        {
            "program": program,
            "track": track,
            "form": form or TrackForm(instance=track, program=program),
            "block_form": block_form or BlockForm(program=program, track=track, prefix="block"),
            "blocks": track.blocks.order_by("starts_at", "pk"),
            "groups": track.groups.annotate(topic_count=Count("topics")).order_by("name"),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@login_required
def track(request: AuthedRequest, code: str) -> HttpResponse:
    track = access.get_track_to_set_up(request.user, code)
    if request.method == "GET":
        return _track_page(request, track)
    form = TrackForm(request.POST, instance=Track.objects.get(pk=track.pk), program=track.program)
    if form.is_valid():
        try:
            changed = actions.update_track(
                track, values=form.cleaned_data, acting_user=request.user
            )
        except ValidationError as error:
            _refuse(form, error)
        else:
            messages.success(request, "Track saved." if changed else "Nothing changed.")
            return redirect("programs:track", track.code)
    return _track_page(request, track, form=form, status=400)


@require_POST
@login_required
def track_block_add(request: AuthedRequest, code: str) -> HttpResponse:
    track = access.get_track_to_set_up(request.user, code)
    block_form = BlockForm(request.POST, program=track.program, track=track, prefix="block")
    if block_form.is_valid():
        try:
            actions.add_track_block(
                track,
                rule=block_form.rule(),
                starts_at=block_form.cleaned_data["starts_at"],
                ends_at=block_form.cleaned_data["ends_at"],
                acting_user=request.user,
            )
        except ValidationError as error:
            _refuse(block_form, error)
        else:
            messages.success(request, "Days and hours added.")
            return redirect("programs:track", track.code)
    return _track_page(request, track, block_form=block_form, status=400)


@require_POST
@login_required
def track_block_remove(request: AuthedRequest, code: str, block_id: int) -> HttpResponse:
    track = access.get_track_to_set_up(request.user, code)
    block = get_object_or_404(TrackBlock, pk=block_id, track=track)
    try:
        actions.remove_track_block(block, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Days and hours removed.")
    return redirect("programs:track", track.code)


@require_http_methods(["GET", "POST"])
@login_required
def group_new(request: AuthedRequest, code: str) -> HttpResponse:
    track = access.get_track_to_set_up(request.user, code)
    form = GroupForm(request.POST or None, track=track)
    if request.method == "POST":
        if form.is_valid():
            try:
                group = actions.create_group(
                    track,
                    name=form.cleaned_data["name"],
                    capacity=form.cleaned_data["capacity"],
                    curriculum_starts_on=form.cleaned_data["curriculum_starts_on"],
                    acting_user=request.user,
                )
            except ValidationError as error:
                _refuse(form, error)
            else:
                messages.success(
                    request, f"Group {group.name} created. Add its facilitators and curriculum."
                )
                return redirect("programs:group", group.code)
        status = 400
    else:
        status = 200
    return render(
        request,
        "programs/group_new.html",
        {"program": track.program, "track": track, "form": form},
        status=status,
    )


def _group_page(
    request: AuthedRequest, group: Group, status: int = 200, **forms: Any
) -> HttpResponse:
    program = group.track.program
    facilitators = list(group.facilitator_roles.select_related("clinician").order_by("role"))
    context = {
        "program": program,
        "track": group.track,
        "group": group,
        "facilitators": facilitators,
        "topics": list(group.topics.order_by("position")),
        "form": forms.get("form")
        or GroupForm(
            track=group.track,
            editing=group,
            initial={
                "name": group.name,
                "curriculum_starts_on": group.curriculum_starts_on,
                "is_active": group.is_active,
            },
        ),
        "facilitator_form": forms.get("facilitator_form")
        or FacilitatorForm(
            program=program, exclude=[f.clinician_id for f in facilitators], prefix="facilitator"
        ),
        "topic_form": forms.get("topic_form") or TopicForm(prefix="topic"),
        "removal": forms.get("removal"),
    }
    return render(request, "programs/group.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def group(request: AuthedRequest, code: str) -> HttpResponse:
    group = access.get_group_to_set_up(request.user, code)
    if request.method == "GET":
        return _group_page(request, group)
    form = GroupForm(request.POST, track=group.track, editing=group)
    if form.is_valid():
        try:
            changed = actions.update_group(
                group, values=form.cleaned_data, acting_user=request.user
            )
        except ValidationError as error:
            _refuse(form, error)
        else:
            messages.success(request, "Group saved." if changed else "Nothing changed.")
            return redirect("programs:group", group.code)
    return _group_page(request, group, status=400, form=form)


@require_POST
@login_required
def facilitator_add(request: AuthedRequest, code: str) -> HttpResponse:
    group = access.get_group_to_set_up(request.user, code)
    form = FacilitatorForm(
        request.POST,
        program=group.track.program,
        exclude=group.facilitator_roles.values_list("clinician_id", flat=True),
        prefix="facilitator",
    )
    if form.is_valid():
        try:
            actions.add_facilitator(
                group,
                clinician=form.cleaned_data["clinician"],
                role=form.cleaned_data["role"],
                acting_user=request.user,
            )
        except ValidationError as error:
            _refuse(form, error)
        else:
            messages.success(request, "Facilitator added.")
            return redirect("programs:group", group.code)
    return _group_page(request, group, status=400, facilitator_form=form)


@require_POST
@login_required
def facilitator_remove(request: AuthedRequest, code: str, facilitator_id: int) -> HttpResponse:
    """First asks (listing the group's booked sessions ahead), then removes on confirmation."""
    group = access.get_group_to_set_up(request.user, code)
    facilitator = get_object_or_404(
        GroupFacilitator.objects.select_related("clinician"), pk=facilitator_id, group=group
    )
    confirm = ConfirmForm(request.POST)
    if not (confirm.is_valid() and confirm.cleaned_data["confirm"]):
        affected = actions.sessions_affected_by_removal(facilitator)
        if affected:
            removal = {"facilitator": facilitator, "sessions": affected}
            return _group_page(request, group, removal=removal)
    booked = actions.remove_facilitator(facilitator, acting_user=request.user)
    if booked:
        messages.warning(
            request,
            f"{facilitator.clinician.display_name} no longer facilitates this group. "
            f"{booked} booked session(s) ahead go on with the other facilitators: check "
            "each has someone to lead it.",
        )
    else:
        messages.success(
            request, f"{facilitator.clinician.display_name} no longer facilitates this group."
        )
    return redirect("programs:group", group.code)


@require_POST
@login_required
def topic_add(request: AuthedRequest, code: str) -> HttpResponse:
    group = access.get_group_to_set_up(request.user, code)
    form = TopicForm(request.POST, prefix="topic")
    if form.is_valid():
        try:
            actions.add_topic(group, title=form.cleaned_data["title"], acting_user=request.user)
        except ValidationError as error:
            _refuse(form, error)
        else:
            messages.success(request, "Module added at the end of the rotation.")
            return redirect("programs:group", group.code)
    return _group_page(request, group, status=400, topic_form=form)


@require_POST
@login_required
def topic_move(request: AuthedRequest, code: str, topic_id: int) -> HttpResponse:
    group = access.get_group_to_set_up(request.user, code)
    topic = get_object_or_404(CurriculumTopic, pk=topic_id, group=group)
    step = {"up": -1, "down": 1}.get(request.POST.get("direction", ""))
    if step is None:
        messages.error(request, "Choose whether to move the module earlier or later.")
    elif actions.move_topic(topic, step=step, acting_user=request.user):
        messages.success(request, f"Moved {topic.title}.")
    return redirect("programs:group", group.code)


@require_POST
@login_required
def topic_remove(request: AuthedRequest, code: str, topic_id: int) -> HttpResponse:
    group = access.get_group_to_set_up(request.user, code)
    topic = get_object_or_404(CurriculumTopic, pk=topic_id, group=group)
    actions.remove_topic(topic, acting_user=request.user)
    messages.success(request, f"Removed {topic.title} from the rotation.")
    return redirect("programs:group", group.code)


@require_POST
@login_required
def topic_edit(request: AuthedRequest, code: str, topic_id: int) -> HttpResponse:
    group = access.get_group_to_set_up(request.user, code)
    topic = get_object_or_404(CurriculumTopic, pk=topic_id, group=group)
    form = TopicForm(request.POST, prefix=f"topic-{topic.pk}")
    if form.is_valid():
        actions.update_topic(topic, title=form.cleaned_data["title"], acting_user=request.user)
        messages.success(request, "Module renamed.")
        return redirect("programs:group", group.code)
    messages.error(request, "A module needs a title of at most 150 characters.")
    return redirect("programs:group", group.code)
