"""The access policy, written once (DESIGN §5).

Every list, detail, API endpoint, export and dashboard figure asks this module what a user may
see: `visible_to(user, queryset)` filters any registered model, and `get_for_user()` fetches one
object or answers 404. Scope is expressed through the staff member a record is about; each app
registers its models with the path from the record to that staff member and the *purpose* of
the record, which decides how far a role's view reaches:

- ``DIRECTORY``: people and their organisation (team pages, absences shown as "absent").
- ``RECORDS``: supervision records and other records about a person's practice.
- ``LINE_MANAGEMENT``: what only the person's line-management chain may read or change
  (absence types and notes, confidential support notes).
- ``PERFORMANCE``: who counts in a user's dashboards and exports — as ``RECORDS``, except that
  an assistant team manager reads their whole team's figures (DESIGN §5).

Business support see staff, absences and training, never case content.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from oversight.models import (
    DIRECTORATE_ROLES,
    SUPERVISING_ROLES,
    Absence,
    AccessLogEntry,
    Case,
    Notification,
    Reminder,
    Role,
    Service,
    StaffMember,
    Team,
)

UserLike = AbstractBaseUser | AnonymousUser
M = TypeVar("M", bound=Model)

NOTHING = Q(pk__in=[])
EVERYTHING = Q()


class Purpose(enum.Enum):
    DIRECTORY = "directory"
    RECORDS = "records"
    LINE_MANAGEMENT = "line_management"
    PERFORMANCE = "performance"


# --- who is asking -------------------------------------------------------------------------


def staff_for(user: UserLike) -> StaffMember | None:
    """The staff member behind a login (cached on the user object for the request)."""
    if not user.is_authenticated:
        return None
    cached: StaffMember | None | bool = getattr(user, "_oversight_staff", False)
    if cached is False:
        cached = StaffMember.objects.select_related("team").filter(user_id=user.pk).first()
        user._oversight_staff = cached  # type: ignore[union-attr,attr-defined]
    return cached if isinstance(cached, StaffMember) else None


def remember_staff(user: UserLike, staff: StaffMember) -> None:
    """Tell `staff_for` who is behind a login already loaded (e.g. each recipient of the
    day's reminders), so asking what they may see does not look them up again."""
    user._oversight_staff = staff  # type: ignore[union-attr,attr-defined]


def can_see_cases(user: UserLike) -> bool:
    return case_scope_q(user) is not NOTHING


def has_staff_record(user: UserLike) -> bool:
    """Whether the login belongs to someone on the staff list (an administrator may not)."""
    return staff_for(user) is not None


def is_manager(user: UserLike) -> bool:
    """Team managers and above, and assistant team managers: people who look after a team."""
    return role_of(user) in (*SUPERVISING_ROLES, Role.ASSISTANT_TEAM_MANAGER)


def role_of(user: UserLike) -> str | None:
    staff = staff_for(user)
    return staff.role if staff else None


def _sees_everything(user: UserLike) -> bool:
    return bool(getattr(user, "is_superuser", False))


# --- extension points for later apps -------------------------------------------------------

# Extra line-management reach, e.g. a manager covering for an absent supervisor (supervision
# app). Each hook returns a Q over StaffMember (relative to `prefix`) or None.
_line_management_extensions: list[Callable[[StaffMember, str], Q | None]] = []


def extend_line_management(hook: Callable[[StaffMember, str], Q | None]) -> None:
    _line_management_extensions.append(hook)


# --- staff scope -----------------------------------------------------------------------------


def field_path(prefix: str, path: str) -> str:
    """`path` reached through `prefix` ("supervisee" + "team" → "supervisee__team"): how a
    rule over StaffMember is applied to a record about a staff member."""
    return f"{prefix}__{path}" if prefix else path


def line_managed_q(me: StaffMember, prefix: str) -> Q:
    """Staff whose line-management chain includes `me` (not `me` themselves): their
    supervisor and that supervisor's, their team's manager and group manager, and cover."""
    q = Q(**{field_path(prefix, "supervisor"): me})
    if me.role not in DIRECTORATE_ROLES:
        # Directorate roles read the directorate but are not in workers' line chains
        # (so e.g. confidential support notes stay hidden from them), unless they supervise.
        q |= (
            Q(**{field_path(prefix, "supervisor__supervisor"): me})
            | Q(**{field_path(prefix, "team__manager"): me})
            | Q(**{field_path(prefix, "team__service__group_manager"): me})
        )
    for hook in _line_management_extensions:
        extra = hook(me, prefix)
        if extra is not None:
            q |= extra
    return q


def staff_scope_q(user: UserLike, purpose: Purpose, prefix: str = "") -> Q:
    """A filter over StaffMember (reached through `prefix`) for what `user` may see."""
    if _sees_everything(user):
        return EVERYTHING
    me = staff_for(user)
    if me is None:
        return NOTHING
    own = Q(**{field_path(prefix, "pk"): me.pk})
    managed = line_managed_q(me, prefix)
    if purpose is Purpose.LINE_MANAGEMENT:
        if me.role == Role.BUSINESS_SUPPORT:
            return EVERYTHING
        return own | managed

    if me.role in DIRECTORATE_ROLES:
        return EVERYTHING
    if me.role == Role.BUSINESS_SUPPORT:
        return EVERYTHING if purpose is Purpose.DIRECTORY else NOTHING

    own_team = Q(**{field_path(prefix, "team"): me.team_id}) if me.team_id else NOTHING
    if me.role == Role.GROUP_MANAGER:
        return own | managed | (own_team if purpose is Purpose.DIRECTORY else NOTHING)
    if me.role == Role.TEAM_MANAGER:
        return own | managed | own_team
    # Practitioners and assistant team managers: their own records; their team as people.
    if purpose is Purpose.PERFORMANCE and me.role == Role.ASSISTANT_TEAM_MANAGER:
        return own | own_team
    if purpose is Purpose.DIRECTORY:
        return own | own_team | Q(**{field_path(prefix, "pk"): me.supervisor_id or 0})
    return own


# --- registry --------------------------------------------------------------------------------

_rules: dict[type[Model], Callable[[UserLike], Q]] = {}


def register(model: type[Model], rule: Callable[[UserLike], Q]) -> None:
    """Register how `model` is scoped. Every model served to users must be registered."""
    _rules[model] = rule


def register_staff_link(model: type[Model], staff_path: str, purpose: Purpose) -> None:
    """Scope `model` through the staff member it is about, reached by `staff_path`."""
    register(model, lambda user: staff_scope_q(user, purpose, staff_path))


def rule_for(model: type[Model]) -> Callable[[UserLike], Q]:
    try:
        return _rules[model]
    except KeyError:
        raise LookupError(
            f"{model.__name__} has no access rule: register it in access.py"
        ) from None


def visible_to(user: UserLike, queryset: QuerySet[M]) -> QuerySet[M]:
    """The rows of `queryset` that `user` may see."""
    if not user.is_authenticated:
        return queryset.none()
    q = rule_for(queryset.model)(user)
    if q is NOTHING:
        return queryset.none()
    return queryset.filter(q)


def get_for_user(user: UserLike, queryset: QuerySet[M] | type[M], pk: Any) -> M:
    """Fetch one object the user may see, or answer 404 (existence never leaks)."""
    qs = queryset._default_manager.all() if isinstance(queryset, type) else queryset
    try:
        return visible_to(user, qs).get(pk=pk)
    except (qs.model.DoesNotExist, ValueError, TypeError):  # type: ignore[attr-defined]
        raise Http404 from None


def detail_of(model: type[Model] | None, *, needs_permission: bool = False) -> Callable[[Any], Any]:
    """Declare which model a page's `pk` names (`None`: a registered record kind given by
    `kind`). The all-URLs access test reads this to try every object as every role;
    `needs_permission` says the page asks more than visibility (e.g. managers only)."""

    def decorate(view: Any) -> Any:
        view.scoped_model = model
        view.needs_permission = needs_permission
        return view

    return decorate


# --- organisation rules ----------------------------------------------------------------------


def _is_integration(user: UserLike) -> bool:
    """An account of the case-recording system: it writes cases, so it reads cases and teams."""
    return staff_for(user) is None and can_write_cases(user)


def case_scope_q(user: UserLike) -> Q:
    """The cases `user` may see, as a filter over Case: the allocated worker, the team's
    managers, the group manager, the directorate (and the case-recording system's account).
    Case content that apps keep (decisions) is scoped through this."""
    if _sees_everything(user) or _is_integration(user):
        return EVERYTHING
    me = staff_for(user)
    if me is None or me.role == Role.BUSINESS_SUPPORT:
        return NOTHING
    if me.role in DIRECTORATE_ROLES:
        return EVERYTHING
    q = Q(allocated_worker=me)
    if me.role == Role.GROUP_MANAGER:
        q |= Q(team__service__group_manager=me)
    if me.role in (Role.TEAM_MANAGER, Role.ASSISTANT_TEAM_MANAGER):
        q |= Q(team__manager=me) | staff_scope_q(user, Purpose.RECORDS, "allocated_worker")
        if me.team_id:
            q |= Q(team=me.team_id)
    return q


def _team_q(user: UserLike) -> Q:
    if _sees_everything(user) or _is_integration(user):
        return EVERYTHING
    me = staff_for(user)
    if me is None:
        return NOTHING
    if me.role in DIRECTORATE_ROLES or me.role == Role.BUSINESS_SUPPORT:
        return EVERYTHING
    q = Q(manager=me) | Q(service__group_manager=me)
    if me.team_id:
        q |= Q(pk=me.team_id)
    if me.role in (Role.TEAM_MANAGER, Role.GROUP_MANAGER):
        q |= Q(pk__in=StaffMember.objects.filter(line_managed_q(me, "")).values("team"))
    return q


def _service_q(user: UserLike) -> Q:
    if _sees_everything(user) or _is_integration(user):
        return EVERYTHING
    role = role_of(user)
    if role in DIRECTORATE_ROLES or role == Role.BUSINESS_SUPPORT:
        return EVERYTHING  # including a new service that has no teams yet
    return Q(pk__in=Team.objects.filter(_team_q(user)).values("service")) | Q(
        group_manager=staff_for(user)
    )


def _access_log_q(user: UserLike) -> Q:
    """Managers of the record and principal social workers read who viewed or exported it."""
    if _sees_everything(user) or role_of(user) == Role.PRINCIPAL_SOCIAL_WORKER:
        return EVERYTHING
    me = staff_for(user)
    if me is None or me.role == Role.BUSINESS_SUPPORT:
        return NOTHING
    return line_managed_q(me, "subject")


register_staff_link(StaffMember, "", Purpose.DIRECTORY)
register_staff_link(Absence, "staff", Purpose.DIRECTORY)
register(Case, case_scope_q)
register(Team, _team_q)
register(Service, _service_q)
register(AccessLogEntry, _access_log_q)
# A notice is its recipient's alone, whatever their role.
register(Notification, lambda user: Q(recipient_id=user.pk))
# That a reminder was sent is its recipient's business alone too.
register(Reminder, lambda user: Q(recipient__user_id=user.pk) if user.pk else NOTHING)


# --- what a user may do ----------------------------------------------------------------------


def is_line_manager_of(user: UserLike, staff: StaffMember) -> bool:
    """True for the person's line-management chain (and business support, superusers)."""
    q = staff_scope_q(user, Purpose.LINE_MANAGEMENT)
    return StaffMember.objects.filter(q, pk=staff.pk).exists()


def reads_practice_records(user: UserLike) -> bool:
    """Business support keep staff, absences and training; they never read practice records
    (supervision, decisions, cases). Everyone else reads them within their scope."""
    return _sees_everything(user) or (
        staff_for(user) is not None and role_of(user) != Role.BUSINESS_SUPPORT
    )


def manages(user: UserLike, staff: StaffMember) -> bool:
    """True for the person's own line-management chain (their supervisor, that supervisor's
    supervisor, their team's manager and group manager, and cover) — not business support,
    who reach everyone's absences but manage nobody. Administrators manage everyone."""
    if _sees_everything(user):
        return True
    me = staff_for(user)
    if me is None or me.role == Role.BUSINESS_SUPPORT:
        return False
    return StaffMember.objects.filter(line_managed_q(me, ""), pk=staff.pk).exists()


def can_see_absence_details(user: UserLike, staff: StaffMember) -> bool:
    """Absence types and notes are health data: the person, their chain and business support."""
    return is_line_manager_of(user, staff)


def can_manage_absences(user: UserLike, staff: StaffMember) -> bool:
    """Business support and the person's managers record and end absences (not the person)."""
    if _sees_everything(user):
        return True
    me = staff_for(user)
    if me is None or me.pk == staff.pk:
        return False
    return me.role == Role.BUSINESS_SUPPORT or manages(user, staff)


def allocatable_workers(user: UserLike, queryset: QuerySet[StaffMember]) -> QuerySet[StaffMember]:
    """Staff a case may be allocated to by this user. The case-recording system's account
    names any worker by id (it allocates the cases) without being able to list or read staff."""
    if _is_integration(user):
        return queryset
    return visible_to(user, queryset)


# Roles whose holder reads beyond their own records: a manager reads their team's supervision,
# the directorate reads the directorate, business support read everyone's absence types.
# Making someone one of these, or taking it away, changes what a person may read.
ACCESS_WIDENING_ROLES = SUPERVISING_ROLES | DIRECTORATE_ROLES | {Role.BUSINESS_SUPPORT}


def may_change_access_widening_roles(user: UserLike | None) -> bool:
    """Only an administrator or the directorate (principal social worker, assistant director)
    make someone a team manager or above, or business support, or take such a role away;
    business support alone never can. `None` is a management command run on the server by
    its operator, who has the database in hand anyway."""
    if user is None:
        return True
    return _sees_everything(user) or role_of(user) in DIRECTORATE_ROLES


def can_edit_organisation(user: UserLike) -> bool:
    """Services, teams and staff records are kept by business support."""
    return _sees_everything(user) or role_of(user) == Role.BUSINESS_SUPPORT


def can_write_cases(user: UserLike) -> bool:
    """Cases come from the case-recording system: only integration accounts write them."""
    return _sees_everything(user) or bool(
        getattr(user, "has_perm", lambda _p: False)("oversight.change_case")
    )


def can_read_access_log(user: UserLike, subject: StaffMember | None) -> bool:
    """Managers of the record and principal social workers may read who viewed it."""
    if _sees_everything(user) or role_of(user) == Role.PRINCIPAL_SOCIAL_WORKER:
        return True
    return subject is not None and manages(user, subject)


# Starting pages that apps register (as they register record kinds), so the spine never
# names another app's pages: the first whose test the user passes wins.
_homes: list[tuple[str, Callable[[UserLike], bool]]] = []


def register_home(url_name: str, applies: Callable[[UserLike], bool]) -> None:
    """Offer `url_name` as the starting page of the users `applies` picks."""
    _homes.append((url_name, applies))


def home_url_name(user: UserLike) -> str:
    """Each role's natural starting point: a page an app registered, else the spine's own."""
    role = role_of(user)
    if role in (Role.TEAM_MANAGER, Role.ASSISTANT_TEAM_MANAGER):
        return "my-team"
    if role == Role.BUSINESS_SUPPORT:
        return "staff-list"
    for url_name, applies in _homes:
        if applies(user):
            return url_name
    if role is None and _sees_everything(user):
        return "team-list"
    return "my-profile"
