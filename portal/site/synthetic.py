"""Synthetic data at benchmark scale, built from the seed documents' vocabulary.

The benchmark (``python -m bench``) needs the directory at 10,000 members, the
re-design matrix at 5,000 entries, a forum thread with 1,000 replies, 1,000
more threads on boards of their own (replies falling off with popularity, the
busiest with about 1,000) and a search index of 100,000 documents.  ``manage.py bench_data`` builds them on
top of the demonstration region with ``bulk_create`` (seconds, not minutes),
never in the repository.

Everything synthetic is recognisable, so it can be replaced or removed
without touching real content: users named ``synthetic-…``, matrix entries
and the forum thread created by the ``synthetic-viewer`` account, and search
documents keyed ``document:synthetic-…``, the many threads on boards whose slugs
start ``synthetic-board-``.  Building is idempotent: a kind
already at the requested size is left alone (a second run on a full database
takes seconds); a kind at another size is removed and rebuilt, and the
members, matrix entries or thread rebuilt are then written to the search index
in one pass per kind, as the portal's services would have done one by one.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from directory.models import Member, Organisation, ServiceArea
from directory.views import LIST_FRAGMENTS
from forum.models import Board, Reply, Subsection, Thread, ThreadEvent
from forum.signals import ALL_REPLIES
from forum.text import render_markdown
from portal.core import fragments
from portal.core.roles import Role, grant_role
from portal.site.demo import PEOPLE, SERVICE_AREAS
from redesign.models import MatrixEntry, Stage
from redesign.views import MATRIX_FRAGMENTS
from search.backends import get_backend
from search.models import IndexedDocument
from search.registry import MEMBERS, PUBLIC, SearchDocument, registered
from search.services import iter_all_documents, writing_backends

SYNTHETIC = "synthetic-"
VIEWER_USERNAME = "synthetic-viewer"
VIEWER_EMAIL = "synthetic.viewer@pbc-network.invalid"
THREAD_TITLE = "How are other clusters running community dermatology triage? (synthetic)"
BOARD_SLUG = "synthetic-load"
THREAD_BOARDS = "synthetic-board-"  # the many threads' boards: synthetic-board-1 …
BATCH = 2000

# The seed papers as the search app ships them (the network's own papers), so a fresh clone has them.
SEED_FOLDER = Path(__file__).resolve().parent.parent / "search" / "demo"


@cache
def vocabulary() -> tuple[str, ...]:
    """Words of three letters or more from the seed papers, in reading order (so slices read like prose)."""
    text = " ".join(path.read_text(errors="replace") for path in sorted(SEED_FOLDER.glob("*.txt")))
    return tuple(re.findall(r"[A-Za-z][a-z]{2,}", text))


def prose(rng: random.Random, low: int, high: int) -> str:
    words = vocabulary()
    length = rng.randint(low, high)
    start = rng.randrange(max(1, len(words) - length))
    return " ".join(words[start:start + length]).capitalize() + "."


@dataclass
class SyntheticCounts:
    members: int = 0
    entries: int = 0
    replies: int = 0
    documents: int = 0
    threads: int = 0


def synthetic_viewer() -> Member:
    """The approved member the benchmark signs in as (directory, matrix, thread)."""
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=VIEWER_USERNAME, defaults={"email": VIEWER_EMAIL, "first_name": "Synthetic", "last_name": "Viewer"}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    member, _ = Member.objects.get_or_create(user=user, defaults={"status": Member.Status.APPROVED, "job_role": "gp"})
    grant_role(user, Role.MEMBER)
    return member


def current_counts() -> SyntheticCounts:
    viewer = get_user_model().objects.filter(username=VIEWER_USERNAME).first()
    return SyntheticCounts(
        members=Member.objects.filter(user__username__startswith=SYNTHETIC).exclude(user__username=VIEWER_USERNAME).count(),
        entries=MatrixEntry.objects.filter(created_by=viewer).count() if viewer else 0,
        replies=Reply.objects.filter(thread__title=THREAD_TITLE, thread__board__slug=BOARD_SLUG).count(),
        documents=_synthetic_document_count(),
        threads=Thread.objects.filter(board__slug__startswith=THREAD_BOARDS).count(),
    )


def build_synthetic(wanted: SyntheticCounts, *, seed: int = 2008) -> SyntheticCounts:
    """Bring each kind of synthetic data to the wanted size (0 removes it); return the counts now held."""
    have = current_counts()
    viewer = synthetic_viewer()
    stale_kinds = []
    if have.members != wanted.members:
        _remove_members()
        _add_members(wanted.members, random.Random(seed))
        stale_kinds.append("member")
    if have.entries != wanted.entries:
        _remove_entries(viewer)
        _add_entries(wanted.entries, viewer, random.Random(seed + 1))
        stale_kinds.append("matrix_entry")
    if have.replies != wanted.replies:
        _remove_thread()
        _add_thread(wanted.replies, viewer, random.Random(seed + 2))
        stale_kinds.append("thread")
    if have.threads != wanted.threads or "member" in stale_kinds:
        _remove_threads()
        _add_threads(wanted.threads, random.Random(seed + 4))
        stale_kinds.append("thread")
    if stale_kinds:
        index_kinds(stale_kinds)
    if have.documents != wanted.documents:
        _remove_documents(max(have.documents, wanted.documents))
        _add_documents(wanted.documents, random.Random(seed + 3))
    # bulk_create sends no signals: forget the cached fragments built from these rows.

    fragments.forget(MATRIX_FRAGMENTS)
    fragments.forget(ALL_REPLIES)
    fragments.forget(LIST_FRAGMENTS)
    return current_counts()


def index_kinds(kinds: list[str]) -> None:
    """Write every object of these search kinds to the index, dropping entries of removed objects.

    bulk_create sends no signals and calls no service, so rows added here are not
    indexed as they are made; this indexes each kind once, afterwards.
    """
    kinds = [kind for kind in kinds if kind in registered()]
    for backend in writing_backends():
        if backend.name == "database":
            keep = set()
            for kind in kinds:
                documents = list(iter_all_documents([kind]))
                backend.index_documents(documents)
                keep.update(document.key for document in documents)
            stale = IndexedDocument.objects.filter(kind__in=kinds).exclude(key__startswith=f"document:{SYNTHETIC}")
            backend.delete_documents(key for key in stale.values_list("key", flat=True) if key not in keep)
        else:
            backend.index_documents(iter_all_documents(kinds))


def search_index_is_built() -> bool:
    """Whether the embedded search index already holds the portal's own (not synthetic) content.

    ``manage.py bench_data`` then tells the demo not to rebuild it: a rebuild drops
    the 100,000 synthetic documents, which would then all be indexed again.
    An external engine is never assumed built.
    """
    if get_backend().name != "database":
        return False
    return IndexedDocument.objects.exclude(key__startswith=f"document:{SYNTHETIC}").exists()


def synthetic_thread():
    return Thread.objects.filter(title=THREAD_TITLE, board__slug=BOARD_SLUG).first()


# --- members ------------------------------------------------------------------------------------
@transaction.atomic
def _remove_members() -> None:
    # What synthetic members wrote while a benchmark ran (replies, threads) goes with them.
    synthetic = {"author__user__username__startswith": SYNTHETIC}
    threads = Thread.objects.filter(**synthetic).exclude(author__user__username=VIEWER_USERNAME)
    Thread.objects.filter(accepted_reply__in=Reply.objects.filter(**synthetic)).update(accepted_reply=None)
    Reply.objects.filter(thread__in=threads).delete()
    Reply.objects.filter(**synthetic).exclude(author__user__username=VIEWER_USERNAME).delete()
    threads.delete()
    get_user_model().objects.filter(username__startswith=SYNTHETIC).exclude(username=VIEWER_USERNAME).delete()


@transaction.atomic
def _add_members(count: int, rng: random.Random) -> None:
    if not count:
        return
    User = get_user_model()
    firsts = sorted({person.first for person in PEOPLE})
    lasts = sorted({person.last for person in PEOPLE})
    organisations = list(Organisation.objects.filter(kind__in=["practice", "cluster", "consortium", "pct"]).values_list("pk", flat=True))
    areas = list(ServiceArea.objects.values_list("pk", flat=True))
    roles = [value for value, _ in Member.JobRole.choices]
    User.objects.bulk_create(
        [
            User(username=f"{SYNTHETIC}{n}", email=f"{first.lower()}.{last.lower()}.{n}@pbc-network.invalid",
                 first_name=first, last_name=last, password="!")
            for n, (first, last) in enumerate((rng.choice(firsts), rng.choice(lasts)) for _ in range(count))
        ],
        batch_size=BATCH,
    )
    user_ids = User.objects.filter(username__startswith=SYNTHETIC).exclude(username=VIEWER_USERNAME).values_list("pk", flat=True)
    now = timezone.now()
    Member.objects.bulk_create(
        [Member(user_id=pk, status=Member.Status.APPROVED, job_role=rng.choice(roles), phone="01632 960000",
                job_title=prose(rng, 2, 4)[:120], joined_at=now, decided_at=now) for pk in user_ids],
        batch_size=BATCH,
    )
    member_ids = list(Member.objects.filter(user_id__in=user_ids).values_list("pk", flat=True))
    for relation, choices in ((Member.organisations, organisations), (Member.specialties, areas), (Member.interests, areas)):
        through = relation.through
        target = f"{relation.field.m2m_reverse_field_name()}_id"
        if choices:
            through.objects.bulk_create(
                [through(member_id=pk, **{target: rng.choice(choices)}) for pk in member_ids], batch_size=BATCH * 2
            )


# --- re-design matrix -----------------------------------------------------------------------------
@transaction.atomic
def _remove_entries(viewer: Member) -> None:
    MatrixEntry.objects.filter(created_by=viewer.user).delete()


@transaction.atomic
def _add_entries(count: int, viewer: Member, rng: random.Random) -> None:
    if not count:
        return
    commissioning = list(Organisation.objects.filter(kind__in=["cluster", "consortium", "pct"]))
    areas = list(ServiceArea.objects.all())
    leads = list(Member.objects.filter(status=Member.Status.APPROVED).exclude(user__username__startswith=SYNTHETIC)[:40]) or [viewer]
    stages = list(Stage.values)
    now = timezone.now()
    entries = []
    for n in range(count):
        area = rng.choice(areas)
        stage = rng.choice(stages)
        entries.append(MatrixEntry(
            organisation=rng.choice(commissioning), service_area=area, stage=stage, created_by=viewer.user,
            title=f"{area.name} pathway: {prose(rng, 3, 6)}"[:200], summary=prose(rng, 25, 60),
            stop_reason="Superseded by the consortium's own service." if stage == Stage.STOPPED else "",
            created_at=now - timedelta(days=rng.randint(0, 900)), updated_at=now - timedelta(days=rng.randint(0, 300)),
        ))
    created = MatrixEntry.objects.bulk_create(entries, batch_size=BATCH)
    if created and created[0].pk is None:
        created = list(MatrixEntry.objects.filter(created_by=viewer.user))
    through = MatrixEntry.leads.through
    through.objects.bulk_create([through(matrixentry_id=e.pk, member_id=rng.choice(leads).pk) for e in created], batch_size=BATCH * 2)


# --- forum thread -----------------------------------------------------------------------------------
@transaction.atomic
def _remove_thread() -> None:
    threads = Thread.objects.filter(board__slug=BOARD_SLUG)
    ThreadEvent.objects.filter(thread__in=threads).delete()
    for thread in threads:
        thread.accepted_reply = None
        thread.save(update_fields=["accepted_reply"])
        thread.replies.all().delete()
    threads.delete()


@transaction.atomic
def _add_thread(replies: int, viewer: Member, rng: random.Random) -> None:
    if not replies:
        return
    subsection, _ = Subsection.objects.get_or_create(slug=BOARD_SLUG, defaults={"name": "Synthetic load", "position": 99})
    board, _ = Board.objects.get_or_create(
        slug=BOARD_SLUG, defaults={"subsection": subsection, "name": "Synthetic load", "audience": Board.Audience.MEMBERS, "position": 99}
    )
    authors = list(Member.objects.filter(status=Member.Status.APPROVED).exclude(user__username__startswith=SYNTHETIC)[:40]) or [viewer]
    body = "We are setting up a GPwSI-led triage for dermatology referrals. " + prose(rng, 30, 60)
    now = timezone.now()
    thread = Thread.objects.create(
        board=board, title=THREAD_TITLE, body=body, body_html=render_markdown(body), author=viewer,
        created_at=now - timedelta(days=60), last_activity_at=now, reply_count=replies,
    )
    objects = []
    for n in range(replies):
        text = prose(rng, 20, 80)
        objects.append(Reply(thread=thread, author=rng.choice(authors), body=text, body_html=render_markdown(text),
                             created_at=thread.created_at + timedelta(minutes=n)))
    Reply.objects.bulk_create(objects, batch_size=BATCH)


# --- many threads ------------------------------------------------------------------------------------
@transaction.atomic
def _remove_threads() -> None:
    threads = Thread.objects.filter(board__slug__startswith=THREAD_BOARDS)
    ThreadEvent.objects.filter(thread__in=threads).delete()
    threads.update(accepted_reply=None)
    Reply.objects.filter(thread__in=threads).delete()
    threads.delete()


@transaction.atomic
def _add_threads(count: int, rng: random.Random) -> None:
    """``count`` threads on eight boards; the n-th most active has about 1,000 / n replies (at least a few)."""
    if not count:
        return
    subsection, _ = Subsection.objects.get_or_create(slug="synthetic-boards", defaults={"name": "Synthetic discussions", "position": 98})
    areas = [name for name, _ in SERVICE_AREAS]
    boards = [
        Board.objects.get_or_create(slug=f"{THREAD_BOARDS}{n}", defaults={
            "subsection": subsection, "name": f"{areas[n % len(areas)]} (synthetic)", "audience": Board.Audience.MEMBERS, "position": n})[0]
        for n in range(1, 9)
    ]
    approved = Member.objects.filter(status=Member.Status.APPROVED)
    authors = list(approved.exclude(user__username__startswith=SYNTHETIC)[:40]) or list(approved[:40])
    if not authors:
        return
    now = timezone.now()
    threads = []
    for n in range(count):
        body = prose(rng, 30, 90)
        started = now - timedelta(days=rng.randint(1, 700), minutes=rng.randint(0, 1440))
        threads.append(Thread(
            board=rng.choice(boards), title=f"{prose(rng, 5, 10)[:-1]}?"[:200], body=body, body_html=render_markdown(body),
            author=rng.choice(authors), created_at=started, last_activity_at=started,
            reply_count=min(1000, 1000 // (n + 1)) + rng.randint(2, 6),
        ))
    created = Thread.objects.bulk_create(threads, batch_size=BATCH)
    replies = []
    for thread in created:
        for k in range(thread.reply_count):
            text = prose(rng, 15, 70)
            replies.append(Reply(thread=thread, author=rng.choice(authors), body=text, body_html=render_markdown(text),
                                 created_at=thread.created_at + timedelta(minutes=7 * (k + 1))))
        thread.last_activity_at = thread.created_at + timedelta(minutes=7 * thread.reply_count)
        if len(replies) >= BATCH * 5:
            Reply.objects.bulk_create(replies, batch_size=BATCH)
            replies = []
    Reply.objects.bulk_create(replies, batch_size=BATCH)
    Thread.objects.bulk_update(created, ["last_activity_at"], batch_size=BATCH)


# --- search documents --------------------------------------------------------------------------------
def _synthetic_document_count() -> int:
    if get_backend().name != "database":
        return -1  # unknown for an external engine: always (re)index
    return IndexedDocument.objects.filter(key__startswith=f"document:{SYNTHETIC}").count()


def _remove_documents(upper: int) -> None:
    if upper > 0:
        get_backend().delete_documents(f"document:{SYNTHETIC}{n}" for n in range(upper))


def synthetic_documents(count: int, rng: random.Random):
    """``count`` search documents of about 100 words each, as the search benchmark also generates."""
    from datetime import datetime
    from datetime import timezone as tz

    areas = [name for name, _ in SERVICE_AREAS]
    organisations = list(Organisation.objects.values_list("name", flat=True)) or ["NHS East of England"]
    for n in range(count):
        yield SearchDocument(
            kind="document", pk=f"{SYNTHETIC}{n}", title=prose(rng, 4, 8)[:200], body=prose(rng, 60, 160),
            url=f"/search/?q=synthetic-{n}", audience=PUBLIC if rng.random() < 0.6 else MEMBERS,
            service_areas=tuple(rng.sample(areas, rng.randint(0, 2))), organisation=rng.choice(organisations),
            date=datetime(rng.randint(2004, 2026), rng.randint(1, 12), 1, tzinfo=tz.utc),
        )


def _add_documents(count: int, rng: random.Random) -> None:
    if count > 0:
        get_backend().index_documents(synthetic_documents(count, rng))
