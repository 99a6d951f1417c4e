"""The participant's portal: Today (their home page), settings, and crisis resources."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from openiop.accounts.http import AuthedRequest
from openiop.participants import access
from openiop.participants.actions import StaleEdit, update_participant
from openiop.portal.forms import TimezoneForm
from openiop.portal.today import next_session
from openiop.scheduling.forms import ReminderPreferenceForm
from openiop.scheduling.models import CalendarFeed, ReminderPreference


def today(request: AuthedRequest, *, offer_mfa: bool = False) -> HttpResponse:
    """A participant's home page (core.views.home sends them here): the next session and what
    it needs, what to do, questionnaires to fill in, and the way to everything else."""
    user = request.user
    participant = access.visible_participants(user).first()
    upcoming = next_session(user, participant, timezone.now()) if participant else None
    return render(
        request,
        "portal/today.html",
        {
            "participant": participant,
            "next": upcoming,
            "video_opens_minutes": settings.TELEHEALTH_OPENS_MINUTES_BEFORE,
            "offer_mfa": offer_mfa,
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def settings_page(request: AuthedRequest) -> HttpResponse:
    """One place for a participant's settings: time zone, reminders, sign-in security and the
    calendar feed (each of the last three is kept by its own app)."""
    participant = access.own_chart(request.user)
    form = TimezoneForm(request.POST or None, current=participant.timezone)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                update_participant(
                    participant,
                    fields={"timezone": form.cleaned_data["zone"]},
                    expected_version=participant.version,
                    acting_user=request.user,
                )
            except StaleEdit:
                form.add_error(None, gettext("Your details changed meanwhile. Try again."))
                status = 409
            else:
                messages.success(request, gettext("Time zone saved."))
                return redirect("portal:settings")
        else:
            status = 400
    try:
        preference = participant.reminder_preference
    except ReminderPreference.DoesNotExist:
        preference = ReminderPreference(participant=participant)
    has_feed = CalendarFeed.objects.filter(user=request.user, revoked_at__isnull=True).exists()
    return render(
        request,
        "portal/settings.html",
        {
            "participant": participant,
            "form": form,
            "preference_form": ReminderPreferenceForm(
                initial={"sms": preference.sms, "email": preference.email}
            ),
            "reminders_next": reverse("portal:settings"),
            "has_feed": has_feed,
        },
        status=status,
    )


@require_GET
def crisis(request: HttpRequest) -> HttpResponse:
    """Crisis lines, open to anyone signed in or not: nobody should need a password for 988."""
    return render(request, "portal/crisis.html")
