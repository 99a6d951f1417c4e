"""Staff pages for portal invitations (from the chart) and the public accept pages."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from openiop.accounts.http import AuthedRequest
from openiop.accounts.models import User
from openiop.consent.access import invitations as access
from openiop.consent.actions import invitations as actions
from openiop.consent.actions.invitations import InvitationError, InvitationUnusable
from openiop.consent.forms import AcceptInvitationForm, GuardianInvitationForm
from openiop.consent.invitations import Invitation
from openiop.participants.models import Participant

# The accept link's token moves from the URL into the session before the password form is
# shown (Django's password-reset pattern), so the form page's address and any referrer hold
# no token.
TOKEN_SESSION_KEY = "openiop.invitation_token"
# Read once by the portal home: offer the optional second factor after setting up.
OFFER_MFA_SESSION_KEY = "openiop.offer_mfa"
BACKEND = "openiop.accounts.backends.AuthenticationBackend"

# What each unusable link says, and its status code. None names the person or the program.
UNUSABLE: dict[str, tuple[str, str, int]] = {
    "unknown": (
        "This link does not work",
        "The link may have been copied incompletely. Open it again from the message you "
        "received, or ask your program for a new invitation.",
        404,
    ),
    "expired": (
        "This invitation has expired",
        "Invitation links work for a limited time. Ask your program to send you a new one.",
        410,
    ),
    "accepted": (
        "This invitation was already used",
        "An account was already set up with this link. Sign in with your email address and "
        "password; if you forgot your password, use “Forgot your password?” on the sign-in "
        "page.",
        410,
    ),
    "revoked": (
        "This invitation is no longer valid",
        "The program cancelled this link or sent a newer one. Use the newest message you "
        "received, or ask your program for a new invitation.",
        410,
    ),
    "someone_else": (
        "This invitation is for someone else",
        "You are signed in with another account. Sign out first, then open the link again.",
        403,
    ),
}


def _portal_context(participant: Participant) -> dict[str, Any]:
    invitations = list(
        participant.invitations.select_related("created_by", "revoked_by").order_by(
            "-created_at", "-id"
        )[:20]
    )
    latest = next((i for i in invitations if i.role == Invitation.Role.PARTICIPANT), None)
    guardians = participant.guardian_links.filter(revoked_at__isnull=True).select_related("user")
    open_guardian_invitations = [
        i for i in invitations if i.role == Invitation.Role.GUARDIAN and i.is_open
    ]
    return {
        "participant": participant,
        "latest": latest,
        "invitations": invitations,
        "guardians": list(guardians),
        "guardian_invitations": open_guardian_invitations,
        "allows_guardians": bool(participant.program and participant.program.allows_guardians),
    }


@require_GET
@login_required
def portal_access(request: AuthedRequest, code: str) -> HttpResponse:
    participant = access.get_chart_for_invitations(request.user, code, read=True)
    return render(request, "consent/portal_access.html", _portal_context(participant))


@require_POST
@login_required
def invite(request: AuthedRequest, code: str) -> HttpResponse:
    participant = access.get_chart_for_invitations(request.user, code, read=False)
    try:
        actions.invite_participant(participant, acting_user=request.user)
    except InvitationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Invitation sent.")
    return redirect("consent:portal_access", participant.code)


@require_http_methods(["GET", "POST"])
@login_required
def invite_guardian(request: AuthedRequest, code: str) -> HttpResponse:
    participant = access.get_chart_for_invitations(request.user, code, read=request.method == "GET")
    form = GuardianInvitationForm(request.POST or None)
    allowed = bool(participant.program and participant.program.allows_guardians)
    if request.method == "POST" and allowed and form.is_valid():
        try:
            actions.invite_guardian(participant, acting_user=request.user, **form.cleaned_data)
        except InvitationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Invitation sent to the parent or guardian.")
            return redirect("consent:portal_access", participant.code)
    status = 400 if form.is_bound else 200
    return render(
        request,
        "consent/invite_guardian.html",
        {"participant": participant, "form": form, "allowed": allowed},
        status=status,
    )


def _change_access(
    request: AuthedRequest, change: Callable[[], Any], done: str, participant: Participant
) -> HttpResponse:
    """Run one change to a chart's portal access; its refusal or success is a message on the
    portal access page."""
    try:
        change()
    except InvitationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect("consent:portal_access", participant.code)


@require_POST
@login_required
def resend(request: AuthedRequest, code: str) -> HttpResponse:
    invitation = access.get_invitation_for_user(request.user, code)
    return _change_access(
        request,
        lambda: actions.resend_invitation(invitation, acting_user=request.user),
        "A new link was sent. The old link no longer works.",
        invitation.participant,
    )


@require_POST
@login_required
def revoke(request: AuthedRequest, code: str) -> HttpResponse:
    invitation = access.get_invitation_for_user(request.user, code)
    return _change_access(
        request,
        lambda: actions.revoke_invitation(invitation, acting_user=request.user),
        "Invitation revoked. Its link no longer works.",
        invitation.participant,
    )


@require_POST
@login_required
def revoke_guardian(request: AuthedRequest, code: str) -> HttpResponse:
    link = access.get_guardian_link_for_user(request.user, code)
    return _change_access(
        request,
        lambda: actions.revoke_guardian_link(link, acting_user=request.user),
        "The guardian's access was ended.",
        link.participant,
    )


def _unusable(request: HttpRequest, reason: str) -> HttpResponse:
    heading, advice, status = UNUSABLE[reason]
    return render(
        request,
        "consent/invitation_unusable.html",
        {"heading": heading, "advice": advice, "reason": reason},
        status=status,
    )


@require_GET
def accept(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the message. Checks it, keeps its token in the session, and sends the
    person on to the password form."""
    try:
        invitation = actions.find_invitation(token)
    except InvitationUnusable:
        return _unusable(request, "unknown")
    if request.user.is_authenticated:
        if invitation.user_id is not None and invitation.user_id == request.user.pk:
            messages.info(request, gettext("Your account is already set up."))
            return redirect("home")
        return _unusable(request, "someone_else")
    try:
        actions.check_usable(invitation)
    except InvitationUnusable as error:
        return _unusable(request, error.reason)
    request.session[TOKEN_SESSION_KEY] = token
    return redirect("welcome:set_password")


