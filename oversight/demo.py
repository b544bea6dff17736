"""A fictional local authority for demos, tests and benchmarks (DESIGN §10).

Shaped on the national workforce figures: about 15 cases per case-holding worker, about 13 %
agency workers, sickness absence about 3.5 %, turnover about 12 %. Deterministic for a seed
and a "today". Later apps add their history through a `demo.py` module with a
`seed(authority)` function (supervision sessions, decisions, training), found by
`seed_demo` the way the admin finds `admin.py` modules.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from oversight.models import (
    Absence,
    AbsenceType,
    Case,
    CaseType,
    EmploymentType,
    Role,
    Service,
    StaffMember,
    Team,
    absence_type_excuses,
)

DEMO_PASSWORD = "oversight-demo"  # noqa: S105 (fictional demo logins, printed on purpose)

DEMO_LOGINS: list[tuple[str, str]] = [
    ("sw.demo", "Social worker, supervised by tm.demo"),
    ("asye.demo", "ASYE social worker, supervised by tm.demo"),
    ("atm.demo", "Assistant team manager in tm.demo's team"),
    ("tm.demo", "Team manager"),
    ("gm.demo", "Group manager of tm.demo's service"),
    ("tm2.demo", "Team manager of a team in another service"),
    ("psw.demo", "Principal social worker"),
    ("ad.demo", "Assistant director"),
    ("bs.demo", "Business support"),
]

SERVICE_NAMES = [
    "Initial Response / MASH",
    "Safeguarding & Family Support",
    "Corporate Parenting",
    "Disabled Children",
]
PLACES = [
    "Riverside",
    "Hillside",
    "Northgate",
    "Southfield",
    "Eastbrook",
    "Westmoor",
    "Oakwood",
    "Ashford Vale",
    "Millbank",
    "Harbourside",
    "Kingsmead",
    "Fairview",
    "Brookfield",
    "Castlegate",
    "Meadowbank",
    "Stonebridge",
    "Elmhurst",
    "Lakeside",
    "Greenway",
    "Highcross",
]
TEAM_FUNCTIONS = {
    0: ["Front Door", "Assessment", "Duty & Assessment", "Early Help Hub"],
    1: ["Family Support", "Child Protection", "Court & Proceedings", "Safeguarding"],
    2: ["Children in Care", "Leaving Care", "Fostering Support", "Permanence"],
    3: ["Disabled Children", "Short Breaks", "Transitions", "Complex Needs"],
}
FIRST_NAMES = [
    "Amara",
    "Ben",
    "Chloe",
    "Dev",
    "Ella",
    "Farah",
    "George",
    "Hana",
    "Isaac",
    "Jade",
    "Kofi",
    "Leah",
    "Marcus",
    "Nadia",
    "Owen",
    "Priya",
    "Quinn",
    "Rosa",
    "Sam",
    "Tara",
    "Umar",
    "Vera",
    "Will",
    "Yasmin",
    "Zac",
    "Aisha",
    "Callum",
    "Demi",
    "Ethan",
    "Freya",
    "Gus",
    "Imogen",
    "Jonah",
    "Kira",
    "Liam",
    "Maya",
    "Noah",
    "Orla",
    "Pavel",
    "Rhys",
    "Sofia",
    "Theo",
    "Zara",
]
LAST_NAMES = [
    "Ashdown",
    "Blackwood",
    "Carrow",
    "Dunmore",
    "Elston",
    "Fenwick",
    "Garside",
    "Holloway",
    "Ingram",
    "Jessop",
    "Kettering",
    "Lowther",
    "Merriman",
    "Northcott",
    "Oakley",
    "Pendle",
    "Quarry",
    "Rowntree",
    "Stainton",
    "Thackeray",
    "Upton",
    "Varley",
    "Whitlock",
    "Yardley",
    "Ambler",
    "Brierley",
    "Cresswell",
    "Dalby",
    "Eskdale",
    "Fairclough",
    "Greaves",
    "Hartley",
]
PRACTITIONER_MIX = [
    (Role.SOCIAL_WORKER, 0.60),
    (Role.SENIOR_PRACTITIONER, 0.15),
    (Role.ADVANCED_PRACTITIONER, 0.07),
    (Role.ASYE_SOCIAL_WORKER, 0.18),
]
CASE_MIX = [
    (CaseType.CHILD_IN_NEED, 0.35),
    (CaseType.CHILD_PROTECTION, 0.2),
    (CaseType.CHILD_LOOKED_AFTER, 0.25),
    (CaseType.EARLY_HELP, 0.1),
    (CaseType.CARE_LEAVER, 0.1),
]


@dataclass
class DemoAuthority:
    """What the organisation builder made, handed to later apps' demo seeders."""

    rng: random.Random
    today: datetime.date
    months: int
    seed: int = 1  # later apps derive their own random streams from it
    services: list[Service] = field(default_factory=list)
    teams: list[Team] = field(default_factory=list)
    staff: list[StaffMember] = field(default_factory=list)
    logins: dict[str, StaffMember] = field(default_factory=dict)
    cases: list[Case] = field(default_factory=list)
    absences: list[Absence] = field(default_factory=list)

    @property
    def history_start(self) -> datetime.date:
        return _months_before(self.today, self.months)


