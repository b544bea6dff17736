"""Read-only supervision figures for the API (DESIGN §7): where each worker's supervision
stands today, scoped like every other read by the access policy."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dashboards.api.metrics import ScopeQuerySerializer, metric_scope
from oversight import access
from oversight.api.query import read_query
from oversight.models import Service, StaffMember, Team
from supervision.policy import Status
from supervision.selectors import status_summary, supervision_status


class SupervisionStatusQuerySerializer(ScopeQuerySerializer):
    """Narrow the answer to a scope the reader may see, as every metric does. `team=` and
    `service=` are the older spelling, kept so existing callers work: deprecated aliases of
    `scope=team:<id>` and `scope=service:<id>` (empty still means no filter)."""

    scope = serializers.CharField(
        required=False,
        help_text="me, team:<id>, service:<id> or directorate (default: everyone whose "
        "supervision you may follow). Empty answers 400; a team or service you cannot see, 404.",
    )
    team = serializers.IntegerField(
        required=False, min_value=1, help_text="Deprecated: use scope=team:<id>. A team's id."
    )
    service = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="Deprecated: use scope=service:<id>. A service's id.",
    )


class WorkerStatusSerializer(serializers.Serializer):
    """One worker's status. Never an absence type: someone away is simply `excused`."""

    staff = serializers.IntegerField(source="staff.pk")
    name = serializers.CharField(source="staff.full_name")
    team = serializers.IntegerField(source="staff.team_id", allow_null=True)
    team_name = serializers.CharField(source="staff.team.name", allow_null=True)
    status = serializers.ChoiceField(choices=[(status.value, status.label) for status in Status])
    status_label = serializers.CharField(source="status.label")
    due_date = serializers.DateField(allow_null=True, help_text="Empty without a supervisor.")
    last_held_on = serializers.DateField(allow_null=True)
    interval_days = serializers.IntegerField(
        help_text="The interval in force on the last held session (or the start date)."
    )
    open_actions = serializers.IntegerField()
    informal_waiting = serializers.IntegerField(
        help_text="Informal discussions not yet pulled into a session."
    )


# One count per status, so the schema names every status the answer can hold.
StatusCountsSerializer = type(
    "StatusCountsSerializer",
    (serializers.Serializer,),
    {status.value: serializers.IntegerField() for status in Status},
)


class SupervisionStatusSerializer(serializers.Serializer):
    as_at = serializers.DateField()
    counts = StatusCountsSerializer()
    workers = WorkerStatusSerializer(many=True)


class SupervisionStatusView(APIView):
    """Each worker's supervision status today: excused, overdue, due soon, in time or no
    supervisor, with counts. Workers are those whose supervision the reader may follow —
    practitioners themselves, managers their teams and the people they manage (and cover),
    the directorate everyone, business support nobody."""

    @extend_schema(
        parameters=[SupervisionStatusQuerySerializer],
        responses=SupervisionStatusSerializer,
    )
    def get(self, request: Request) -> Response:
        query = read_query(
            request, SupervisionStatusQuerySerializer, blank_allowed=("team", "service")
        )
        staff = self._staff(request, query)
        today = timezone.localdate()
        statuses = supervision_status(request.user, staff, today=today)
        body = {
            "as_at": today,
            "counts": {str(status): n for status, n in status_summary(statuses).items()},
            "workers": statuses,
        }
        return Response(SupervisionStatusSerializer(body).data)

    def _staff(self, request: Request, filters: dict[str, Any]) -> QuerySet[StaffMember]:
        """Everyone, or the scope asked for (and within it the team or service the aliases
        name: both must match); a team or service the reader cannot see answers 404, as if it
        did not exist. Who of them the reader may follow is `supervision_status`'s rule."""
        staff = StaffMember.objects.all()
        if "scope" in filters:
            staff = metric_scope(request, filters["scope"]).staff(request.user)
        staff = staff.order_by("team__name", "last_name", "first_name", "pk")
        if "team" in filters:
            team = access.get_for_user(request.user, Team, filters["team"])
            staff = staff.filter(team=team)
        if "service" in filters:
            service = access.get_for_user(request.user, Service, filters["service"])
            staff = staff.filter(team__service=service)
        return staff
