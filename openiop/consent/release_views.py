"""Releases of information in the participant's portal (sign, list, revoke), their accounting
of disclosures ("Who has received my records"), and the staff view of both on a chart."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from openiop.accounts.http import AuthedRequest
from openiop.audit.context import origin_from_meta
from openiop.consent import release_access as access
from openiop.consent import release_actions as actions
from openiop.consent.release_forms import ReleaseForm
from openiop.lib.access import Access
from openiop.participants.access import own_chart


@require_GET
@login_required
def my_releases(request: AuthedRequest) -> HttpResponse:
    participant = own_chart(request.user)
    return render(
        request,
        "releases/mine.html",
        {"participant": participant, "releases": access.releases_of(participant)},
    )


@require_http_methods(["GET", "POST"])
@login_required
def new_release(request: AuthedRequest) -> HttpResponse:
    participant = own_chart(request.user)
    text = access.release_text(participant)
    if text is None:
        return render(request, "releases/new.html", {"text": None})
    form = ReleaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if request.POST.get("text") != str(text.code):
            form.add_error(
                None,
                gettext(
                    "The program changed the release text while you were reading it. Read the "
                    "new text below and sign again."
                ),
            )
        else:
            data = form.cleaned_data
            try:
                actions.sign_release(
                    participant,
                    text=text,
                    recipient_name=data["recipient_name"],
                    recipient_address=data["recipient_address"],
                    purpose=data["purpose"],
                    scope=data["scope"],
                    includes_part2=data["includes_part2"],
                    expires_on=data["expires_on"],
                    signed_name=data["signed_name"],
                    origin=origin_from_meta(request.META),
                    acting_user=request.user,
                )
            except actions.ReleaseError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    gettext("Release signed. Your care team can now send the records you chose."),
                )
                return redirect("releases:mine")
    status = 400 if form.errors else 200
    return render(request, "releases/new.html", {"form": form, "text": text}, status=status)


@require_POST
@login_required
def revoke(request: AuthedRequest, code: str) -> HttpResponse:
    release = access.get_own_release(request.user, code)
    actions.revoke_release(release, acting_user=request.user)
    messages.success(
        request, gettext("Release revoked. From now on nothing more is sent under it.")
    )
    return redirect("releases:mine")


@require_GET
@login_required
def my_disclosures(request: AuthedRequest) -> HttpResponse:
    participant = own_chart(request.user)
    return render(
        request,
        "releases/my_disclosures.html",
        {"participant": participant, "disclosures": access.disclosures_of(participant)},
    )


@require_GET
@login_required
def chart(request: AuthedRequest, code: str) -> HttpResponse:
    participant, chart_access = access.get_chart_releases(request.user, code)
    return render(
        request,
        "releases/chart.html",
        {
            "participant": participant,
            "releases": access.releases_of(participant),
            "disclosures": access.disclosures_of(participant).select_related("disclosed_by"),
            "may_disclose": chart_access >= Access.WRITE,
        },
    )
