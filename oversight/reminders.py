"""Reminders, each sent once per subject and stage (DESIGN §4.7).

Apps register reminder sources the way they register record kinds, so the spine never imports
them: a source is `fn(today)` yielding a `Due` for every reminder that applies today (a record
awaiting your signature, an action due tomorrow…). `send_reminders(today=…)` — run daily by
`manage.py send_reminders` — keeps those not sent before and that the recipient may see under
the access policy, records each as a `Reminder`, and delivers them through the notification
service (so e-mail follows each person's setting). A reminder is a subject line and a link,
never note text.

The spine's checks run in a fixed number of queries however many reminders are due: one to
find those already sent, one per kind of record (per hundred recipients) for the access
check, and the bulk writes.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import IntegerField, Model, Value
from simple_history.utils import bulk_create_with_history

from oversight import access, notifications
from oversight.models import Reminder, StaffMember

logger = logging.getLogger(__name__)

# Recipients per access-check query: each is one SELECT of a UNION (SQLite allows 500).
_RECIPIENTS_PER_QUERY = 100


@dataclass(frozen=True)
class Due:
    """One reminder that applies today: to `recipient` (loaded with their login), about the
    record `subject_model` #`subject_id`, at `stage` (e.g. "awaiting", then "late")."""

    recipient: StaffMember
    kind: str
    stage: str
    subject_model: type[Model]
    subject_id: int
    subject: str
    url: str

    @property
    def key(self) -> tuple[str, str, str, int, int]:
        return (
            self.kind,
            self.stage,
            _kind_of(self.subject_model),
            self.subject_id,
            self.recipient.pk,
        )


ReminderSource = Callable[[datetime.date], Iterable[Due]]
_sources: list[ReminderSource] = []


def register_reminders(source: ReminderSource) -> ReminderSource:
    """Add an app's reminders to those `send_reminders` runs (usable as a decorator)."""
    if source not in _sources:
        _sources.append(source)
    return source


def registered_sources() -> list[ReminderSource]:
    return list(_sources)


# What an app's access rules look up about each reader (e.g. the cover a manager gives
# today), looked up for all the day's recipients at once instead of one reader at a time.
ReaderPreparation = Callable[[Sequence[StaffMember]], None]
_preparations: list[ReaderPreparation] = []


def register_reader_preparation(prepare: ReaderPreparation) -> ReaderPreparation:
    if prepare not in _preparations:
        _preparations.append(prepare)
    return prepare


class SystemReader(AnonymousUser):
    """The reminders' own reader: sees everything, to work out what is due (whose
    supervision is overdue). Nothing read as it is shown to anyone: each reminder is then
    checked against its recipient's own view. No one is behind it (no staff record)."""

    is_superuser = True  # type: ignore[assignment]
    _oversight_staff = None  # `access.staff_for`: nobody, without asking

    @property
    def is_authenticated(self) -> bool:  # type: ignore[override]
        return True

    @property
    def is_anonymous(self) -> bool:  # type: ignore[override]
        return False


SYSTEM_READER = SystemReader()


def _kind_of(model: type[Model]) -> str:
    return model._meta.label_lower


def visible_pairs(
    model: type[Model], pairs: Iterable[tuple[StaffMember, int]]
) -> set[tuple[int, int]]:
    """(recipient id, record id) for each pair whose recipient may see that record, by the
    same rule `access.visible_to` applies, in one query per hundred recipients (and one for
    each app's reader preparation). Recipients without a login (or with a deactivated one)
    see nothing."""
    wanted: dict[int, set[int]] = defaultdict(set)
    people: dict[int, StaffMember] = {}
    for person, record_id in pairs:
        if person.user_id is None:
            continue
        people[person.pk] = person
        wanted[person.pk].add(record_id)
    readers = [
        person for person in people.values() if person.user is not None and person.user.is_active
    ]
    for prepare in _preparations:
        prepare(readers)
    parts: list[Any] = []  # querysets of (recipient id, record id)
    for person in readers:
        user = person.user
        assert user is not None  # noqa: S101  (filtered above)
        ids = wanted[person.pk]
        access.remember_staff(user, person)
        part = access.visible_to(user, model._default_manager.filter(pk__in=sorted(ids)))
        if part.query.is_empty():
            continue
        parts.append(
            part.order_by()
            .annotate(reminder_recipient=Value(person.pk, output_field=IntegerField()))
            .values_list("reminder_recipient", "pk")
        )
    found: set[tuple[int, int]] = set()
    for start in range(0, len(parts), _RECIPIENTS_PER_QUERY):
        chunk = parts[start : start + _RECIPIENTS_PER_QUERY]
        query = chunk[0].union(*chunk[1:]) if len(chunk) > 1 else chunk[0]
        found.update((int(recipient), int(pk)) for recipient, pk in query)
    return found


def _not_sent_before(due: Sequence[Due]) -> list[Due]:
    if not due:
        return []
    already = set(
        Reminder.objects.filter(
            kind__in={item.kind for item in due},
            subject_id__in={item.subject_id for item in due},
            recipient_id__in={item.recipient.pk for item in due},
        ).values_list("kind", "stage", "subject_kind", "subject_id", "recipient_id")
    )
    fresh: dict[tuple[str, str, str, int, int], Due] = {}
    for item in due:
        if item.key not in already and item.key not in fresh:
            fresh[item.key] = item
    return list(fresh.values())


def _visible(due: Sequence[Due]) -> list[Due]:
    by_model: dict[type[Model], list[Due]] = defaultdict(list)
    for item in due:
        by_model[item.subject_model].append(item)
    kept: list[Due] = []
    for model, items in by_model.items():
        seen = visible_pairs(model, ((item.recipient, item.subject_id) for item in items))
        kept += [item for item in items if (item.recipient.pk, item.subject_id) in seen]
    return kept


@transaction.atomic
def send_reminders(*, today: datetime.date) -> list[Reminder]:
    """Send every registered reminder that applies `today` and was not sent before, to
    recipients who may see its subject. Running it again (today or later) sends nothing new."""
    due: list[Due] = []
    for source in _sources:
        due.extend(source(today))
    fresh = _visible(_not_sent_before(due))
    if not fresh:
        return []
    # The order each was found in: reminders about the same record stay together.
    sent = bulk_create_with_history(
        [
            Reminder(
                kind=item.kind,
                stage=item.stage,
                subject_kind=_kind_of(item.subject_model),
                subject_id=item.subject_id,
                recipient=item.recipient,
                sent_on=today,
            )
            for item in fresh
        ],
        Reminder,
        default_change_reason="Reminder sent",
    )
    notifications.notify_each(
        messages=[
            notifications.Message(
                recipient=item.recipient, kind=item.kind, subject=item.subject, url=item.url
            )
            for item in fresh
        ]
    )
    logger.info("Sent %d reminders", len(fresh))
    return sent
