"""The cache of search answers: its fragment family, how long an answer is kept, and forgetting them all.

The search page's queries (``search.queries.run_search``) cache their answers here; every write to an index
(``search.services``, the database backend, a rebuild) forgets them, so a change shows on the next search.
"""
from __future__ import annotations

from portal.core import fragments

#: Search answers cached per (backend, query, filters, page, audience); every index write moves this family on.
ANSWERS = fragments.family("search.answers")

#: How long a cached answer may be kept.  Every change to the index makes it unreachable at once (``forget_answers``);
#: this only bounds what a cached answer cannot see change: the recency factor in the ranking drifts with the clock
#: (a document's score changes by well under 0.1% a day), so an answer ten minutes old ranks as today's would.
ANSWER_SECONDS = 600


def forget_answers() -> None:
    """Make every cached search answer unreachable, now and after the current transaction commits.

    Called by every write to an index (``services.write_documents``, ``delete_entry``, the
    database backend's writes, a rebuild), so a change shows on the next search.
    """
    fragments.forget(ANSWERS)
