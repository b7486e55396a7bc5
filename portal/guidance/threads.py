"""What guidance adds to a forum thread page: what guidance its answer became, and "turn it into guidance".

The forum sits below guidance and imports none of it; ``connect()``, called
once from ``PortalConfig.ready``, fills in ``forum.extensions.guidance``.
"""
from __future__ import annotations

from forum import extensions
from portal.guidance.models import GuidancePage
from portal.guidance.services import GuidanceError, draft_guidance_from_answer


def pages_from_thread(thread_pk: int):
    return GuidancePage.objects.filter(source_thread_id=thread_pk)


def connect() -> None:
    extensions.register_guidance(extensions.GuidanceHook(pages_from=pages_from_thread, draft=draft_guidance_from_answer,
                                                         refused=GuidanceError))
