"""The "similar work elsewhere in the region" list, shown on entries, templates and threads."""
from django import template

from search.queries import SIMILAR_KIND_LABELS, kind_label

register = template.Library()


@register.filter
def similar_kind(kind: str) -> str:
    """"Re-design work", "Template" …: what one similar result is."""
    return SIMILAR_KIND_LABELS.get(kind) or kind_label(kind)


@register.inclusion_tag("search/includes/similar.html")
def similar_list(hits, heading: str = "Similar work elsewhere in the region"):
    return {"similar": hits, "heading": heading}
