from django import template
from django.template import Context
from django.utils.safestring import mark_safe

from oversight import extensions
from oversight.models import AbsenceType

register = template.Library()


@register.filter
def absence_type_label(value: str | None) -> str:
    """The display name of an absence type code (for annotated rows)."""
    if not value:
        return ""
    return str(dict(AbsenceType.choices).get(value, value))


@register.simple_tag(takes_context=True)
def panels(context: Context, page: str) -> str:
    """The panels apps registered for this spine page (`oversight.extensions`), rendered with
    the page's own context, as `{% include %}` would."""
    engine = context.template.engine if context.template else None
    if engine is None:
        return ""
    parts = []
    for name in extensions.panels_for(page):
        with context.push():
            parts.append(engine.get_template(name).render(context))
    return mark_safe("".join(parts))  # noqa: S308 (templates rendered with autoescape)
