"""factory_boy factories for the organisation. Other apps add theirs beside their tests."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from oversight.models import Absence, AbsenceType, Case, CaseType, Role, Service, StaffMember, Team

PASSWORD = "oversight-test-password"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    name = factory.Sequence(lambda n: f"Service {n}")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")
    service = factory.SubFactory(ServiceFactory)


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffMember

    user = factory.SubFactory(UserFactory)
    first_name = factory.Sequence(lambda n: f"Firstname{n}")
    last_name = factory.Sequence(lambda n: f"Lastname{n}")
    employee_number = factory.Sequence(lambda n: f"E{n:06d}")
    role = Role.SOCIAL_WORKER
    team = factory.SubFactory(TeamFactory)
    start_date = datetime.date(2020, 1, 6)
    fte = Decimal("1.00")
    asye_start_date = factory.LazyAttribute(
        lambda o: datetime.date(2026, 1, 5) if o.role == Role.ASYE_SOCIAL_WORKER else None
    )


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    reference = factory.Sequence(lambda n: f"CH-{100000 + n}")
    label = factory.Sequence(lambda n: f"C{n}")
    case_type = CaseType.CHILD_IN_NEED
    team = factory.LazyAttribute(lambda o: o.allocated_worker.team if o.allocated_worker else None)
    allocated_worker = factory.SubFactory(StaffFactory)
    opened_on = datetime.date(2025, 6, 1)


class AbsenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Absence

    staff = factory.SubFactory(StaffFactory)
    absence_type = AbsenceType.SICKNESS
    start_date = datetime.date(2026, 3, 10)
    end_date = datetime.date(2026, 3, 19)
    excuses_supervision = factory.LazyAttribute(
        lambda o: o.absence_type != AbsenceType.ANNUAL_LEAVE
    )
