"""The base of every API viewset: scoped by the access policy so no viewset can forget."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model, QuerySet
from rest_framework import generics, mixins, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from oversight import access, services


class ScopedViewSetMixin(generics.GenericAPIView):  # type: ignore[type-arg]
    """`get_queryset()` is always filtered through `access.visible_to`; reading one record
    through the API is written to the access log, and so is each page of a list (one line
    naming the records it returned)."""

    def base_queryset(self) -> QuerySet[Any]:
        """The unscoped rows (annotated as the viewset needs); override to annotate."""
        if self.queryset is None:
            raise ImproperlyConfigured(f"{type(self).__name__} needs a queryset")
        return self.queryset.all()

    def get_queryset(self) -> QuerySet[Any]:
        return access.visible_to(self.request.user, self.base_queryset())

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()
        services.access_log_view(user=request.user, shown=instance, via="api")
        return Response(self.get_serializer(instance).data)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        services.access_log_view(user=request.user, shown=rows, via="api")
        data = self.get_serializer(rows, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)


class ScopedReadWriteViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """List, read, create and update — never delete: records keep their history."""


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ScopedRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key that accepts only objects the requesting user may see (others: 400)."""

    def get_queryset(self) -> QuerySet[Model]:
        request = self.context.get("request")
        queryset = super().get_queryset()
        if queryset is None:
            raise ImproperlyConfigured("ScopedRelatedField needs a queryset")
        if request is None:
            return queryset.none()
        return access.visible_to(request.user, queryset)
