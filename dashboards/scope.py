"""What a dashboard or export is about: the user's own figures, a team, a service or the
directorate, written `me`, `team:<id>`, `service:<id>` or `directorate` in URLs.

A scope only ever narrows what the access policy already lets the user read
(`Purpose.PERFORMANCE`): a team the user may not see answers 404, and a team they may see as
people (a practitioner's own team) still shows only the figures they may read.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from dashboards.compliance import Month, MonthError, month_range
from oversight import access
from oversight.access import Purpose, UserLike
from oversight.models import DIRECTORATE_ROLES, Case, Role, Service, StaffMember, Team

MAX_MONTHS = 36
# A team or service id as written in a scope: plain digits, short enough to be a database id.
_ID = re.compile(r"[0-9]{1,18}")


class ScopeError(ValueError):
    """A malformed scope or period: shown to the user as it is."""


@dataclass(frozen=True)
class Scope:
    key: str  # as written in URLs
    label: str
    kind: str  # "me", "team", "service" or "directorate"
    team: Team | None = None
    service: Service | None = None

    def staff(self, user: UserLike) -> QuerySet[StaffMember]:
        """The staff this scope covers, already limited to what `user` may read."""
        queryset = StaffMember.objects.filter(access.staff_scope_q(user, Purpose.PERFORMANCE))
        if self.kind == "me":
            me = access.staff_for(user)
            return queryset.filter(pk=me.pk if me else -1)
        if self.team is not None:
            return queryset.filter(team=self.team)
        if self.service is not None:
            return queryset.filter(team__service=self.service)
        return queryset

    def cases(self, user: UserLike) -> QuerySet[Case]:
        """The cases this scope covers (by the case's team, or a worker's own allocation),
        already limited to what `user` may read."""
        queryset = access.visible_to(user, Case.objects.all())
        if self.kind == "me":
            me = access.staff_for(user)
            return queryset.filter(allocated_worker=me.pk if me else -1)
        if self.team is not None:
            return queryset.filter(team=self.team)
        if self.service is not None:
            return queryset.filter(team__service=self.service)
        return queryset


def default_scope_key(user: UserLike) -> str:
    """Each role's natural view: the directorate, a group manager's service, a team
    manager's team, a practitioner's own figures."""
    me = access.staff_for(user)
    if getattr(user, "is_superuser", False) and me is None:
        return "directorate"
    if me is None:
        return "me"
    if me.role in DIRECTORATE_ROLES:
        return "directorate"
    if me.role == Role.GROUP_MANAGER:
        service = Service.objects.filter(group_manager=me).order_by("name").first()
        if service is not None:
            return f"service:{service.pk}"
    if me.role in (Role.TEAM_MANAGER, Role.ASSISTANT_TEAM_MANAGER):
        team = Team.objects.filter(manager=me).order_by("name").first()
        team_id = team.pk if team else me.team_id
        if team_id:
            return f"team:{team_id}"
    return "me"


def may_read_figures(user: UserLike) -> bool:
    """Business support keep staff records; they read no supervision figures."""
    return access.reads_practice_records(user)


def resolve_scope(user: UserLike, key: str | None) -> Scope:
    """The scope named by `key` (default: the user's natural view). Malformed: ScopeError;
    a team or service the user may not see: 404."""
    key = (key or "").strip() or default_scope_key(user)
    if not may_read_figures(user):
        raise Http404
    if key == "me":
        me = access.staff_for(user)
        if me is None:
            raise Http404
        return Scope(key="me", label=f"{me.full_name} (my figures)", kind="me")
    if key == "directorate":
        if not _reads_directorate(user):
            raise Http404
        return Scope(key=key, label="The directorate", kind="directorate")
    kind, _, pk_text = key.partition(":")
    # ASCII digits only: "²" and "٣" pass str.isdigit() but are not ids (int("²") fails).
    if kind not in ("team", "service") or not _ID.fullmatch(pk_text):
        raise ScopeError(
            f"{key[:40]!r} is not a scope: use me, team:<id>, service:<id> or directorate."
        )
    if kind == "team":
        team = access.get_for_user(user, Team.objects.select_related("service"), int(pk_text))
        return Scope(key=key, label=team.name, kind="team", team=team, service=team.service)
    service = access.get_for_user(user, Service, int(pk_text))
    return Scope(key=key, label=service.name, kind="service", service=service)


def _reads_directorate(user: UserLike) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    return access.role_of(user) in DIRECTORATE_ROLES


def scope_choices(user: UserLike) -> list[tuple[str, str]]:
    """The scopes the picker offers this user (key, label)."""
    if not may_read_figures(user):
        return []
    choices: list[tuple[str, str]] = []
    if _reads_directorate(user):
        choices.append(("directorate", "The directorate"))
    me = access.staff_for(user)
    role = me.role if me else None
    if role in DIRECTORATE_ROLES or role == Role.GROUP_MANAGER or me is None:
        services = access.visible_to(user, Service.objects.order_by("name"))
        if role == Role.GROUP_MANAGER and me is not None:
            services = services.filter(group_manager=me)
        choices += [(f"service:{s.pk}", s.name) for s in services]
    if (
        role
        in (*DIRECTORATE_ROLES, Role.GROUP_MANAGER, Role.TEAM_MANAGER, Role.ASSISTANT_TEAM_MANAGER)
        or me is None
    ):
        teams = access.visible_to(user, Team.objects.select_related("service"))
        if role == Role.GROUP_MANAGER and me is not None:
            teams = teams.filter(service__group_manager=me)
        elif role in (Role.TEAM_MANAGER, Role.ASSISTANT_TEAM_MANAGER) and me is not None:
            teams = teams.filter(pk__in=[t for t in (me.team_id,) if t]) | teams.filter(manager=me)
        choices += [
            (f"team:{t.pk}", f"{t.name} ({t.service.name})")
            for t in teams.order_by("service__name", "name").distinct()
        ]
    if me is not None:
        choices.append(("me", "My own figures"))
    return choices


def parse_period(
    from_text: str | None, to_text: str | None, *, today: datetime.date, default_months: int = 12
) -> list[Month]:
    """Months from `from` to `to` inclusive (default: the last 12 months to this one). Refuses
    months in the future, a period that runs backwards, and more than 36 months."""
    this_month = Month.of(today)
    try:
        last = Month.parse(to_text) if to_text else this_month
        first = Month.parse(from_text) if from_text else last
    except MonthError as error:
        raise ScopeError(str(error)) from None
    if not from_text:
        first = last
        for _ in range(default_months - 1):
            first = first.previous()
    if last > this_month or first > this_month:
        raise ScopeError(f"{max(first, last)} is in the future: choose {this_month} or earlier.")
    if first > last:
        raise ScopeError(f"The period starts ({first}) after it ends ({last}).")
    months = month_range(first, last)
    if len(months) > MAX_MONTHS:
        raise ScopeError(f"Choose at most {MAX_MONTHS} months (you chose {len(months)}).")
    return months
