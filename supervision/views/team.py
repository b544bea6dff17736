"""Pages around the session: My team, My supervision, informal discussions (being built)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from oversight import access
from oversight.models import StaffMember
from supervision.models import Action, InformalDiscussion


def _todo(model):  # type: ignore[no-untyped-def]
    @access.detail_of(model)
    @login_required
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        access.get_for_user(request.user, model, pk)
        return HttpResponse("Not built yet")

    return view


@login_required
def my_team(request: HttpRequest) -> HttpResponse:
    return HttpResponse("Not built yet")


@login_required
def my_supervision(request: HttpRequest) -> HttpResponse:
    return HttpResponse("Not built yet")


supervision_history = _todo(StaffMember)
informal_discussion_create = _todo(StaffMember)
informal_discussion_detail = _todo(InformalDiscussion)
cover_create = _todo(StaffMember)
action_status = _todo(Action)