def _months_before(day: datetime.date, months: int) -> datetime.date:
    month_index = day.year * 12 + day.month - 1 - months
    return datetime.date(month_index // 12, month_index % 12 + 1, 1)


def _pick(rng: random.Random, mix: Sequence[tuple[str, float]]) -> str:
    roll = rng.random()
    total = 0.0
    for value, weight in mix:
        total += weight
        if roll < total:
            return value
    return mix[-1][0]


class _Builder:
    def __init__(self, *, seed: int, staff_count: int, months: int, today: datetime.date):
        self.rng = random.Random(seed)
        self.authority = DemoAuthority(rng=self.rng, today=today, months=months, seed=seed)
        self.staff_count = staff_count
        self.today = today
        self.start = self.authority.history_start
        self._employee_number = 10000
        self._case_number = 100000
        self._name_index = 0

    # -- helpers -------------------------------------------------------------------------

    def _name(self) -> tuple[str, str]:
        self._name_index += 1
        return self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)

    def _staff(self, role: str, team: Team | None, **extra: Any) -> StaffMember:
        self._employee_number += 1
        first, last = self._name()
        start = extra.pop("start_date", None) or self._start_date()
        member = StaffMember(
            first_name=first,
            last_name=last,
            employee_number=f"E{self._employee_number}",
            role=role,
            team=team,
            start_date=start,
            employment_type=extra.pop("employment_type", EmploymentType.PERMANENT),
            fte=extra.pop("fte", Decimal("1.00")),
            **extra,
        )
        member.email = f"{first}.{last}.{self._employee_number}@example.invalid".lower()
        return member

    def _start_date(self) -> datetime.date:
        # Most staff predate the history window; about 12 % a year join during it.
        if self.rng.random() < 0.12 * self.authority.months / 12:
            return self.start + datetime.timedelta(
                days=self.rng.randrange(max(1, (self.today - self.start).days - 60))
            )
        return self.start - datetime.timedelta(days=self.rng.randrange(60, 3650))

    # -- organisation --------------------------------------------------------------------

    def build(self) -> DemoAuthority:
        service_count = max(4, self.staff_count // 2000)
        team_count = max(service_count * 2, round(self.staff_count / 14))
        directorate_count = 2 + max(1, self.staff_count // 120)

        services = [Service(name=self._service_name(i)) for i in range(service_count)]
        services = bulk_create_with_history(services, Service)
        teams = [
            Team(name=self._team_name(i, service_count), service=services[i % service_count])
            for i in range(team_count)
        ]
        teams = bulk_create_with_history(teams, Team)
        self.authority.services, self.authority.teams = services, teams

        ad = self._staff(
            Role.ASSISTANT_DIRECTOR, None, start_date=self.start - datetime.timedelta(days=2000)
        )
        [ad] = bulk_create_with_history([ad], StaffMember)
        leaders = [
            self._staff(
                Role.PRINCIPAL_SOCIAL_WORKER,
                None,
                supervisor=ad,
                start_date=self.start - datetime.timedelta(days=900),
            )
        ]
        leaders += [
            self._staff(
                Role.GROUP_MANAGER,
                None,
                supervisor=ad,
                start_date=self.start - datetime.timedelta(days=1500),
            )
            for _ in services
        ]
        leaders += [self._staff(Role.BUSINESS_SUPPORT, None) for _ in range(directorate_count - 2)]
        leaders = bulk_create_with_history(leaders, StaffMember)
        psw, group_managers = leaders[0], leaders[1 : 1 + len(services)]
        business_support = leaders[1 + len(services) :]
        for service, manager in zip(services, group_managers, strict=True):
            service.group_manager = manager
        bulk_update_with_history(services, Service, ["group_manager"])

        managers = [
            self._staff(
                Role.TEAM_MANAGER,
                team,
                supervisor=group_managers[i % service_count],
                start_date=self.start - datetime.timedelta(days=self.rng.randrange(400, 3000)),
            )
            for i, team in enumerate(teams)
        ]
        managers = bulk_create_with_history(managers, StaffMember)
        for team, manager in zip(teams, managers, strict=True):
            team.manager = manager
        bulk_update_with_history(teams, Team, ["manager"])

        remaining = self.staff_count - len(managers) - len(leaders) - 1
        practitioners = self._practitioners(teams, managers, max(remaining, len(teams) * 3))
        practitioners = bulk_create_with_history(practitioners, StaffMember, batch_size=2000)

        everyone = [ad, *leaders, *managers, *practitioners]
        self.authority.staff = everyone
        self._assign_logins(
            ad=ad,
            psw=psw,
            group_managers=group_managers,
            business_support=business_support,
            managers=managers,
            practitioners=practitioners,
            teams=teams,
        )
        self.authority.cases = self._cases(practitioners)
        self.authority.absences = self._absences(everyone)
        return self.authority

    def _service_name(self, index: int) -> str:
        base = SERVICE_NAMES[index % len(SERVICE_NAMES)]
        return (
            base
            if index < len(SERVICE_NAMES)
            else f"{base} — Area {index // len(SERVICE_NAMES) + 1}"
        )

    def _team_name(self, index: int, service_count: int) -> str:
        functions = TEAM_FUNCTIONS[(index % service_count) % len(TEAM_FUNCTIONS)]
        place = PLACES[(index // service_count) % len(PLACES)]
        function = functions[(index // service_count // len(PLACES)) % len(functions)]
        suffix = index // (service_count * len(PLACES) * len(functions))
        # Beyond four services the function lists repeat: the service's area keeps names unique.
        area = (index % service_count) // len(SERVICE_NAMES)
        name = f"{place} {function}" if area == 0 else f"{place} {function} (Area {area + 1})"
        return name if suffix == 0 else f"{name} {suffix + 1}"

    def _practitioners(
        self, teams: list[Team], managers: list[StaffMember], count: int
    ) -> list[StaffMember]:
        result = []
        turnover_leavers = round(count * 0.12 * self.authority.months / 12 / 2)
        for index in range(count + turnover_leavers):
            team_index = index % len(teams)
            team, manager = teams[team_index], managers[team_index]
            if index % len(teams) == 0 and index // len(teams) == 1:
                role = Role.ASSISTANT_TEAM_MANAGER
            else:
                role = Role(_pick(self.rng, PRACTITIONER_MIX))
            extra: dict[str, Any] = {"supervisor": manager}
            if role == Role.ASYE_SOCIAL_WORKER:
                asye_start = self.today - datetime.timedelta(days=self.rng.randrange(14, 360))
                extra.update(start_date=asye_start, asye_start_date=asye_start)
            if role != Role.ASSISTANT_TEAM_MANAGER and self.rng.random() < 0.13:
                extra["employment_type"] = EmploymentType.AGENCY
            elif self.rng.random() < 0.02:
                extra["employment_type"] = EmploymentType.SECONDEE
            if self.rng.random() < 0.15:
                extra["fte"] = self.rng.choice([Decimal("0.60"), Decimal("0.80"), Decimal("0.90")])
            member = self._staff(role, team, **extra)
            if index >= count:
                # Leavers of the history window: their past still counts in old months.
                earliest = max(member.start_date + datetime.timedelta(days=60), self.start)
                span = (self.today - earliest).days - 30
                if span > 0:
                    member.leaving_date = earliest + datetime.timedelta(
                        days=self.rng.randrange(span)
                    )
            result.append(member)
        return result

    def _assign_logins(
        self, *, ad, psw, group_managers, business_support, managers, practitioners, teams
    ) -> None:  # type: ignore[no-untyped-def]
        home_service = 1 % len(group_managers)  # Safeguarding & Family Support
        home_team_index = next(
            i for i, t in enumerate(teams) if i % len(group_managers) == home_service
        )
        other_team_index = next(
            i
            for i, t in enumerate(teams)
            if i % len(group_managers) == (home_service + 1) % len(group_managers)
        )
        home_team = teams[home_team_index]
        tm = managers[home_team_index]
        in_team = [p for p in practitioners if p.team_id == home_team.pk and p.leaving_date is None]
        sw = next(p for p in in_team if p.role == Role.SOCIAL_WORKER)
        asye = next((p for p in in_team if p.role == Role.ASYE_SOCIAL_WORKER), None)
        if asye is None:
            asye = next(p for p in in_team if p.role != Role.ASSISTANT_TEAM_MANAGER and p is not sw)
        atm = next((p for p in in_team if p.role == Role.ASSISTANT_TEAM_MANAGER), None)
        if atm is None:
            atm = next(p for p in in_team if p not in (sw, asye))
        changed: list[StaffMember] = []
        asye_start = self.today - datetime.timedelta(days=120)
        for member, role in (
            (sw, Role.SOCIAL_WORKER),
            (asye, Role.ASYE_SOCIAL_WORKER),
            (atm, Role.ASSISTANT_TEAM_MANAGER),
        ):
            member.role = role
            member.employment_type = EmploymentType.PERMANENT
            member.fte = Decimal("1.00")
            changed.append(member)
        sw.start_date = self.start - datetime.timedelta(days=800)
        sw.first_name, sw.last_name = "Sam", "Whitlock"
        asye.start_date = asye.asye_start_date = asye_start
        tm.first_name, tm.last_name = "Tara", "Merriman"
        changed.append(tm)
        bulk_update_with_history(
            changed,
            StaffMember,
            [
                "role",
                "employment_type",
                "fte",
                "start_date",
                "asye_start_date",
                "first_name",
                "last_name",
            ],
        )
        logins = {
            "sw.demo": sw,
            "asye.demo": asye,
            "atm.demo": atm,
            "tm.demo": tm,
            "gm.demo": group_managers[home_service],
            "tm2.demo": managers[other_team_index],
            "psw.demo": psw,
            "ad.demo": ad,
            "bs.demo": business_support[0],
        }
        user_model = get_user_model()
        password = make_password(DEMO_PASSWORD)
        users = user_model.objects.bulk_create(
            [
                user_model(username=name, password=password, email=f"{name}@example.invalid")
                for name in logins
            ]
        )
        by_name = {user.username: user for user in user_model.objects.filter(username__in=logins)}
        for name, member in logins.items():
            member.user = by_name[name]
        bulk_update_with_history(list(logins.values()), StaffMember, ["user"])
        del users
        self.authority.logins = logins

    # -- cases and absences ---------------------------------------------------------------

    def _cases(self, practitioners: list[StaffMember]) -> list[Case]:
        cases = []
        # The front door (the first service) holds the duty cases.
        front_door = {
            t.pk for t in self.authority.teams if t.service_id == self.authority.services[0].pk
        }
        for member in practitioners:
            if member.role == Role.ASSISTANT_TEAM_MANAGER:
                open_count = self.rng.randint(3, 6)
            elif member.role == Role.ASYE_SOCIAL_WORKER:
                open_count = self.rng.randint(7, 12)
            else:
                open_count = max(4, round(self.rng.gauss(15, 3.5) * float(member.fte)))
            if member.leaving_date is not None:
                open_count = 0
            duty_team = member.team_id in front_door
            for number in range(open_count + self.rng.randint(2, 8)):
                closed = number >= open_count
                cases.append(
                    self._case(member, closed=closed, duty=duty_team and self.rng.random() < 0.4)
                )
        return bulk_create_with_history(cases, Case, batch_size=5000)

    def _case(self, member: StaffMember, *, closed: bool, duty: bool) -> Case:
        self._case_number += 1
        opened = self.today - datetime.timedelta(days=self.rng.randrange(20, 900))
        closed_on = None
        if closed:
            closed_on = opened + datetime.timedelta(
                days=self.rng.randrange(10, max(11, (self.today - opened).days))
            )
        initials = (
            f"{self.rng.choice('ABCDEFGHJKLMNPRSTW')}.{self.rng.choice('ABCDEFGHJKLMNPRSTW')}."
        )
        return Case(
            reference=f"CH-{self._case_number}",
            label=initials,
            case_type=_pick(self.rng, CASE_MIX) if not duty else CaseType.CHILD_IN_NEED,
            allocated_worker=member,
            team=member.team,
            is_duty=duty,
            opened_on=opened,
            closed_on=closed_on,
        )

    def _absences(self, staff: list[StaffMember]) -> list[Absence]:
        sw = self.authority.logins["sw.demo"]
        on_leave = self._on_maternity_leave_in_demo_team(staff)
        absences: list[Absence] = []
        for member in staff:
            spells = self._spells_for(member)
            if member is on_leave:
                # So tm.demo's team shows what the product is for: someone on maternity leave
                # is "excused", never "not supervised".
                spells = [
                    (
                        AbsenceType.PARENTAL_LEAVE,
                        self.today - datetime.timedelta(days=120),
                        self.today + datetime.timedelta(days=200),
                    )
                ]
            if member.pk == sw.pk:
                spells = [
                    s
                    for s in spells
                    if s[2] is not None and s[2] < self.today - datetime.timedelta(days=30)
                ]
            absences.extend(
                Absence(
                    staff=member,
                    absence_type=kind,
                    start_date=start,
                    end_date=end,
                    excuses_supervision=absence_type_excuses(kind),
                    notes="",
                )
                for kind, start, end in spells
            )
        return bulk_create_with_history(absences, Absence, batch_size=5000)

    def _on_maternity_leave_in_demo_team(self, staff: list[StaffMember]) -> StaffMember | None:
        """A practitioner in tm.demo's team without a demo login, in post for a year or more."""
        team_id = self.authority.logins["tm.demo"].team_id
        logins = {person.pk for person in self.authority.logins.values()}
        return next(
            (
                member
                for member in staff
                if member.team_id == team_id
                and member.pk not in logins
                and member.role == Role.SOCIAL_WORKER
                and member.leaving_date is None
                and member.start_date <= self.today - datetime.timedelta(days=365)
            ),
            None,
        )

    def _spells_for(
        self, member: StaffMember
    ) -> list[tuple[str, datetime.date, datetime.date | None]]:
        first = max(member.start_date, self.start)
        last = member.leaving_date or self.today
        if (last - first).days < 30:
            return []
        years = (last - first).days / 365
        wanted: list[tuple[str, int]] = []
        roll = self.rng.random()
        if roll < 0.04:
            wanted.append((AbsenceType.PARENTAL_LEAVE, self.rng.randrange(180, 365)))
        elif roll < 0.09:
            wanted.append((AbsenceType.LONG_TERM_SICKNESS, self.rng.randrange(29, 100)))
        # Short sickness: about 3.5 % of working time overall with the long spells above.
        for _ in range(round(years * self.rng.uniform(0.5, 2.5))):
            wanted.append((AbsenceType.SICKNESS, self.rng.randrange(1, 8)))
        for _ in range(round(years * 2)):
            wanted.append((AbsenceType.ANNUAL_LEAVE, self.rng.choice([5, 7, 10, 14])))
        spells: list[tuple[str, datetime.date, datetime.date | None]] = []
        for kind, length in wanted:
            span = (last - first).days - 1
            start = first + datetime.timedelta(days=self.rng.randrange(max(1, span)))
            end: datetime.date | None = start + datetime.timedelta(days=length - 1)
            if any(s <= (end or s) and start <= (e or start) for _, s, e in spells):
                continue
            if end is not None and end >= self.today and member.leaving_date is None:
                # Still away today: long absences stay open-ended, short ones end as planned.
                if kind in (AbsenceType.LONG_TERM_SICKNESS,) and self.rng.random() < 0.5:
                    end = None
            if end is not None and member.leaving_date and end > member.leaving_date:
                end = member.leaving_date
            spells.append((kind, start, end))
        return spells


def build_demo_authority(
    *, seed: int = 1, staff_count: int = 250, months: int = 24, today: datetime.date | None = None
) -> DemoAuthority:
    """Build the organisation; later apps' `demo.seed(authority)` add their history."""
    from django.utils import timezone

    with transaction.atomic():
        builder = _Builder(
            seed=seed, staff_count=staff_count, months=months, today=today or timezone.localdate()
        )
        return builder.build()
