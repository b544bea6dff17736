"""The case decision trail: one chronology of a case's MDRs, supervision case discussions and
informal discussions, with the threshold level and Signs of Safety scaling over time drawn as
small bar charts (inline SVG, no script) whose numbers are also given as a table."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from decisions import rules, selectors
from decisions.selectors import TrailItem
from oversight import access
from oversight.models import Case
from oversight.reads import Shown, logs_reads

CHART_WIDTH = 600
CHART_HEIGHT = 160
CHART_TOP = 20  # room for the value above the tallest bar
CHART_BOTTOM = 24  # room for the date under each bar
KIND_TAGS = {
    "decision": ("MDR", "blue"),
    "case-discussion": ("Case discussion", "purple"),
    "informal-discussion": ("Informal discussion", "grey"),
}


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    label: str
    centre: float
    value_y: float  # where the number above the bar sits


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    width: int
    height: int
    baseline: float
    maximum: int


def _chart(points: list[tuple[str, int]], maximum: int) -> Chart:
    """Bars for (label, value) points on a 0..maximum scale, in SVG user units."""
    plot_height = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    baseline = CHART_TOP + plot_height
    slot = CHART_WIDTH / max(len(points), 1)
    width = min(slot * 0.6, 60)
    bars = []
    for index, (label, value) in enumerate(points):
        height = plot_height * (value / maximum) if maximum else 0
        x = index * slot + (slot - width) / 2
        bars.append(
            Bar(
                x=round(x, 1),
                y=round(baseline - height, 1),
                width=round(width, 1),
                height=round(height, 1),
                value=value,
                label=label,
                centre=round(x + width / 2, 1),
                value_y=round(baseline - height - 4, 1),
            )
        )
    return Chart(
        bars=bars, width=CHART_WIDTH, height=CHART_HEIGHT, baseline=baseline, maximum=maximum
    )


def _shown(items: list[TrailItem], kind: str) -> Shown:
    """The records of one kind the trail shows, by id, for the access log."""
    return Shown(kind, tuple(item.pk for item in items if item.kind == kind))


@access.detail_of(Case)
@login_required
@logs_reads(
    "case", "shown_decisions", "shown_discussions", "shown_informal", description="Decision trail"
)
def case_trail(request: HttpRequest, pk: int) -> HttpResponse:
    case = access.get_for_user(
        request.user, Case.objects.select_related("team", "allocated_worker"), pk
    )
    items = selectors.case_trail(request.user, case)
    levels = selectors.trail_levels(items)
    scaling = selectors.trail_scaling(items)
    top_level = max((item.level or 0 for item in levels), default=0)
    try:
        framework = selectors.active_framework()
    except ImproperlyConfigured:  # scale to the levels shown
        framework = None
    if framework is not None:
        highest = framework.levels.order_by("-number").values_list("number", flat=True).first()
        top_level = max(top_level, highest or 0)
    rows = [{"item": item, "tag": KIND_TAGS.get(item.kind, (item.kind, "grey"))} for item in items]
    return TemplateResponse(
        request,
        "decisions/case_trail.html",
        {
            "case": case,
            "rows": rows,
            "levels": levels,
            "scaling": scaling,
            "level_chart": _chart(
                [(f"{timezone.localtime(i.when):%-d %b %y}", i.level or 0) for i in levels],
                top_level,
            ),
            "scaling_chart": _chart(
                [(f"{timezone.localtime(i.when):%-d %b %y}", i.scaling or 0) for i in scaling],
                10,
            ),
            "may_record": rules.may_record_decision(request.user, case),
            "shown_decisions": _shown(items, "decision"),
            "shown_discussions": _shown(items, "case-discussion"),
            "shown_informal": _shown(items, "informal-discussion"),
        },
    )
