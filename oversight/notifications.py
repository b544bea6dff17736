"""One notification service for every app (DESIGN §4.7).

A notice is a subject line and a link — never note text or health data — shown in the header
and on the Notifications page, and e-mailed after the commit to those with an address. Apps
call `notify()` from their services; nothing else creates notices.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from oversight.models import Notification, StaffMember

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    """One notice for one person: what `notify_each` delivers."""

    recipient: StaffMember
    kind: str
    subject: str
    url: str = ""


def notify(
    *,
    recipients: Iterable[StaffMember | None],
    kind: str,
    subject: str,
    url: str = "",
    actor: AbstractBaseUser | AnonymousUser | None = None,
) -> list[Notification]:
    """Tell each recipient (with a login) that something needs their attention. The person
    who caused it is not told of their own act. E-mail goes only once the change is
    committed, so nobody is told of a change that was rolled back, and only to those who
    have not turned e-mail copies off."""
    return notify_each(
        messages=[
            Message(recipient=person, kind=kind, subject=subject, url=url)
            for person in recipients
            if person is not None
        ],
        actor=actor,
    )


def notify_each(
    *, messages: Iterable[Message], actor: AbstractBaseUser | AnonymousUser | None = None
) -> list[Notification]:
    """`notify` for many notices, each with its own subject (reminders): every notice in
    one bulk write, whatever the number; the same rules for who is told and who is e-mailed."""
    if actor is not None and not actor.is_authenticated:
        actor = None
    actor_pk = getattr(actor, "pk", None)
    seen: set[tuple[int, str, str, str]] = set()
    kept: list[tuple[int, Message]] = []
    for message in messages:
        user_id = message.recipient.user_id
        if user_id is None or user_id == actor_pk:
            continue
        key = (user_id, message.kind, message.subject, message.url)
        if key not in seen:
            seen.add(key)
            kept.append((user_id, message))
    notices = [
        Notification(
            recipient_id=user_id,
            kind=message.kind,
            subject=message.subject[:200],
            url=message.url[:300],
        )
        for user_id, message in kept
    ]
    notices = bulk_create_with_history(
        notices, Notification, default_user=actor, default_change_reason="Notified"
    )
    mails = [
        (message.recipient.email, message.subject, message.url)
        for _, message in kept
        if message.recipient.email and message.recipient.email_notifications
    ]
    if mails:
        transaction.on_commit(lambda: _send_emails(mails))
    return notices


def _send_emails(mails: list[tuple[str, str, str]]) -> None:
    by_message: dict[tuple[str, str], list[str]] = {}
    for address, subject, url in mails:
        by_message.setdefault((subject, url), []).append(address)
    for (subject, url), addresses in by_message.items():
        _send_email(addresses, subject, url)


def _send_email(addresses: list[str], subject: str, url: str) -> None:
    # One message each, so recipients never see each other's addresses.
    site = str(settings.OVERSIGHT["SITE_URL"]).rstrip("/")
    link = f"{site}{url}" if url else ""
    body = f"{subject}\n\n{link}\n" if link else f"{subject}\n"
    for address in addresses:
        try:
            send_mail(f"Oversight: {subject}", body, None, [address])
        except OSError:
            # The notice is in the app whatever the mail server does; say so without the text.
            logger.warning("Notification e-mail could not be sent (kind of failure logged only)")


def unread_for(user: AbstractBaseUser) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True)


@transaction.atomic
def notifications_mark_read(*, user: AbstractBaseUser, notices: QuerySet[Notification]) -> int:
    """Mark the reader's own notices read (others' are never touched), keeping history."""
    unread = list(notices.filter(recipient_id=user.pk, read_at__isnull=True))
    now = timezone.now()
    for notice in unread:
        notice.read_at = now
        notice.updated_at = now
    bulk_update_with_history(
        unread,
        Notification,
        ["read_at", "updated_at"],
        default_user=user,
        default_change_reason="Read",
    )
    return len(unread)
