"""Reads that compute something about decisions: the active framework, task lists, the case
decision trail. Each is a fixed number of queries, however much data there is."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Case as Case_
from django.db.models import Exists, OuterRef, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone

from decisions.models import Decision, DecisionTask, ThresholdFramework
from oversight import access
from oversight.access import UserLike
from oversight.models import Case
from supervision.models import ActionStatus, CaseDiscussion, InformalDiscussion


def active_framework() -> ThresholdFramework:
    framework = ThresholdFramework.objects.filter(is_active=True).first()
    if framework is None:
        raise ImproperlyConfigured("No threshold framework is active: choose one in the admin.")
    return framework


def decisions_for(user: UserLike) -> QuerySet[Decision]:
    """The decisions `user` may read, with what a list shows, and whether any task is late."""
    today = timezone.localdate()
    overdue = DecisionTask.objects.filter(
        decision=OuterRef("pk"), action__status=ActionStatus.OPEN, action__due_date__lt=today
    )
    return (
        access.visible_to(user, Decision.objects.all())
        .select_related("case", "decision_maker", "level_before", "level_after", "framework")
        .annotate(has_overdue_tasks=Exists(overdue))
    )


def tasks_for(user: UserLike) -> QuerySet[DecisionTask]:
    """The tasks of decisions `user` may read."""
    return access.visible_to(user, DecisionTask.objects.all()).select_related(
        "action__owner", "decision__case"
    )


def my_tasks(user: UserLike) -> QuerySet[DecisionTask]:
    """The tasks `user` owns, open first and soonest due first."""
    me = access.staff_for(user)
    if me is None:
        return DecisionTask.objects.none()
    open_first = Case_(When(action__status=ActionStatus.OPEN, then=Value(0)), default=Value(1))
    return tasks_for(user).filter(action__owner=me).order_by(open_first, "action__due_date", "pk")


# --- the case decision trail -----------------------------------------------------------------


@dataclass(frozen=True)
class TrailItem:
    kind: str  # a record kind: "decision", "case-discussion", "informal-discussion"
    pk: int
    label: str
    when: datetime.datetime
    who: str
    summary: str
    url: str
    level: int | None = None
    level_name: str = ""
    scaling: int | None = None


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12, 0)))


def _summary(text: str, limit: int = 240) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def case_trail(user: UserLike, case: Case) -> list[TrailItem]:
    """Every MDR, supervision case discussion and informal discussion about `case` that `user`
    may read, in date order (three queries). Confidential support notes are never part of a
    case discussion, so none can appear here."""
    items: list[TrailItem] = []
    decisions = decisions_for(user).filter(case=case)
    for d in decisions:
        items.append(
            TrailItem(
                kind="decision",
                pk=d.pk,
                label=f"MDR: {d.get_decision_type_display()}",
                when=d.made_at,
                who=d.decision_maker.full_name,
                summary=_summary(d.decision),
                url=reverse("decision-detail", args=[d.pk]),
                level=d.level_after.number if d.level_after else None,
                level_name=d.level_after.name if d.level_after else "",
                scaling=d.scaling,
            )
        )
    discussions = (
        access.visible_to(user, CaseDiscussion.objects.filter(case=case))
        .select_related("session__supervisor", "session__supervisee")
        .only(
            "pk",
            "discussion",
            "decisions",
            "scaling",
            "session__id",
            "session__held_on",
            "session__scheduled_for",
            "session__started_at",
            "session__created_at",
            "session__supervisor__first_name",
            "session__supervisor__last_name",
            "session__supervisee__first_name",
            "session__supervisee__last_name",
        )
    )
    for c in discussions:
        session = c.session
        when = session.started_at or (
            _day_start(session.held_on) if session.held_on else session.created_at
        )
        items.append(
            TrailItem(
                kind="case-discussion",
                pk=c.pk,
                label="Supervision case discussion",
                when=when,
                who=f"{session.supervisor.full_name} with {session.supervisee.full_name}",
                summary=_summary(c.decisions or c.discussion),
                url=reverse("supervision-session", args=[session.pk]),
                scaling=c.scaling,
            )
        )
    informal = access.visible_to(user, InformalDiscussion.objects.filter(case=case)).select_related(
        "worker", "recorded_by"
    )
    for i in informal:
        items.append(
            TrailItem(
                kind="informal-discussion",
                pk=i.pk,
                label=f"Informal discussion ({i.get_channel_display().lower()})",
                when=i.happened_at,
                who=f"{i.recorded_by.full_name} with {i.worker.full_name}",
                summary=_summary(i.advice),
                url=reverse("informal-discussion-detail", args=[i.pk]),
            )
        )
    items.sort(key=lambda item: item.when)
    return items


def trail_levels(items: list[TrailItem]) -> list[TrailItem]:
    return [item for item in items if item.level is not None]


def trail_scaling(items: list[TrailItem]) -> list[TrailItem]:
    return [item for item in items if item.scaling is not None]
