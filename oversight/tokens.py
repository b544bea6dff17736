"""API tokens (django-rest-knox): issued to a person, expiring, revocable.

Only a hash of each token is stored, so a token can be shown once only, when it is issued.
A token expires `API_TOKEN_DAYS` after it is issued, however much it is used; its owner can
revoke it (or all of theirs) through the API and an administrator in the Django admin.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from knox.models import AuthToken
from knox.settings import knox_settings

logger = logging.getLogger(__name__)


def token_lifetime(days: int | None = None) -> datetime.timedelta:
    """How long a new token lasts: `days` if given, else the configured lifetime."""
    if days is None:
        lifetime: datetime.timedelta = knox_settings.TOKEN_TTL
        return lifetime
    if days < 1:
        raise ValidationError({"days": "A token lasts at least one day."})
    return datetime.timedelta(days=days)


@transaction.atomic
def token_issue(*, user: Any, actor: Any = None, days: int | None = None) -> tuple[AuthToken, str]:
    """Issue a new API token for an active person; it expires after the configured lifetime
    (or `days`). Returns the stored token and its key — the only time the key is known."""
    if not user.is_active:
        raise ValidationError("A deactivated account cannot be given an API token.")
    token, key = AuthToken.objects.create(user=user, expiry=token_lifetime(days))
    logger.info(
        "API token issued for %s by %s, expiring %s",
        user.get_username(),
        actor.get_username() if actor is not None else "the system",
        token.expiry,
    )
    return token, key


@transaction.atomic
def token_revoke(*, token: AuthToken, actor: Any) -> None:
    """Revoke one token: it answers 401 from now on."""
    owner = token.user.get_username()
    token.delete()
    logger.info("API token of %s revoked by %s", owner, actor.get_username())


@transaction.atomic
def tokens_revoke_all(*, user: Any, actor: Any) -> int:
    """Revoke every token a person has (all their devices and scripts); returns how many."""
    count, _ = AuthToken.objects.filter(user=user).delete()
    logger.info(
        "All %d API tokens of %s revoked by %s", count, user.get_username(), actor.get_username()
    )
    return count
