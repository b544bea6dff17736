"""The base of every API viewset: scoped by the access policy so no viewset can forget."""

from __future__ import annotations

from collections.abc import MutableMapping
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


class ModelSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """A ModelSerializer whose read-only fields keep the model's `blank=True`: DRF drops
    `allow_blank` from read-only fields, so the schema would say a blank choice (an ASYE rule's
    `role`, a review's `outcome`, a session's `not_held_reason`) can never be `""`."""

    def include_extra_kwargs(
        self, kwargs: MutableMapping[str, Any], extra_kwargs: MutableMapping[str, Any]
    ) -> MutableMapping[str, Any]:
        allow_blank = kwargs.get("allow_blank", False)
        kwargs = super().include_extra_kwargs(kwargs, extra_kwargs)
        if allow_blank and kwargs.get("read_only"):
            kwargs["allow_blank"] = True
        return kwargs


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
