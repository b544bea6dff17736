"""The dashboards' figures as read-only API endpoints (DESIGN §7): the same numbers as the
pages, computed by the same functions, scoped by the same access policy."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dashboards.caseloads import caseload_threshold, caseloads_by_team, worker_caseloads
from dashboards.compliance import MonthError, Outcome, Tally, monthly_compliance
from dashboards.decision_metrics import Timeliness, decision_figures
from dashboards.scope import Scope, ScopeError, parse_period, resolve_scope
from oversight.api.query import read_query


class ScopeQuerySerializer(serializers.Serializer):
    """The one `scope=` every metric takes (DESIGN §7); a metric takes no other parameter
    unless its own serializer adds it, and answers 400 naming any parameter it does not take."""

    scope = serializers.CharField(
        required=False,
        help_text="me, team:<id>, service:<id> or directorate (default: your natural view). "
        "Empty answers 400; a team or service you cannot see, 404.",
    )


class ComplianceQuerySerializer(ScopeQuerySerializer):
    month = serializers.CharField(
        required=False, help_text="YYYY-MM (default: this month; empty answers 400)."
    )


class TallySerializer(serializers.Serializer):
    expected = serializers.IntegerField()
    compliant = serializers.IntegerField()
    rate = serializers.DecimalField(max_digits=5, decimal_places=4, allow_null=True)
    excused = serializers.IntegerField()
    excused_reasons = serializers.DictField(
        child=serializers.IntegerField(),
        help_text='E.g. {"sickness": 1, "worker absent": 1}; absence types appear only where '
        'you may see them ("absence" otherwise).',
    )
    not_expected = serializers.IntegerField()
    held = serializers.IntegerField()
    short = serializers.IntegerField()
    signed_in_time = serializers.IntegerField()
    not_held = serializers.DictField(child=serializers.IntegerField())


class TeamTallySerializer(TallySerializer):
    team = serializers.IntegerField(allow_null=True)
    team_name = serializers.CharField()
    service_name = serializers.CharField()


class WorkerMonthSerializer(serializers.Serializer):
    staff = serializers.IntegerField(source="staff_id")
    name = serializers.CharField()
    team = serializers.IntegerField(source="team_id", allow_null=True)
    outcome = serializers.ChoiceField(choices=[(o.value, o.label) for o in Outcome])
    sessions_needed = serializers.IntegerField(source="required")
    held = serializers.IntegerField()
    short = serializers.IntegerField()
    excuse_reason = serializers.CharField()


class ComplianceSerializer(serializers.Serializer):
    scope = serializers.CharField()
    scope_label = serializers.CharField()
    month = serializers.CharField()
    as_at = serializers.DateTimeField()
    target = serializers.DecimalField(max_digits=4, decimal_places=3)
    totals = TallySerializer()
    teams = TeamTallySerializer(many=True)
    workers = WorkerMonthSerializer(many=True)


def _tally(tally: Tally) -> dict[str, Any]:
    return {
        "expected": tally.expected,
        "compliant": tally.compliant,
        "rate": tally.rate,
        "excused": tally.excused,
        "excused_reasons": dict(tally.excused_reasons),
        "not_expected": tally.not_expected,
        "held": tally.held,
        "short": tally.short,
        "signed_in_time": tally.signed_in_time,
        "not_held": dict(tally.not_held),
    }


def metric_scope(request: Request, key: str | None) -> Scope:
    """The scope a metric is asked about, resolved as the dashboards resolve it: a malformed
    scope answers 400 with a `scope` message; one the reader may not see, 404."""
    try:
        return resolve_scope(request.user, key)
    except ScopeError as error:
        raise ValidationError({"scope": [str(error)]}) from None


class SupervisionComplianceView(APIView):
    """Monthly supervision compliance for a scope: expected, excused (with reasons), compliant,
    the rate against target, sessions held, short and not held by reason, records signed within
    5 working days — in total, by team and by worker. A month in the future or not YYYY-MM
    answers 400; a scope you cannot see, 404."""

    @extend_schema(
        parameters=[ComplianceQuerySerializer],
        responses=ComplianceSerializer,
    )
    def get(self, request: Request) -> Response:
        query = read_query(request, ComplianceQuerySerializer)
        scope = metric_scope(request, query.get("scope"))
        today = timezone.localdate()
        month_text = query.get("month")
        try:
            months = parse_period(month_text, month_text, today=today, default_months=1)
        except (ScopeError, MonthError) as error:
            raise ValidationError({"month": [str(error)]}) from None
        report = monthly_compliance(request.user, scope.staff(request.user), months, today=today)
        month = months[-1]
        body = {
            "scope": scope.key,
            "scope_label": scope.label,
            "month": str(month),
            "as_at": timezone.now(),
            "target": report.targets[month],
            "totals": _tally(report.tally()),
            "teams": [
                {"team": team_id, "team_name": name, "service_name": service, **_tally(tally)}
                for (team_id, name, service), tally in report.by_team(month).items()
            ],
            "workers": report.rows,
        }
        return Response(ComplianceSerializer(body).data)


class WorkerCaseloadSerializer(serializers.Serializer):
    staff = serializers.IntegerField(source="staff_id")
    name = serializers.CharField()
    team = serializers.IntegerField(source="team_id", allow_null=True)
    open_cases = serializers.IntegerField()
    duty_cases = serializers.IntegerField()
    per_fte = serializers.DecimalField(max_digits=6, decimal_places=1)


class SpreadSerializer(serializers.Serializer):
    workers = serializers.IntegerField()
    median = serializers.FloatField(allow_null=True)
    maximum = serializers.IntegerField(allow_null=True)
    above_threshold = serializers.IntegerField()


class TeamCaseloadSerializer(serializers.Serializer):
    team = serializers.IntegerField(source="team_id", allow_null=True)
    team_name = serializers.CharField(source="team")
    all_workers = SpreadSerializer(source="spread")
    duty_workers = SpreadSerializer(source="duty_spread")


class CaseloadsSerializer(serializers.Serializer):
    scope = serializers.CharField()
    as_at = serializers.DateField()
    threshold = serializers.IntegerField()
    workers = WorkerCaseloadSerializer(many=True)
    teams = TeamCaseloadSerializer(many=True)


class CaseloadsView(APIView):
    """Open and duty cases per case-holding worker today (and per FTE), and each team's
    spread: median, highest, how many above the threshold, duty workers apart."""

    @extend_schema(
        parameters=[ScopeQuerySerializer],
        responses=CaseloadsSerializer,
    )
    def get(self, request: Request) -> Response:
        query = read_query(request, ScopeQuerySerializer)
        scope = metric_scope(request, query.get("scope"))
        today = timezone.localdate()
        rows = worker_caseloads(scope.staff(request.user), today=today)
        body = {
            "scope": scope.key,
            "as_at": today,
            "threshold": caseload_threshold(),
            "workers": rows,
            "teams": [
                {
                    "team_id": t.team_id,
                    "team": t.team,
                    "spread": t.spread(),
                    "duty_spread": t.duty_spread,
                }
                for t in caseloads_by_team(rows)
            ],
        }
        return Response(CaseloadsSerializer(body).data)


class DecisionsQuerySerializer(ScopeQuerySerializer):
    from_ = serializers.CharField(
        required=False, help_text="YYYY-MM (default: 11 months before `to`; empty answers 400)."
    )
    to = serializers.CharField(
        required=False, help_text="YYYY-MM (default: this month; empty answers 400)."
    )

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")  # `from` is a Python keyword
        return fields


class TimelinessSerializer(serializers.Serializer):
    met = serializers.IntegerField(help_text="Clocks stopped in the period.")
    in_time = serializers.IntegerField()
    rate = serializers.DecimalField(max_digits=5, decimal_places=4, allow_null=True)


class DecisionTypeMonthsSerializer(serializers.Serializer):
    decision_type = serializers.CharField()
    name = serializers.CharField()
    by_month = serializers.DictField(child=serializers.IntegerField(), help_text="YYYY-MM → MDRs")
    total = serializers.IntegerField()


class TeamMonthDecisionsSerializer(serializers.Serializer):
    team = serializers.IntegerField(source="team_id")
    team_name = serializers.CharField(source="team")
    month = serializers.CharField()
    decisions = serializers.IntegerField()
    contact = TimelinessSerializer()


class DecisionsMetricsSerializer(serializers.Serializer):
    scope = serializers.CharField()
    scope_label = serializers.CharField()
    from_month = serializers.CharField()
    to_month = serializers.CharField()
    as_at = serializers.DateTimeField()
    decisions = serializers.IntegerField(help_text="Signed MDRs made in the period.")
    drafts = serializers.IntegerField()
    by_type = DecisionTypeMonthsSerializer(many=True)
    contact_decisions_within_1_working_day = TimelinessSerializer()
    assessments_within_45_working_days = TimelinessSerializer()
    assessments_overdue = serializers.IntegerField()
    tasks_overdue = serializers.IntegerField()
    escalations_overdue_by_stage = serializers.DictField(child=serializers.IntegerField())
    cases_in_drift = serializers.IntegerField()
    teams = TeamMonthDecisionsSerializer(many=True)


def _timeliness(value: Timeliness) -> dict[str, Any]:
    return {"met": value.met, "in_time": value.in_time, "rate": value.rate}


class DecisionsMetricsView(APIView):
    """Management decisions for a scope's cases over a period of months: signed MDRs by type
    and month, contact decisions within 1 working day and assessments within 45 (rates of the
    clocks stopped in the period), overdue assessments and tasks, escalations waiting past
    their response date by stage, and cases in drift today. Same scopes and errors as
    `metrics/supervision-compliance`."""

    @extend_schema(parameters=[DecisionsQuerySerializer], responses=DecisionsMetricsSerializer)
    def get(self, request: Request) -> Response:
        query = read_query(request, DecisionsQuerySerializer)
        scope = metric_scope(request, query.get("scope"))
        today = timezone.localdate()
        try:
            months = parse_period(query.get("from"), query.get("to"), today=today)
        except (ScopeError, MonthError) as error:
            raise ValidationError({"from": [str(error)]}) from None
        figures = decision_figures(scope.cases(request.user), months, today=today)
        body = {
            "scope": scope.key,
            "scope_label": scope.label,
            "from_month": str(months[0]),
            "to_month": str(months[-1]),
            "as_at": figures.as_at,
            "decisions": figures.decisions,
            "drafts": figures.drafts,
            "by_type": [
                {
                    "decision_type": kind,
                    "name": label,
                    "by_month": {str(m): n for m, n in zip(figures.months, counts, strict=True)},
                    "total": total,
                }
                for kind, label, counts, total in figures.type_rows()
            ],
            "contact_decisions_within_1_working_day": _timeliness(figures.contact),
            "assessments_within_45_working_days": _timeliness(figures.assessment),
            "assessments_overdue": figures.assessments_overdue,
            "tasks_overdue": figures.tasks_overdue,
            "escalations_overdue_by_stage": {
                str(stage): n for stage, n in figures.escalations_overdue.items()
            },
            "cases_in_drift": figures.cases_in_drift,
            "teams": [
                {
                    "team_id": r.team_id,
                    "team": r.team,
                    "month": str(r.month),
                    "decisions": r.decisions,
                    "contact": _timeliness(r.contact),
                }
                for r in figures.by_team_month
            ],
        }
        return Response(DecisionsMetricsSerializer(body).data)
