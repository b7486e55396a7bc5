"""What re-design work adds to a forum thread page: the list of work its author may tag it to.

The forum sits below re-design work and imports none of it; ``connect()``,
called once from ``RedesignConfig.ready``, fills in ``forum.extensions.work``.
The list is cached with the matrix's fragments, so it also moves on when they do.
"""
from __future__ import annotations

from forum import extensions
from redesign.connections import entries_for_thread_choice
from redesign.views import MATRIX_FRAGMENTS


def work_choices(thread):
    return entries_for_thread_choice(thread, None)


def connect() -> None:
    extensions.register_work(extensions.WorkHook(choices=work_choices, families=(MATRIX_FRAGMENTS,)))
