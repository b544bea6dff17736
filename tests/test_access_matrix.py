"""Every URL pattern, as every role: nothing outside a role's scope is ever shown.

The expected scope below is written out by hand from DESIGN §5 for the named world in
conftest.py — it does not ask the access policy, so removing a scope filter from any view or
viewset makes this test fail. New URL patterns are walked automatically: a pattern whose
parameters this test cannot fill fails the test until it is taught.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from oversight.models import AccessLogEntry
from oversight.records import all_kinds, kind_for_model
from tests.conftest import ROLES, World

TEAM_A = {"tm", "sw", "asye", "atm"}
TEAM_B = {"tm2", "sw2"}
EVERYONE = set(ROLES)

# Which people each role may see as people (DESIGN §5; practitioners see their own team).
STAFF_VISIBLE: dict[str, set[str]] = {
    "sw": TEAM_A,
    "asye": TEAM_A,
    "atm": TEAM_A,
    "tm": TEAM_A,
    "tm2": TEAM_B,
    "sw2": TEAM_B,
    "gm": TEAM_A | {"gm"},
    "gm2": TEAM_B | {"gm2"},
    "psw": EVERYONE,
    "ad": EVERYONE,
    "bs": EVERYONE,
}
CASES_VISIBLE: dict[str, set[str]] = {
    "sw": {"case_sw"},
    "asye": set(),
    "atm": {"case_sw"},
    "tm": {"case_sw"},
    "gm": {"case_sw"},
    "tm2": {"case_sw2"},
    "sw2": {"case_sw2"},
    "gm2": {"case_sw2"},
    "psw": {"case_sw", "case_sw2"},
    "ad": {"case_sw", "case_sw2"},
    "bs": set(),
}
TEAMS_VISIBLE: dict[str, set[str]] = {
    "sw": {"riverside"},
    "asye": {"riverside"},
    "atm": {"riverside"},
    "tm": {"riverside"},
    "gm": {"riverside"},
    "tm2": {"hillside"},
    "sw2": {"hillside"},
    "gm2": {"hillside"},
    "psw": {"riverside", "hillside", "directorate"},
    "ad": {"riverside", "hillside", "directorate"},
    "bs": {"riverside", "hillside", "directorate"},
}
# Absence types and notes: the person, their line-management chain, business support.
ABSENCE_DETAILS_VISIBLE: dict[str, set[str]] = {
    "absence_sw": {"sw", "tm", "gm", "bs"},
    "absence_sw2": {"sw2", "tm2", "gm2", "bs"},
}
ABSENCE_OWNER = {"absence_sw": "sw", "absence_sw2": "sw2"}
NOTE_MARKERS = {"absence_sw": "NoteSWsecret", "absence_sw2": "NoteSW2secret"}
TEAM_MARKERS = {"riverside": "Riverside", "hillside": "Hillside"}
CASE_MARKERS = {"case_sw": "CaseSWx", "case_sw2": "CaseSW2x"}
# Supervision records about a person (DESIGN §5): the person, their line-management chain and
# the directorate; confidential support notes not the directorate (PSW, AD).
RECORDS_READERS = {"sw": {"sw", "tm", "gm", "psw", "ad"}, "sw2": {"sw2", "tm2", "gm2", "psw", "ad"}}
CONFIDENTIAL_READERS = {"sw": {"sw", "tm", "gm"}}
SUPERVISION_RECORDS = {
    # key in the world: (whose record, marker text written into it)
    "session_sw": ("sw", "AgendaSWx"),
    "session_sw2": ("sw2", "AgendaSW2x"),
    "discussion_sw": ("sw", "DiscussSWx"),
    "informal_sw": ("sw", "AdviceSWx"),
    "action_sw2": ("sw2", "ActionSW2x"),
    "request_sw": ("sw", "AskSWx"),
}
CONFIDENTIAL_MARKER = "ConfNoteSWsecret"
# Decisions are case content (DESIGN §5): whoever may see the case reads its MDRs, their
# tasks, clocks and escalations; business support never.
DECISION_RECORDS = {
    # key in the world: (the case it is about, marker text written into it or None)
    "decision_sw": ("case_sw", "DecideSWx"),
    "decision_sw2": ("case_sw2", "DecideSW2x"),
    "task_sw": ("case_sw", "TaskSWx"),
    "clock_sw": ("case_sw", None),
    "escalation_sw": ("case_sw", "EscalateSWx"),
}
# The MDR task's text is also the owner's (sw's) supervision action.
ALSO_READ_AS_ACTION = {"task_sw": "sw"}
# Configuration every signed-in user reads (threshold frameworks).
CONFIGURATION = {"framework"}
# Pages that describe the API itself rather than data.
SCHEMA_URL_NAMES = {"api-schema", "api-docs"}
# Pages whose forms list every absence type as a choice (so type names are no leak there).
TYPE_CHOICE_URL_NAMES = SCHEMA_URL_NAMES | {"absence-create"}


# Every read that shows a record's content writes the access log (DESIGN §5). Pages and
# endpoints by URL name: those that must write a line when they answer a GET with content,
# and those that show no record's content. A new URL name in neither set fails the test
# until it is taught.
# (The router's names for API lists and details, e.g. "staff-list", are some pages' names too.)
LOGGED_URL_NAMES = {
    "staff-list", "staff-detail", "team-detail", "case-list", "case-detail", "record-history",
    "supervision-history", "supervision-session", "supervision-print",
    "informal-discussion-list", "informal-discussion-detail", "my-supervision", "dashboard",
    "dashboard-workers", "absence-list", "absence-detail", "supervision-list",
    "supervision-detail", "case-discussion-list", "case-discussion-detail", "action-list",
    "action-detail",
    # decisions (pages and API share the router's names)
    "decision-list", "decision-detail", "decision-edit", "case-trail", "api-case-trail",
    "my-tasks", "drift-list", "escalation-list", "escalation-detail", "decision-task-list",
    "decision-task-detail",
    "supervision-request-list", "supervision-request-detail",
}
NOT_CONTENT_URL_NAMES = {
    "home", "my-profile", "my-team", "notifications", "record-access-log",
    "supervision-my-team", "absence-create", "absence-end", "informal-discussion-create",
    "cover-create", "action-status", "supervision-start", "supervision-save",
    "supervision-start-with", "action-review", "case-discussion-add", "case-discussion-save",
    "supervision-action-add", "supervision-addenda", "supervision-addendum", "supervision-hold",
    "supervision-not-held", "supervision-sign", "api-token-revoke", "api-token-revoke-all",
    "export-performance", "export-supervision-status", "export-job", "export-job-download",
    "login", "logout", "healthz", "api-root", "api-schema", "api-docs",
    # the organisation's shape (teams, services) and policies, figures without names
    "team-list", "service-list", "service-detail", "supervision-policy-list",
    "supervision-policy-detail", "metrics-supervision-status", "metrics-supervision-compliance",
    "metrics-caseloads", "cover-confirm", "staff-role-change", "notification-open",
    # the reader's own notices (subject lines and links) and their e-mail setting
    "notification-list", "notification-detail", "notification-seen",
    "my-notification-settings",
    # decisions: forms and actions, the frameworks (configuration), figures without names
    "decision-create", "decision-sign", "decision-addendum", "decision-addenda", "clock-meet",
    "escalation-create", "escalation-respond", "escalation-escalate", "escalation-resolve",
    "threshold-framework-list", "threshold-framework-detail", "metrics-decisions",
    "framework-list", "framework-activate",
    "supervision-request-create", "supervision-request-accept", "supervision-request-decline",
}


def _logged_names_of(entries: Any) -> set[tuple[str, str]]:
    named: set[tuple[str, str]] = set()
    for entry in entries:
        if entry.object_id:
            named.add((entry.kind, entry.object_id))
        named.update((entry.kind, item.object_id) for item in entry.items.all())
    return named


def _assert_read_is_logged(
    role: str, route: Route, url: str, response: Any, obj: Any, new_entries: list[Any]
) -> None:
    """A GET that showed content left a line naming it: the record a detail page is about
    (or, for a page listing records about a person, a line at all when it listed any)."""
    name = route.name
    if name not in LOGGED_URL_NAMES and name not in NOT_CONTENT_URL_NAMES:
        raise AssertionError(f"Teach the access matrix whether {name} ({url}) shows content")
    if response.status_code != 200 or name not in LOGGED_URL_NAMES:
        return
    kind = kind_for_model(type(obj)) if obj is not None else None
    if kind is not None and kind.logs_reads and route.params and name != "supervision-history":
        assert (kind.slug, str(obj.pk)) in _logged_names_of(new_entries), (
            f"{role} read {url} and the access log does not name it"
        )
        return
    if url.startswith("/api/"):
        shown = response.json()
        if shown.get("count", len(shown.get("results", []))):
            assert new_entries, f"{role} listed {url} and the access log has no line"


def staff_marker(key: str) -> str:
    return f"Marker{key.upper()}x"


@dataclass(frozen=True)
class Route:
    name: str
    template: str  # e.g. "/teams/{pk}/"
    params: tuple[str, ...]
    callback: Any


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue  # the Django admin is for superusers only (is_staff)
            yield from _walk(entry.url_patterns, prefix + _route_text(entry))
        elif isinstance(entry, URLPattern):
            text = prefix + _route_text(entry)
            params = tuple(entry.pattern.regex.groupindex)
            if "format" in params:
                continue  # DRF's format-suffix duplicates of the same views
            yield Route(entry.name or text, "/" + _to_template(text), params, entry.callback)


def _route_text(entry: URLPattern | URLResolver) -> str:
    return str(entry.pattern)


def _to_template(text: str) -> str:
    import re

    text = text.lstrip("^").rstrip("$")
    text = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", text)
    text = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", text)
    return text.replace("\\.", ".").replace("^", "").replace("$", "")


def all_routes() -> list[Route]:
    return list(_walk(get_resolver().url_patterns))


def _model_of(route: Route) -> Any:
    callback = route.callback
    cls = getattr(callback, "cls", None)
    if cls is not None and getattr(cls, "queryset", None) is not None:
        return cls.queryset.model
    if hasattr(callback, "scoped_model"):
        return callback.scoped_model
    raise AssertionError(
        f"URL {route.template} ({route.name}) takes {route.params} but declares no model: "
        "decorate the view with access.detail_of(...) or give the viewset a queryset."
    )


def _needs_permission(route: Route) -> bool:
    return bool(getattr(route.callback, "needs_permission", False))


def _objects(world: World) -> dict[Any, dict[str, Any]]:
    """Every object of the world by model, keyed by its name in the oracle."""
    by_model: dict[Any, dict[str, Any]] = {}
    for key, person in world.people.items():
        by_model.setdefault(type(person), {})[key] = person
    for key, obj in world.objects.items():
        by_model.setdefault(type(obj), {})[key] = obj
    return by_model


def _expected_visible(role: str, model_name: str, key: str) -> bool:
    if model_name == "StaffMember":
        return key in STAFF_VISIBLE[role]
    if model_name == "Case":
        return key in CASES_VISIBLE[role]
    if model_name == "Team":
        return key in TEAMS_VISIBLE[role]
    if model_name == "Absence":
        return ABSENCE_OWNER[key] in STAFF_VISIBLE[role]
    if model_name == "Service":
        return True if role in {"psw", "ad", "bs"} else key in _services_of(role)
    if key in SUPERVISION_RECORDS:
        return role in RECORDS_READERS[SUPERVISION_RECORDS[key][0]]
    if key in DECISION_RECORDS:
        return DECISION_RECORDS[key][0] in CASES_VISIBLE[role]
    if key in CONFIGURATION:
        return True
    raise AssertionError(f"The access-matrix oracle does not know {model_name}: teach it.")


def _services_of(role: str) -> set[str]:
    teams = TEAMS_VISIBLE[role]
    services = set()
    if "riverside" in teams:
        services.add("safeguarding")
    if "hillside" in teams:
        services.add("parenting")
    if "directorate" in teams:
        services.add("central")
    return services


def _forbidden_markers(role: str, include_types: bool) -> list[str]:
    markers = [staff_marker(k) for k in EVERYONE - STAFF_VISIBLE[role]]
    markers += [CASE_MARKERS[k] for k in set(CASE_MARKERS) - CASES_VISIBLE[role]]
    markers += [
        TEAM_MARKERS[k] for k in set(TEAM_MARKERS) - TEAMS_VISIBLE[role] if k in TEAM_MARKERS
    ]
    for absence, readers in ABSENCE_DETAILS_VISIBLE.items():
        if role not in readers:
            markers.append(NOTE_MARKERS[absence])
    for owner, marker in SUPERVISION_RECORDS.values():
        if role not in RECORDS_READERS[owner]:
            markers.append(marker)
    for key, (case, marker) in DECISION_RECORDS.items():
        as_action = ALSO_READ_AS_ACTION.get(key)
        reads = case in CASES_VISIBLE[role] or (as_action and role in RECORDS_READERS[as_action])
        if marker and not reads:
            markers.append(marker)
    if role not in CONFIDENTIAL_READERS["sw"]:
        markers.append(CONFIDENTIAL_MARKER)
    if include_types and role not in ABSENCE_DETAILS_VISIBLE["absence_sw2"]:
        # sw2's absence is parental leave; only sw2's chain and business support may know it.
        markers += ["Maternity, paternity", "parental_leave"]
    return markers


def _get(client: Client, url: str) -> Any:
    return client.get(url, HTTP_ACCEPT="text/html,application/json")


def _assert_shows_nothing_forbidden(role: str, route: Route, url: str, response: Any) -> None:
    if response.status_code != 200:
        return
    content = b"".join(response.streaming_content) if response.streaming else response.content
    body = content.decode("utf-8", errors="replace")
    for marker in _forbidden_markers(role, include_types=route.name not in TYPE_CHOICE_URL_NAMES):
        assert marker not in body, f"{role} sees {marker!r} at {url}"


def _fill(route: Route, world: World) -> Iterator[tuple[str, str, str, Any]]:
    """(url, model name, key, object) for every object the route can name."""
    if not route.params:
        yield route.template, "", "", None
        return
    if set(route.params) == {"kind", "pk"}:
        by_model = _objects(world)
        for kind in all_kinds():
            for key, obj in by_model.get(kind.model, {}).items():
                url = route.template.format(kind=kind.slug, pk=obj.pk)
                yield url, kind.model.__name__, key, obj
        return
    assert set(route.params) == {"pk"}, f"Teach the access matrix to fill {route.params}"
    model = _model_of(route)
    for key, obj in _objects(world).get(model, {}).items():
        yield route.template.format(pk=obj.pk), model.__name__, key, obj


def _add_supervision_records(world: World) -> World:
    """A held session for sw with confidential support notes and a case discussion, an
    informal discussion with sw, and a session and an action for sw2 in the other service."""
    from supervision.models import SessionStatus
    from tests.supervision.factories import (
        ActionFactory,
        CaseDiscussionFactory,
        HeldSessionFactory,
        InformalDiscussionFactory,
    )

    session_sw = HeldSessionFactory(
        supervisee=world.sw,
        supervisor=world.tm,
        agenda="AgendaSWx",
        support_notes=CONFIDENTIAL_MARKER,
        support_confidential=True,
    )
    world.objects.update(
        session_sw=session_sw,
        session_sw2=HeldSessionFactory(
            supervisee=world.sw2, supervisor=world.tm2, agenda="AgendaSW2x",
            status=SessionStatus.SIGNED,
        ),
        discussion_sw=CaseDiscussionFactory(
            session=session_sw, case=world.case_sw, discussion="DiscussSWx"
        ),
        informal_sw=InformalDiscussionFactory(worker=world.sw, advice="AdviceSWx"),
        action_sw2=ActionFactory(supervisee=world.sw2, description="ActionSW2x"),
    )
    return world


def _add_supervision_request_records(world: World) -> World:
    """A request for extra supervision from sw about their case, with a note."""
    from supervision import services as supervision_services
    from supervision.models import RequestReason

    world.objects["request_sw"] = supervision_services.supervision_request_create(
        worker=world.sw,
        reason=RequestReason.COMPLEX_CASE,
        case=world.case_sw,
        note="AskSWx",
        actor=world.sw.user,
    )
    return world


def _add_decision_records(world: World) -> World:
    """A signed contact decision on sw's case with a task for sw, its clock and an escalation
    by sw; a signed decision on sw2's case in the other service."""
    from django.utils import timezone

    from decisions import services as decisions_services
    from decisions.models import DecisionType, ThresholdFramework
    from decisions.services import TaskSpec

    today = timezone.localdate()

    def signed(maker: str, case: str, text: str, **fields: Any) -> Any:
        mdr = decisions_services.decision_create(
            case=world.objects[case],
            actor=world.people[maker].user,
            decision_type=DecisionType.CONTACT_ASSESSMENT,
            contact_received_on=today,
            decision=text,
            rationale="Rationale",
            child_voice="Voice",
            **fields,
        )
        return decisions_services.decision_sign(mdr=mdr, actor=world.people[maker].user)

    decision_sw = signed(
        "tm",
        "case_sw",
        "DecideSWx",
        tasks=[TaskSpec(description="TaskSWx", owner=world.sw, due_in_working_days=5)],
    )
    decision_sw2 = signed("tm2", "case_sw2", "DecideSW2x", no_tasks_reason="None")
    escalation = decisions_services.escalation_raise(
        mdr=decision_sw, concern="EscalateSWx", actor=world.sw.user
    )
    world.objects.update(
        decision_sw=decision_sw,
        decision_sw2=decision_sw2,
        task_sw=decision_sw.tasks.get(),
        clock_sw=decision_sw.clocks.get(timescale__code="assessment"),
        escalation_sw=escalation,
        framework=ThresholdFramework.objects.get(is_active=True),
    )
    return world


