"""Named people reused everywhere: a small authority with two services.

    Service "Safeguarding" (group manager: gm)          Service "Corporate Parenting" (gm2)
      Team "Riverside" (team manager: tm)                 Team "Hillside" (tm2)
        sw, asye (supervised by tm), atm                    sw2 (supervised by tm2)
    Service "Directorate", team "Directorate": psw, ad (assistant director), bs (business support)

Every name, case label and absence note carries a unique marker so a test can tell exactly
what a response reveals.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import pytest
from django.test import Client

from oversight.models import AbsenceType, Role, StaffMember
from tests.factories import (
    PASSWORD,
    AbsenceFactory,
    CaseFactory,
    ServiceFactory,
    StaffFactory,
    TeamFactory,
    UserFactory,
)

ROLES = ["sw", "asye", "atm", "tm", "tm2", "sw2", "gm", "gm2", "psw", "ad", "bs"]


@dataclass
class World:
    people: dict[str, StaffMember] = field(default_factory=dict)
    objects: dict[str, object] = field(default_factory=dict)

    def __getattr__(self, name: str):  # noqa: ANN204
        people = self.__dict__.get("people", {})
        if name in people:
            return people[name]
        objects = self.__dict__.get("objects", {})
        if name in objects:
            return objects[name]
        raise AttributeError(name)

    def client(self, key: str) -> Client:
        client = Client()
        client.force_login(self.people[key].user)
        return client


def _person(key: str, role: str, **kwargs) -> StaffMember:
    return StaffFactory(
        user=UserFactory(username=f"{key}.test"),
        first_name=f"Person{key.upper()}",
        last_name=f"Marker{key.upper()}x",
        employee_number=f"EMP-{key.upper()}",
        role=role,
        **kwargs,
    )


def build_world() -> World:
    safeguarding = ServiceFactory(name="Safeguarding")
    parenting = ServiceFactory(name="Corporate Parenting")
    riverside = TeamFactory(name="Riverside", service=safeguarding)
    hillside = TeamFactory(name="Hillside", service=parenting)
    central = ServiceFactory(name="Directorate")
    directorate = TeamFactory(name="Directorate", service=central)

    ad = _person("ad", Role.ASSISTANT_DIRECTOR, team=directorate)
    psw = _person("psw", Role.PRINCIPAL_SOCIAL_WORKER, team=directorate, supervisor=ad)
    bs = _person("bs", Role.BUSINESS_SUPPORT, team=directorate)
    gm = _person("gm", Role.GROUP_MANAGER, team=None, supervisor=ad)
    gm2 = _person("gm2", Role.GROUP_MANAGER, team=None, supervisor=ad)
    tm = _person("tm", Role.TEAM_MANAGER, team=riverside, supervisor=gm)
    tm2 = _person("tm2", Role.TEAM_MANAGER, team=hillside, supervisor=gm2)
    sw = _person("sw", Role.SOCIAL_WORKER, team=riverside, supervisor=tm)
    asye = _person("asye", Role.ASYE_SOCIAL_WORKER, team=riverside, supervisor=tm)
    atm = _person("atm", Role.ASSISTANT_TEAM_MANAGER, team=riverside, supervisor=tm)
    sw2 = _person("sw2", Role.SOCIAL_WORKER, team=hillside, supervisor=tm2)

    safeguarding.group_manager = gm
    safeguarding.save()
    parenting.group_manager = gm2
    parenting.save()
    riverside.manager = tm
    riverside.save()
    hillside.manager = tm2
    hillside.save()

    world = World()
    for key, person in locals().copy().items():
        if isinstance(person, StaffMember):
            world.people[key] = person
    world.objects.update(
        safeguarding=safeguarding,
        parenting=parenting,
        riverside=riverside,
        hillside=hillside,
        directorate=directorate,
        case_sw=CaseFactory(reference="CH-SW0001", label="CaseSWx", allocated_worker=sw),
        case_sw2=CaseFactory(reference="CH-SW2001", label="CaseSW2x", allocated_worker=sw2),
        absence_sw2=AbsenceFactory(
            staff=sw2,
            absence_type=AbsenceType.PARENTAL_LEAVE,
            start_date=datetime.date(2026, 1, 5),
            end_date=None,
            notes="NoteSW2secret",
        ),
        absence_sw=AbsenceFactory(
            staff=sw,
            absence_type=AbsenceType.LONG_TERM_SICKNESS,
            start_date=datetime.date(2025, 1, 6),
            end_date=datetime.date(2025, 2, 28),
            notes="NoteSWsecret",
        ),
    )
    return world


@pytest.fixture(autouse=True, scope="session")
def fast_password_hashing():
    """Tests sign people in constantly; the production hasher is slow on purpose."""
    from django.test.utils import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def fresh_api_throttles():
    """The API's throttles count in the cache, by user id: ids come round again from test to
    test, so each test starts with nothing counted."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def password() -> str:
    return PASSWORD
