"""Pages ask supervision's rules what the reader may do, rather than spelling out roles
(a template that compares role strings is a copy of a rule that will drift)."""

from __future__ import annotations

from typing import Any

from django import template

from oversight import access
from oversight.models import SUPERVISING_ROLES, StaffMember, Team
from supervision import rules

register = template.Library()


def _user(context: Any) -> Any:
    return context["request"].user


@register.simple_tag(takes_context=True)
def may_record_supervision(context: Any, member: StaffMember) -> bool:
    return rules.may_record_supervision(_user(context), member)


@register.simple_tag(takes_context=True)
def may_record_informal_discussion(context: Any, member: StaffMember | None) -> bool:
    return member is not None and rules.may_record_informal_discussion(_user(context), member)


@register.simple_tag(takes_context=True)
def may_read_supervision_history(context: Any, member: StaffMember) -> bool:
    return rules.offers_supervision_history(_user(context), member)


@register.simple_tag(takes_context=True)
def may_note_discussions_in_team(context: Any, team: Team) -> bool:
    return rules.may_note_discussions_in_team(_user(context), team)


@register.simple_tag(takes_context=True)
def may_arrange_cover(context: Any, member: StaffMember) -> bool:
    """Only someone who supervises can be covered for; who may arrange or propose it is
    supervision's rule."""
    return member.role in SUPERVISING_ROLES and rules.may_propose_cover(_user(context), member)


@register.simple_tag(takes_context=True)
def reads_practice_records(context: Any) -> bool:
    return access.reads_practice_records(_user(context))
