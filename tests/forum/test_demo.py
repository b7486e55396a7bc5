"""The demo command's forum content: the workshop's questions, one accepted answer, questions referred to the SHA."""
import pytest

from forum.models import Board, Reply, Thread


@pytest.fixture
def demo_region(db):
    from portal.site.demo import build_region

    return build_region()


def test_demo_builds_boards_and_threads_from_the_workshop(demo_region):
    from forum.demo import build

    build(demo_region)
    assert {b.subsection.name for b in Board.objects.all()} == {"Clinical", "Management", "Ask the SHA", "Hot topics"}
    assert Thread.objects.filter(title="When are we likely to see the draft Procurement Guide?").exists()
    assert Thread.objects.answered().count() == 1
    assert Thread.objects.filter(escalated_at__isnull=False).count() == 2
    assert Reply.objects.filter(is_from_sha=True).exists()


def test_demo_runs_twice_without_duplicates(demo_region):
    from forum.demo import build

    build(demo_region)
    counts = (Board.objects.count(), Thread.objects.count(), Reply.objects.count())
    build(demo_region)
    assert (Board.objects.count(), Thread.objects.count(), Reply.objects.count()) == counts
