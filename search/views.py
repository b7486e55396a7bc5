"""The search page: /search/?q=… with highlights, facets, pagination and "did you mean"."""
from __future__ import annotations

from urllib.parse import urlencode

from django.http import JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from portal.core.permissions import member_required

from search.backends.base import FACETS
from search.queries import (
    SIMILAR_KIND_LABELS,
    SearchDown,
    cached_answer,
    facet_links,
    find_similar,
    kind_label,
    safe_highlight,
    viewer_audience,
)
from search.registry import PUBLIC


def search_page(request):
    """Anyone may search; what they find depends on who they are (queries.viewer_audience).

    The results part of the page (status line, filters, hits, pagination) is the same for
    everyone in the viewer's audience, so it is kept rendered under the search answers' generation
    (``queries.cached_answer``): any change to the index shows on the next search.
    """
    query = request.GET.get("q", "").strip()
    params = {"q": query, **{name: request.GET.get(name, "").strip() for name in FACETS}}
    try:
        page = int(request.GET.get("page", "1"))
    except ValueError:
        page = 1
    autocorrect = request.GET.get("spelling") != "exact"
    signed_out = viewer_audience(request.user) == PUBLIC
    context = {"query": query, "breadcrumbs": [{"title": "Home", "url": "/"}], "error": None}
    if query:
        try:
            rendered = cached_answer(query, request.user, params, page,
                                     lambda results, blocks: _render_results(results, params, blocks, signed_out=signed_out,
                                                                             autocorrect=autocorrect),
                                     autocorrect=autocorrect)
            context.update({name: mark_safe(html) for name, html in rendered.items()})  # noqa: S308 - rendered templates only
        except SearchDown as down:
            context["error"] = down.user_message
            return render(request, "search/search.html", context, status=503)
    return render(request, "search/search.html", context)


def _render_results(results, params: dict[str, str], blocks=(), signed_out: bool = False, autocorrect: bool = True) -> dict[str, str]:
    """The results part of the page, as two pieces of HTML (the status line sits under the search box).

    ``blocks``: the small blocks beside the ranked list (people), each with a link to all of its kind's results.

    ``signed_out``: the viewer sees public content only, and is told in general terms that members can
    search more (never what: the words, counts and titles of members' content stay out of this page).
    """
    from django.utils import timezone

    base = {k: v for k, v in params.items() if v}
    now = timezone.now()
    if not autocorrect:
        base["spelling"] = "exact"
    context = {
        "results": results,
        "signed_out": signed_out,
        "hits": [{"hit": hit, "highlight": safe_highlight(hit.highlight), "kind_label": kind_label(hit.kind),
                  "is_past": hit.kind == "event" and hit.date is not None and hit.date < now} for hit in results.hits],
        "exact_url": "?" + urlencode({**{k: v for k, v in base.items() if k != "page"}, "spelling": "exact"}) if results.corrected else None,
        "facet_groups": facet_links(results, params, blocks),
        "blocks": [{"title": kind_label(block.hits[0].kind), "results": block,
                    "hits": [{"hit": hit, "highlight": safe_highlight(hit.highlight)} for hit in block.hits],
                    "all_url": "?" + urlencode({**{k: v for k, v in base.items() if k != "page"}, "kind": block.hits[0].kind})}
                   for block in blocks],
        "active_filters": [
            {"label": kind_label(params[name]) if name == "kind" else params[name],
             "url": "?" + urlencode({k: v for k, v in base.items() if k != name})}
            for name in FACETS if params.get(name)
        ],
        "suggestion_url": "?" + urlencode({"q": results.suggestion}) if results.suggestion else None,
        "previous_url": "?" + urlencode({**base, "page": results.page - 1}) if results.page > 1 else None,
        "next_url": "?" + urlencode({**base, "page": results.page + 1}) if results.page < results.page_count else None,
    }
    return {
        "results_status": str(render_to_string("search/includes/results_status.html", context)),
        "results_body": str(render_to_string("search/includes/results.html", context)),
    }


@member_required
def similar_json(request):
    """Similar work for the text being written (title and description), for the "check for similar work" script.

    GET ?text=…&kind=matrix_entry&kind=thread — members only; what comes back
    is what the member may see.
    """
    text = request.GET.get("text", "").strip()[:2000]
    kinds = [kind for kind in request.GET.getlist("kind") if kind in SIMILAR_KIND_LABELS] or list(SIMILAR_KIND_LABELS)
    hits = find_similar(text, request.user, kinds=kinds, limit=5) if text else []
    return JsonResponse({"results": [
        {"title": hit.title, "url": hit.url, "kind": SIMILAR_KIND_LABELS.get(hit.kind, kind_label(hit.kind)), "organisation": hit.organisation,
         "service_areas": list(hit.service_areas)}
        for hit in hits
    ]})
