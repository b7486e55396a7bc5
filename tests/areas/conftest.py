"""Fixtures for service-area watches and the expertise finder: the forum's boards, re-design helpers."""
from __future__ import annotations

import pytest

from tests.forum.conftest import boards  # noqa: F401  (the forum's boards, shared)
from tests.redesign.conftest import docx_bytes, make_entry, upload  # noqa: F401  (make_entry is a shared fixture)


@pytest.fixture
def follow(db):
    """``follow(member, area)``: the member follows the area, as if chosen on the page."""
    from directory.areas.services import follow_area

    def factory(member, area, digest="weekly"):
        return follow_area(member, area, digest=digest)

    return factory


@pytest.fixture
def case_study_index(db):
    from wagtail.models import Page

    from redesign.models import CaseStudyIndexPage

    home = Page.get_first_root_node().get_children().first()
    index = CaseStudyIndexPage(title="Case studies", slug="case-studies")
    home.add_child(instance=index)
    return index


@pytest.fixture
def publish_case_study(case_study_index):
    from redesign.models import CaseStudyPage

    def factory(title, *, service_area, owner=None, audience="members"):
        page = CaseStudyPage(title=title, slug=title.lower().replace(" ", "-"), summary=title, service_area=service_area,
                             audience=audience, owner=owner)
        case_study_index.add_child(instance=page)
        page.save_revision(user=owner).publish()
        return page

    return factory


def docx_upload(name="business-case.docx", text="Business case"):
    return upload(name, docx_bytes(text))