@pytest.fixture
def full_world(world: World) -> World:
    return _add_supervision_request_records(
        _add_decision_records(_add_supervision_records(world))
    )


@pytest.mark.django_db
def test_every_url_as_anonymous_asks_to_sign_in(full_world: World) -> None:
    world = full_world
    client = Client()
    for route in all_routes():
        for url, *_ in _fill(route, world):
            response = _get(client, url)
            if route.name in {"login", "healthz"}:
                continue
            if url.startswith("/api/"):
                assert response.status_code == 401, f"{url}: {response.status_code}"
                assert response["WWW-Authenticate"] == "Token", url
            else:
                assert response.status_code == 302, f"{url}: {response.status_code}"
                assert response["Location"].startswith("/accounts/login/"), url


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_every_url_as_every_role_stays_in_scope(full_world: World, role: str) -> None:
    world = full_world
    client = world.client(role)
    checked = 0
    for route in all_routes():
        if route.name == "logout":
            continue
        for url, model_name, key, obj in _fill(route, world):
            latest = AccessLogEntry.objects.order_by("-pk").values_list("pk", flat=True).first()
            response = _get(client, url)
            new_entries = list(
                AccessLogEntry.objects.filter(pk__gt=latest or 0, user=world.people[role].user)
            )
            assert response.status_code != 403 or url.startswith("/api/"), (
                f"{role} got 403 at {url}: out-of-scope answers 404"
            )
            assert response.status_code < 500, f"{role} got {response.status_code} at {url}"
            if response.status_code == 405 and model_name:
                # A POST-only action. Pages look the record up first (so only a visible one
                # gets 405); the API refuses GET whatever the object, a missing one included.
                if url.startswith("/api/"):
                    missing = _get(client, route.template.format(pk=999999))
                    assert missing.status_code == 405, f"{url} answers 405 only for real records"
                else:
                    assert _expected_visible(role, model_name, key), f"{role} learns of {url}"
                checked += 1
                continue
            if model_name:
                visible = _expected_visible(role, model_name, key)
                if not visible:
                    assert response.status_code == 404, (
                        f"{role} should not see {model_name} {key} at {url}, "
                        f"got {response.status_code}"
                    )
                elif not _needs_permission(route):
                    assert response.status_code in (200, 302), (
                        f"{role} should see {model_name} {key} at {url}, got {response.status_code}"
                    )
            _assert_shows_nothing_forbidden(role, route, url, response)
            _assert_read_is_logged(role, route, url, response, obj, new_entries)
            checked += 1
    assert checked > 50


def test_the_walker_finds_the_organisation_endpoints() -> None:
    names = {route.name for route in all_routes()}
    assert {"team-detail", "staff-detail", "case-list"} <= names
    assert {"staff-list", "team-list"} <= names  # pages
    assert any(route.template.startswith("/api/v1/absences/") for route in all_routes())
