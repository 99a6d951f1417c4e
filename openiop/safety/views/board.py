"""The program safety board: a director's view of the program's open alerts, missed
deadlines, participants without a current safety plan and on-call gaps (docs/safety.md)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from openiop.accounts.http import AuthedRequest
from openiop.safety import access
from openiop.safety.queries import board as queries_board


@require_GET
@login_required
def boards(request: AuthedRequest) -> HttpResponse:
    """A director of one program goes straight to its board; of several, picks one."""
    programs = list(access.boards_for_user(request.user))
    if not programs:
        raise Http404
    if len(programs) == 1:
        return redirect("safety:board", programs[0].code)
    return render(request, "safety/boards.html", {"programs": programs})


@require_GET
@login_required
def board(request: AuthedRequest, code: str) -> HttpResponse:
    program, _ = access.get_board_for_user(request.user, code)
    return render(
        request,
        "safety/board.html",
        {"board": queries_board.board(program, now=timezone.now())},
    )
