"""The search page: /search/?q=… with highlights, facets, pagination and "did you mean"."""
from __future__ import annotations

from urllib.parse import urlencode

from django.shortcuts import render

from search.backends.base import FACETS
from search.queries import SearchDown, facet_links, kind_label, run_search, safe_highlight


def search_page(request):
    """Anyone may search; what they find depends on who they are (queries.viewer_audience)."""
    query = request.GET.get("q", "").strip()
    params = {"q": query, **{name: request.GET.get(name, "").strip() for name in FACETS}}
    try:
        page = int(request.GET.get("page", "1"))
    except ValueError:
        page = 1
    context = {"query": query, "breadcrumbs": [{"title": "Home", "url": "/"}], "error": None, "results": None}
    if query:
        try:
            results = run_search(query, request.user, filters=params, page=page)
        except SearchDown as down:
            context["error"] = down.user_message
            status = 503
        else:
            status = 200
            base = {k: v for k, v in params.items() if v}
            context.update(
                results=results,
                hits=[{"hit": hit, "highlight": safe_highlight(hit.highlight), "kind_label": kind_label(hit.kind)} for hit in results.hits],
                facet_groups=facet_links(results, params),
                active_filters=[
                    {"label": kind_label(params[name]) if name == "kind" else params[name],
                     "url": "?" + urlencode({k: v for k, v in base.items() if k != name})}
                    for name in FACETS if params.get(name)
                ],
                suggestion_url="?" + urlencode({"q": results.suggestion}) if results.suggestion else None,
                previous_url="?" + urlencode({**base, "page": results.page - 1}) if results.page > 1 else None,
                next_url="?" + urlencode({**base, "page": results.page + 1}) if results.page < results.page_count else None,
            )
        return render(request, "search/search.html", context, status=status)
    return render(request, "search/search.html", context)
