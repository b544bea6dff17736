"""API v1 for the organisation: thin viewsets over the access policy and services."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from oversight import access, notifications, services
from oversight.access import Purpose
from oversight.api.base import ScopedReadWriteViewSet, ScopedViewSetMixin
from oversight.api.permissions import CaseWrite, OrganisationWrite
from oversight.api.serializers import (
    AbsenceSerializer,
    CaseSerializer,
    NotificationSerializer,
    ServiceSerializer,
    StaffSerializer,
    TeamSerializer,
)
from oversight.filters import AbsenceFilter, CaseFilter, StaffFilter, TeamFilter
from oversight.models import Absence, Case, Notification, Service, StaffMember, Team


class ServiceViewSet(ScopedReadWriteViewSet):
    queryset = Service.objects.order_by("name")
    serializer_class = ServiceSerializer
    permission_classes = [*ScopedReadWriteViewSet.permission_classes, OrganisationWrite]


class TeamViewSet(ScopedReadWriteViewSet):
    queryset = Team.objects.order_by("name")
    serializer_class = TeamSerializer
    filterset_class = TeamFilter
    permission_classes = [*ScopedReadWriteViewSet.permission_classes, OrganisationWrite]


class StaffViewSet(ScopedReadWriteViewSet):
    queryset = StaffMember.objects.select_related("user").order_by("last_name", "first_name")
    serializer_class = StaffSerializer
    filterset_class = StaffFilter
    permission_classes = [*ScopedReadWriteViewSet.permission_classes, OrganisationWrite]

    def perform_create(self, serializer: BaseSerializer[Any]) -> None:
        serializer.instance = services.staff_create(
            actor=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer: BaseSerializer[Any]) -> None:
        serializer.instance = services.staff_update(
            staff=serializer.instance,  # type: ignore[arg-type]
            actor=self.request.user,
            **serializer.validated_data,
        )


class CaseViewSet(ScopedReadWriteViewSet):
    queryset = Case.objects.order_by("reference")
    serializer_class = CaseSerializer
    filterset_class = CaseFilter
    permission_classes = [*ScopedReadWriteViewSet.permission_classes, CaseWrite]


class AbsenceViewSet(ScopedReadWriteViewSet):
    """Business support and the person's managers record absences; others who may see the
    person see only that they are absent."""

    queryset = Absence.objects.order_by("-start_date")
    serializer_class = AbsenceSerializer
    filterset_class = AbsenceFilter

    def base_queryset(self) -> QuerySet[Absence]:
        details = StaffMember.objects.filter(
            access.staff_scope_q(self.request.user, Purpose.LINE_MANAGEMENT),
            pk=OuterRef("staff_id"),
        )
        return Absence.objects.annotate(details_visible=Exists(details)).order_by("-start_date")

    def _require_manager_of(self, staff: StaffMember) -> None:
        if not access.can_manage_absences(self.request.user, staff):
            # The person is visible to this reader, but their absences are not theirs to
            # change: answer as if there were nothing here to write to.
            raise NotFound("You cannot record absences for this person.")

    def perform_create(self, serializer: BaseSerializer[Any]) -> None:
        data = serializer.validated_data
        self._require_manager_of(data["staff"])
        serializer.instance = services.absence_record(
            staff=data["staff"],
            absence_type=data["absence_type"],
            start_date=data["start_date"],
            end_date=data.get("end_date"),
            notes=data.get("notes", ""),
            actor=self.request.user,
        )
        serializer.instance.details_visible = True  # type: ignore[attr-defined]

    def perform_update(self, serializer: BaseSerializer[Any]) -> None:
        absence: Absence = serializer.instance  # type: ignore[assignment]
        self._require_manager_of(absence.staff)
        changes = dict(serializer.validated_data)
        if "staff" in changes and changes["staff"] != absence.staff:
            raise ValidationError({"staff": "An absence cannot be moved to another person."})
        changes.pop("staff", None)
        serializer.instance = services.absence_update(
            absence=absence, actor=self.request.user, **changes
        )
        serializer.instance.details_visible = True  # type: ignore[attr-defined]


@extend_schema_view(
    list=extend_schema(summary="Your own notifications, newest first"),
    retrieve=extend_schema(
        summary="One of your own notifications",
        responses={
            200: NotificationSerializer,
            404: OpenApiResponse(description="No such notification of yours."),
        },
    ),
)
class NotificationViewSet(ScopedViewSetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """The signed-in person's own notices (a notice is its recipient's alone): subject lines
    and links, so reading them leaves no access-log line, as on the Notifications page."""

    queryset = Notification.objects.order_by("-created_at", "-pk")
    serializer_class = NotificationSerializer

    @extend_schema(
        summary="Mark one of your notifications seen",
        request=None,
        responses={
            200: NotificationSerializer,
            404: OpenApiResponse(description="No such notification of yours."),
        },
    )
    @action(detail=True, methods=["post"])
    def seen(self, request: Request, pk: str | None = None) -> Response:
        notice = self.get_object()
        notifications.notifications_mark_read(
            user=request.user,  # type: ignore[arg-type]
            notices=Notification.objects.filter(pk=notice.pk),
        )
        notice.refresh_from_db()
        return Response(self.get_serializer(notice).data)
