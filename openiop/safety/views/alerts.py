from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from openiop.accounts.http import AuthedRequest
from openiop.lib.access import Access, Granted
from openiop.participants.access import get_participant_for_user, participant_access
from openiop.safety import access, actions, panels
from openiop.safety.forms import AcknowledgeForm, ConcernForm
from openiop.safety.models import SafetyAlert


@require_GET
@login_required
def alerts(request: AuthedRequest) -> HttpResponse:
    if not request.user.is_staff_member:
        raise Http404
    alerts = list(access.visible_open_alerts_for_user(request.user))
    return render(request, "safety/alerts.html", {"alerts": alerts, "count": len(alerts)})


def _render_alert(
    request: AuthedRequest,
    granted: Granted[SafetyAlert],
    form: AcknowledgeForm,
    status: int = 200,
) -> HttpResponse:
    alert = granted.row
    triggers = alert.triggers.select_related("response__instrument", "raised_by")
    # Whoever answers an alert sees what they need on this page; the chart's own pages stay
    # behind the chart's gate, so link to them only for people who may open them.
    can_open_chart = participant_access(request.user, alert.participant) >= Access.READ
    return render(
        request,
        "safety/alert.html",
        {
            "alert": alert,
            "triggers": triggers,
            "form": form,
            "can_acknowledge": alert.is_open and granted.can_write,
            "can_open_chart": can_open_chart,
            **panels.context_for(request, granted),
        },
        status=status,
    )


@require_GET
@login_required
def alert(request: AuthedRequest, code: str) -> HttpResponse:
    granted = access.get_alert_for_user(request.user, code, page=True)
    return _render_alert(request, granted, AcknowledgeForm())


@require_POST
@login_required
def acknowledge(request: AuthedRequest, code: str) -> HttpResponse:
    granted = access.get_alert_for_user(request.user, code, write=True)
    alert = granted.row
    form = AcknowledgeForm(request.POST)
    if not form.is_valid():
        # The page is shown again, emergency details and all: record that view too.
        granted = access.get_alert_for_user(request.user, code, write=True, read=True, page=True)
        return _render_alert(request, granted, form, status=400)
    try:
        actions.acknowledge_alert(
            alert,
            action=form.cleaned_data["action"],
            note=form.cleaned_data["note"],
            acting_user=request.user,
        )
    except actions.AlreadyAcknowledged:
        messages.info(request, "Someone acknowledged this alert already.")
    except actions.AcknowledgementRefused as exc:
        # Nothing is lost: the page comes back with the chosen action and the note typed.
        form.add_error(None, str(exc))
        return _render_alert(request, granted, form, status=400)
    else:
        messages.success(request, "Alert acknowledged.")
    return redirect("safety:alert", alert.code)


@require_POST
@login_required
def raise_concern(request: AuthedRequest, code: str) -> HttpResponse:
    """Any member of staff who may open the chart (a read-only peer specialist too) may raise
    a concern about the participant's safety; it opens (or joins) an alert. A clinician's
    concern matches the rule "clinician_concern", anyone else's "peer_concern"."""
    participant, _ = get_participant_for_user(request.user, code, read=False, allow_discharged=True)
    if not request.user.is_staff_member:
        raise PermissionDenied
    form = ConcernForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Describe the concern before raising an alert.")
        return redirect(participant)
    alert = actions.raise_alert(
        participant,
        kind=SafetyAlert.Kind.CLINICIAN_CONCERN,
        concern=form.cleaned_data["concern"],
        acting_user=request.user,
        rule=access.concern_rule(request.user),
    )
    messages.success(request, "Safety alert raised for the care team and the on-call clinician.")
    return redirect("safety:alert", alert.code)
