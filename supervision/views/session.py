"""The live supervision session page and its autosave endpoints (being built)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from oversight import access
from oversight.models import StaffMember
from supervision.models import ActionReview, CaseDiscussion, SupervisionSession


def _todo(model):  # type: ignore[no-untyped-def]
    @access.detail_of(model)
    @login_required
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        access.get_for_user(request.user, model, pk)
        return HttpResponse("Not built yet")

    return view


start = _todo(StaffMember)
detail = _todo(SupervisionSession)
save_field = _todo(SupervisionSession)
case_discussion_add = _todo(SupervisionSession)
case_discussion_save = _todo(CaseDiscussion)
action_add = _todo(SupervisionSession)
action_review = _todo(ActionReview)
hold = _todo(SupervisionSession)
not_held = _todo(SupervisionSession)
sign = _todo(SupervisionSession)
addendum_add = _todo(SupervisionSession)
print_view = _todo(SupervisionSession)
