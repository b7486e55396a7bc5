"""Who may fetch a Wagtail document the re-design library holds: the rule serving and search both follow."""
from __future__ import annotations

from portal.core.documents import in_public_collection
from redesign.models import EntryDocument, TemplateVersion
from redesign.permissions import Audience


def document_is_members_only(document) -> bool:
    """Whether a Wagtail document is for members only.

    A matrix entry's attachment always is; a template's file has its template's
    audience (members-only if any template using it is); any other document is
    members-only unless it is in the public collection (``portal.core.documents``).
    """
    if EntryDocument.objects.filter(document=document).exists():
        return True
    audiences = set(TemplateVersion.objects.filter(document=document).values_list("template__audience", flat=True))
    if audiences:
        return Audience.MEMBERS in audiences
    return not in_public_collection(document)
