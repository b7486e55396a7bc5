"""Fixtures for guidance, the links library and the newsletter."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone



@pytest.fixture
def make_guidance(guidance_index):
    """``make_guidance(title=..., audience=..., topics=[...], live=True, author=user)``: published directly unless live=False."""
    from portal.guidance.models import GuidancePage

    counter = {"n": 0}

    def factory(*, title=None, audience="public", topics=(), live=True, author=None, summary="A summary.", **fields):
        counter["n"] += 1
        title = title or f"Guidance {counter['n']}"
        page = GuidancePage(title=title, summary=summary, audience=audience, owner=author, live=False, **fields)
        guidance_index.add_child(instance=page)
        if topics:
            page.topics.set(list(topics))
        revision = page.save_revision(user=author)
        if live:  # published by the system: a person needs a second SHA editor's approval (portal.guidance)
            revision.publish(skip_permission_checks=True)
        page.refresh_from_db()
        return page

    return factory


@pytest.fixture
def newsletter_archive(home_page):
    from portal.guidance.models import NewsletterArchivePage

    archive = NewsletterArchivePage(title="Newsletter", slug="newsletter")
    home_page.add_child(instance=archive)
    archive.save_revision().publish()
    return archive


@pytest.fixture
def subscribers(make_member, region):
    """Five approved members who subscribe to the newsletter."""
    from portal.guidance.models import NewsletterSubscription

    people = [make_member(first_name=f"Reader{i}", organisations=[region["practice"]]) for i in range(5)]
    for person in people:
        NewsletterSubscription.objects.create(user=person.user, is_subscribed=True)
    return people


@pytest.fixture
def issue(newsletter_archive, network_admin):
    from portal.guidance.services import create_newsletter_issue

    return create_newsletter_issue(
        newsletter_archive,
        title="PbC Network news, May 2008",
        introduction="Welcome to the first issue.",
        items=[{"section": "Latest guidance", "title": "World Class Commissioning", "url": "/guidance/wcc/", "meta": "", "summary": ""}],
        author=network_admin.user,
    )


@pytest.fixture
def today():
    return timezone.localdate()


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)
