"""The re-design work a template, case study, thread or event belongs to (the other end of the entry's links)."""
from django import template

from redesign.connections import entries_linked_to

register = template.Library()


@register.inclusion_tag("redesign/includes/linked_work.html", takes_context=True)
def linked_work(context, obj, heading: str = "Re-design work this belongs to"):
    """Members see the entries ``obj`` is linked to; others see nothing (the matrix is members-only)."""
    request = context.get("request")
    entries = entries_linked_to(obj, request.user) if request is not None else []
    return {"entries": entries, "heading": heading}
