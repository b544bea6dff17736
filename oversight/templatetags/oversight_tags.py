from django import template

from oversight.models import AbsenceType

register = template.Library()


@register.filter
def absence_type_label(value: str | None) -> str:
    """The display name of an absence type code (for annotated rows)."""
    if not value:
        return ""
    return str(dict(AbsenceType.choices).get(value, value))
