from django import template

from casework.cases.choices import Engagement

register = template.Library()


@register.filter
def engagement_label(code: str | None) -> str:
    """The label of an engagement status code (lists annotate the code only)."""
    return str(Engagement(code).label) if code in Engagement.values else "—"
