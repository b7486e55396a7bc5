"""What the apps above the forum add to a thread page, registered from their AppConfig.ready.

Guidance (``portal.guidance``) and re-design work (``redesign``) sit above the
forum and import it; the forum imports neither.  The thread page offers SHA
editors "turn the accepted answer into guidance" and says what guidance it
became (``guidance``, filled in by ``portal.guidance.threads``), and offers the
thread's author a list of re-design work to tag it to (``work``, filled in by
``redesign.threads``).  A part nobody registered is left off the page.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet


@dataclass(frozen=True)
class GuidanceHook:
    #: The guidance pages (drafts and live) made from a thread, by the thread's pk.
    pages_from: Callable[[int], QuerySet]
    #: ``draft(thread, user)``: turn the thread's accepted answer into a draft guidance page, or raise ``refused``.
    draft: Callable[..., object]
    #: What ``draft`` raises when it refuses; its ``user_message`` is shown as it is.
    refused: type[Exception]


@dataclass(frozen=True)
class WorkHook:
    #: ``choices(thread)``: the work the thread may be tagged to, as ``(pk, title, organisation name)``.
    choices: Callable[..., QuerySet]
    #: The fragment families whose change alters those choices (the thread page's cached column depends on them).
    families: tuple[str, ...]


guidance: GuidanceHook | None = None
work: WorkHook | None = None


def register_guidance(hook: GuidanceHook) -> None:
    global guidance
    guidance = hook


def register_work(hook: WorkHook) -> None:
    global work
    work = hook


def families() -> tuple[str, ...]:
    """The fragment families the registered parts of a thread page depend on."""
    return work.families if work is not None else ()