@require_http_methods(["GET", "POST"])
def set_password(request: HttpRequest) -> HttpResponse:
    token = request.session.get(TOKEN_SESSION_KEY, "")
    try:
        invitation = actions.find_invitation(token)
    except InvitationUnusable:
        return _unusable(request, "unknown")
    if request.user.is_authenticated:
        return _unusable(request, "someone_else")
    try:
        actions.check_usable(invitation)
    except InvitationUnusable as error:
        return _unusable(request, error.reason)
    guardian = invitation.role == Invitation.Role.GUARDIAN
    participant = invitation.participant
    person = User(
        email=invitation.email,
        given_name=invitation.given_name if guardian else participant.given_name,
        family_name=invitation.family_name if guardian else participant.family_name,
    )
    form = AcceptInvitationForm(request.POST or None, person=person, ask_email=not invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            user = actions.accept_invitation(
                token,
                password=form.cleaned_data["password1"],
                email=form.cleaned_data.get("email", ""),
            )
        except InvitationUnusable as error:
            return _unusable(request, error.reason)
        except InvitationError as error:
            form.add_error("email" if "email" in form.fields else None, str(error))
        except ValidationError as error:
            form.add_error("password1", error)
        else:
            del request.session[TOKEN_SESSION_KEY]
            login(request, user, backend=BACKEND)
            request.session[OFFER_MFA_SESSION_KEY] = True
            messages.success(request, gettext("Your account is ready. You are signed in."))
            return redirect("home")
    return render(
        request,
        "consent/set_password.html",
        {"form": form, "invitation": invitation, "guardian": guardian},
        status=400 if form.is_bound else 200,
    )
