from typing import Any

from django.http import HttpRequest

from oversight import access, extensions, notifications


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The signed-in person and the navigation entries offered to them (apps register theirs:
    `oversight.extensions`)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    match = getattr(request, "resolver_match", None)
    return {
        "me": access.staff_for(user),
        "nav_entries": extensions.nav_for(user, match.url_name if match else None),
        "nav_unread_notifications": notifications.unread_for(user).count(),
    }
