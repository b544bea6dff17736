from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def percent(rate: Decimal | float | None) -> str:
    """0.953 → "95%"; no figure → "—"."""
    if rate is None:
        return "—"
    return f"{float(rate):.0%}"


@register.filter
def get_item(mapping: dict, key: object) -> object:  # type: ignore[type-arg]
    return mapping.get(key)


@register.filter
def not_held_label(reason: str) -> str:
    from supervision.models import NotHeldReason

    try:
        return str(NotHeldReason(reason).label).lower()
    except ValueError:
        return reason
