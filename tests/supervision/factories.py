"""factory_boy factories for supervision records."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from supervision.models import (
    Action,
    CaseDiscussion,
    Channel,
    Cover,
    InformalDiscussion,
    PolicyRule,
    RequestReason,
    SessionStatus,
    SupervisionPolicy,
    SupervisionRequest,
    SupervisionSession,
)
from tests.factories import CaseFactory, StaffFactory


def at(day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
    """An aware datetime on `day` in the site's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


class PolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupervisionPolicy

    name = factory.Sequence(lambda n: f"Policy {n}")
    effective_from = datetime.date(2025, 1, 1)


class PolicyRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PolicyRule

    policy = factory.SubFactory(PolicyFactory)
    interval_days = 28
    min_minutes = 90


class SessionFactory(factory.django.DjangoModelFactory):
    """A session; pass `held_on` and `status=SessionStatus.HELD` for a held one."""

    class Meta:
        model = SupervisionSession

    supervisee = factory.SubFactory(StaffFactory)
    supervisor = factory.LazyAttribute(lambda o: o.supervisee.supervisor or StaffFactory())
    status = SessionStatus.SCHEDULED


class HeldSessionFactory(SessionFactory):
    status = SessionStatus.HELD
    held_on = datetime.date(2026, 3, 2)
    started_at = factory.LazyAttribute(lambda o: at(o.held_on, 10))
    ended_at = factory.LazyAttribute(lambda o: at(o.held_on, 11, 30))


class CaseDiscussionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseDiscussion

    session = factory.SubFactory(SessionFactory)
    case = factory.LazyAttribute(lambda o: CaseFactory(allocated_worker=o.session.supervisee))


class InformalDiscussionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InformalDiscussion

    worker = factory.SubFactory(StaffFactory)
    recorded_by = factory.LazyAttribute(lambda o: o.worker.supervisor or o.worker)
    manager = factory.LazyAttribute(lambda o: o.worker.supervisor)
    happened_at = factory.LazyFunction(timezone.now)
    channel = Channel.IN_PERSON
    advice = factory.Sequence(lambda n: f"Advice {n}")


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action

    supervisee = factory.SubFactory(StaffFactory)
    owner = factory.LazyAttribute(lambda o: o.supervisee)
    description = factory.Sequence(lambda n: f"Action {n}")


class CoverFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cover

    absent_supervisor = factory.SubFactory(StaffFactory)
    covering_manager = factory.SubFactory(StaffFactory)
    start_date = factory.LazyFunction(timezone.localdate)
    end_date = factory.LazyAttribute(lambda o: o.start_date + datetime.timedelta(days=14))


class SupervisionRequestFactory(factory.django.DjangoModelFactory):
    """A worker's open request for extra supervision."""

    class Meta:
        model = SupervisionRequest

    worker = factory.SubFactory(StaffFactory)
    reason = RequestReason.CASELOAD
