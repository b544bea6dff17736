"""Kinds of record that have a History page and an access log.

Apps register their record kinds here (as they register models with the admin), so the spine
never imports them: `oversight/` shows history and access logs for any registered kind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Model
from django.urls import NoReverseMatch, reverse

UserLike = AbstractBaseUser | AnonymousUser


def _no_restrictions(user: UserLike, obj: Any) -> frozenset[str]:
    return frozenset()


@dataclass(frozen=True)
class RecordKind:
    slug: str
    model: type[Model]
    # Dotted path from the record to the staff member it is about (None: the record itself).
    subject_path: str | None
    # Fields of `obj` that `user` may not read: hidden in pages, API, exports and history.
    hidden_fields: Callable[[UserLike, Any], frozenset[str]] = field(default=_no_restrictions)
    detail_url_name: str | None = None
    # Whether reading it is written to the access log: records about people are; the shape
    # of the organisation (teams, services) is not.
    logs_reads: bool = True

    def subject_of(self, obj: Any) -> Any:
        if self.subject_path is None:
            return obj
        target = obj
        for part in self.subject_path.split("__"):
            target = getattr(target, part)
        return target

    def detail_url(self, obj: Any) -> str | None:
        if not self.detail_url_name:
            return None
        try:
            return reverse(self.detail_url_name, args=[obj.pk])
        except NoReverseMatch:
            return None


@dataclass(frozen=True)
class Shown:
    """Records a page shows by id, of a registered kind (e.g. the workers behind a figure),
    for the access log."""

    kind: str
    ids: tuple[Any, ...]


_kinds: dict[str, RecordKind] = {}


def register_kind(kind: RecordKind) -> RecordKind:
    _kinds[kind.slug] = kind
    return kind


def kind_by_slug(slug: str) -> RecordKind | None:
    return _kinds.get(slug)


def kind_for_model(model: type[Model]) -> RecordKind | None:
    for kind in _kinds.values():
        if kind.model is model:
            return kind
    return None


def all_kinds() -> list[RecordKind]:
    return list(_kinds.values())
