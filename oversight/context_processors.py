from typing import Any

from django.http import HttpRequest

from oversight import access, notifications
from oversight.models import SUPERVISING_ROLES, Role


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The signed-in person and what the navigation may offer them."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    me = access.staff_for(user)
    return {
        "me": me,
        "nav_unread_notifications": notifications.unread_for(user).count(),
        "nav_can_see_cases": access.can_see_cases(user),
        # Everyone but business support reads supervision figures (their own, at least).
        "nav_reads_figures": access.reads_practice_records(user),
        "nav_is_manager": bool(
            me and (me.role in SUPERVISING_ROLES or me.role == Role.ASSISTANT_TEAM_MANAGER)
        ),
    }
