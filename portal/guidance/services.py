"""Business operations for guidance, the links library and the newsletter.

Views, management commands, background tasks and the demo all call these;
each is one transaction and raises a ``GuidanceError`` subclass carrying a
plain-English ``user_message``.  E-mail goes after commit.
"""
from __future__ import annotations

import base64
import binascii  # noqa: F401 - binascii.Error is a ValueError
import datetime as dt
import hashlib
import urllib.error
import urllib.request
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from directory.models import Member
from forum.home import busiest_items
from forum.models import Thread
from forum.queries import may_read_thread
from portal.core import audit
from portal.core.addresses import absolute_url, page_url
from portal.core.delivery import email_after_commit, send_once
from portal.core.home_items import HomeSection, home_sections
from portal.core.outbox import enqueue_on_commit
from portal.core.permissions import ViewerFacts, has_role
from portal.core.roles import Role
from portal.guidance.models import (
    GuidanceIndexPage,
    GuidancePage,
    Link,
    NewsletterArchivePage,
    NewsletterDelivery,
    NewsletterIssuePage,
    NewsletterSubscription,
    TwoEditorApprovalTask,
)
from portal.guidance.tasks import send_newsletter_batch
from search.services import index_object

WORKFLOW_NAME = "Guidance: approval by a second SHA editor"
TASK_NAME = "Second SHA editor approves"
UNSUBSCRIBE_SALT = "portal.newsletter.unsubscribe"


class GuidanceError(Exception):
    """Base of every refusal from this module; ``user_message`` is safe to show."""

    user_message = "That could not be done."

    def __init__(self, user_message: str | None = None):
        if user_message:
            self.user_message = user_message
        super().__init__(self.user_message)


class ReviewRefused(GuidanceError):
    user_message = "You cannot review this guidance."


class NotInReview(GuidanceError):
    user_message = "This guidance is not waiting for review."


class SupersedeRefused(GuidanceError):
    user_message = "That guidance cannot replace this one."


class NewsletterError(GuidanceError):
    user_message = "The newsletter could not be sent."


class DraftRefused(GuidanceError):
    user_message = "That answer cannot be turned into guidance."


class BadUnsubscribeToken(GuidanceError):
    user_message = "This unsubscribe link is not valid. Sign in and change your newsletter setting instead."



def _group_emails(role: Role) -> list[str]:
    User = get_user_model()
    return list(
        User.objects.filter(groups__name=str(role), is_active=True)
        .exclude(email="")
        .order_by("email")
        .values_list("email", flat=True)
        .distinct()
    )


# --- review and approval ---------------------------------------------------------------


@transaction.atomic
def ensure_guidance_workflow(index: GuidanceIndexPage):
    """Create (or repair) the two-editor approval workflow and assign it to the guidance section."""
    from django.contrib.auth.models import Group
    from wagtail.models import Workflow, WorkflowPage, WorkflowTask

    task = TwoEditorApprovalTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        task = TwoEditorApprovalTask.objects.create(name=TASK_NAME)
    task.groups.set(Group.objects.filter(name__in=[str(Role.SHA_EDITOR)]))
    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW_NAME, defaults={"active": True})
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    WorkflowPage.objects.update_or_create(page=index, defaults={"workflow": workflow})
    return workflow


# The markup an accepted answer may keep when it is quoted in guidance (rich text's own features).
QUOTE_TAGS = {"p", "br", "b", "strong", "i", "em", "ul", "ol", "li", "a"}


def _quoted_answer(html: str) -> str:
    import nh3

    return nh3.clean(html, tags=QUOTE_TAGS, attributes={"a": {"href"}}, url_schemes={"http", "https", "mailto"}, link_rel=None)


@transaction.atomic
def draft_guidance_from_answer(thread, user) -> GuidancePage:
    """Turn a forum question's accepted answer into a DRAFT guidance page that links back to the thread.

    Only SHA editors may; the draft goes through the usual review by a second
    SHA editor before anyone else sees it (nothing is published here).  The
    answer is quoted, sanitised again on the way in; the page records
    ``source_thread`` so the thread can say it became guidance.
    """
    from django.utils.html import escape

    if not has_role(user, Role.SHA_EDITOR):
        raise DraftRefused("Only SHA editors can turn an answer into guidance.")
    thread = Thread.objects.select_for_update(of=("self",)).select_related("accepted_reply__author__user", "board").get(pk=thread.pk)
    answer = thread.accepted_reply
    if answer is None or answer.is_hidden or not may_read_thread(user, thread):
        raise DraftRefused("This question has no accepted answer to turn into guidance.")
    existing = GuidancePage.objects.filter(source_thread=thread).first()
    if existing is not None:
        raise DraftRefused(f"This answer has already been turned into guidance: {existing.title}.")
    index = GuidanceIndexPage.objects.first()
    if index is None:
        raise DraftRefused("There is no guidance section to add the draft to; ask a network administrator to create one.")
    thread_url = absolute_url(thread.get_absolute_url())
    body = [
        ("paragraph", f"<p>This guidance grew from a question on the forum: "
                      f'<a href="{escape(thread_url)}">{escape(thread.title)}</a>.</p>'),
        ("inset_text", {"body": f"<p><b>Answer from {escape(answer.author.display_name)}:</b></p>{_quoted_answer(answer.body_html)}"}),
    ]
    from django.utils.text import slugify

    page = GuidancePage(
        title=thread.title[:255], slug=f"{slugify(thread.title)[:60].strip('-') or 'answer'}-forum-{thread.pk}", summary=f"Answer to a question from the {thread.board.name} board, to be edited before review.",
        body=body, owner=user, content_owner=user, live=False, source_thread=thread,
    )
    page.topics.set(list(thread.service_areas.all()))  # a parental relation: stored when the page is added
    index.add_child(instance=page)
    page.save_revision(user=user)
    audit.record(user, "portal.guidance.drafted_from_answer", page, thread=thread.pk, reply=answer.pk)
    return page


@transaction.atomic
def submit_guidance(page: GuidancePage, user):
    """Send the latest draft of ``page`` for review by a second SHA editor; returns the workflow state."""
    page = page.specific
    if page.workflow_in_progress:
        raise ReviewRefused("This guidance is already waiting for review.")
    workflow = page.get_workflow()
    if workflow is None:
        raise ReviewRefused("Guidance here has no approval workflow; ask a network administrator to set it up.")
    if page.get_latest_revision() is None:
        page.save_revision(user=user)
    return workflow.start(page, user)


@transaction.atomic
def review_guidance(page: GuidancePage, user, action: str = "approve", comment: str = "") -> None:
    """Approve (or ask for changes to) guidance under review.

    Approval by the last step publishes it, or schedules it when the page has
    a future "go live" date.  Its author and submitter are refused.
    """
    page = page.specific
    task_state = page.current_workflow_task_state
    if task_state is None:
        raise NotInReview()
    task = task_state.task.specific
    if isinstance(task, TwoEditorApprovalTask) and task._is_own_work(task_state, user):
        raise ReviewRefused("You cannot approve your own draft. Another SHA editor must review it.")
    if action not in {name for name, _label, _modal in task.get_actions(page, user)}:
        raise ReviewRefused("Only SHA editors can review guidance.")
    task.on_action(task_state, user, action, comment=comment)


@transaction.atomic
def supersede_guidance(old: GuidancePage, new: GuidancePage, user=None) -> GuidancePage:
    """Mark ``old`` as replaced by ``new``: it keeps its address, gains a banner and leaves listings.

    This publishes a new revision of ``old`` straight away, which only the
    system may do (``user=None``: the demo, data fixes).  A person, network
    administrators included, sets "superseded by" in the editor and submits the
    change for a second SHA editor's approval like any other change to guidance.
    """
    old = GuidancePage.objects.select_for_update().get(pk=old.pk)
    if user is not None:
        raise SupersedeRefused("You cannot publish this change yourself; set “superseded by” in the editor and submit it for approval.")
    if old.pk == new.pk:
        raise SupersedeRefused("Guidance cannot replace itself.")
    if not new.live:
        raise SupersedeRefused("Publish the new guidance before using it to replace older guidance.")
    if getattr(new.specific, "superseded_by_id", None):
        raise SupersedeRefused("The new guidance has itself been replaced; choose the current version.")
    old.superseded_by = new
    revision = old.save_revision(user=user, log_action=True)
    revision.publish(user=user)
    index_object(old)
    return old


# --- review-by reminders ---------------------------------------------------------------


@dataclass
class ReminderSummary:
    emails: int
    pages: int


REVIEW_REMINDER_DAYS = 14


def send_review_reminders(today: dt.date | None = None) -> ReminderSummary:
    """E-mail each owner the live guidance due for review within two weeks (or overdue).

    Each review-by date is reminded about once: the date is recorded on the
    page, so running the command daily sends nothing new until an owner sets
    a new review date.
    """
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=getattr(settings, "GUIDANCE_REVIEW_REMINDER_DAYS", REVIEW_REMINDER_DAYS))
    with transaction.atomic():
        # Lock the due pages so two reminder runs at once cannot both send.
        pages = list(GuidancePage.objects.live().due_for_review(horizon).select_for_update().order_by("pk"))
        owner_ids = {p.content_owner_id or p.owner_id for p in pages} - {None}
        owners = get_user_model().objects.in_bulk(owner_ids)
        by_owner: dict[str, list[GuidancePage]] = defaultdict(list)
        reminded = []
        for page in pages:
            if page.review_reminder_sent_for == page.review_by:
                continue
            owner = owners.get(page.content_owner_id or page.owner_id)
            if owner is None or not owner.email:
                continue
            by_owner[owner.email].append(page)
            page.review_reminder_sent_for = page.review_by
            reminded.append(page)
        GuidancePage.objects.bulk_update(reminded, ["review_reminder_sent_for"], batch_size=200)

        messages = []
        for email, owned in by_owner.items():
            owned.sort(key=lambda p: p.review_by)
            context = {
                "owner": owners.get(owned[0].content_owner_id or owned[0].owner_id),
                "pages": [{"page": p, "url": page_url(p), "overdue": p.review_by < today} for p in owned],
                "today": today,
                "admin_base": absolute_url("/admin/pages/"),
            }
            subject = (
                f"Guidance to review: {owned[0].title}" if len(owned) == 1 else f"{len(owned)} pieces of guidance to review"
            )
            body = render_to_string("portal/email/review_reminder.txt", context)
            messages.append((subject, body, email, f"guidance.review:{timezone.now().isoformat()}:{email}"))
        email_after_commit(messages)
    return ReminderSummary(emails=len(messages), pages=len(reminded))


# --- links library ------------------------------------------------------------------------


def _probe(url: str, timeout: float) -> tuple[int | None, str]:
    """Status code and error text for ``url``: HEAD first, GET when HEAD is not allowed."""
    headers = {"User-Agent": "PbC-Network-Portal link checker"}
    for method in ("HEAD", "GET"):
        request = urllib.request.Request(url, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - http(s) only, checked below
                return response.status, ""
        except urllib.error.HTTPError as error:
            if method == "HEAD" and error.code in (403, 405, 501):
                continue
            return error.code, error.reason if isinstance(error.reason, str) else str(error.reason)
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as error:
            reason = getattr(error, "reason", error)
            return None, str(reason)[:250]
    return None, "No answer"


def check_links(timeout: float = 10.0) -> list[Link]:
    """Visit every link in the library, record what came back, and tell administrators about newly broken ones.

    A link is broken when it answers 400 or above, or not at all.  Network
    administrators get one e-mail per run listing links that broke since the
    last check (and any an earlier check recorded but died before reporting);
    a link that stays broken is not reported again.
    """
    for link in Link.objects.order_by("pk"):
        if not link.url.lower().startswith(("http://", "https://")):
            status, error = None, "Only web (http and https) addresses can be checked"
        else:
            status, error = _probe(link.url, timeout)
        broken = status is None or status >= 400
        with transaction.atomic():
            locked = Link.objects.select_for_update().get(pk=link.pk)
            locked.last_checked_at = timezone.now()
            locked.last_status = status
            locked.last_error = error[:255]
            locked.is_broken = broken
            if not broken:
                locked.broken_reported_at = None  # mended: a later break is news again
            locked.save(update_fields=["last_checked_at", "last_status", "last_error", "is_broken", "broken_reported_at"])
    return report_broken_links()


@transaction.atomic
def report_broken_links() -> list[Link]:
    """E-mail network administrators the broken links not yet reported, and mark them reported; returns them.

    The alert's e-mail task is recorded (``portal.core.outbox``) in the same
    transaction that marks the links reported: both happen or neither does, so
    a check that fails before this commits leaves the links for the next one.
    With no active administrator the links count as reported (there is nobody
    to tell), as they always have.
    """
    unreported = list(Link.objects.select_for_update().filter(is_broken=True, broken_reported_at=None).order_by("pk"))
    if not unreported:
        return []
    now = timezone.now()
    recipients = (
        get_user_model().objects.filter(groups__name=str(Role.NETWORK_ADMIN), is_active=True)
        .exclude(email="").order_by("email").values_list("pk", "email").distinct()
    )
    if recipients:
        body = render_to_string(
            "portal/email/broken_links.txt",
            {"links": unreported, "admin_url": absolute_url("/admin/snippets/portal/link/")},
        )
        subject = f"{len(unreported)} broken link{'s' if len(unreported) != 1 else ''} in the links library"
        # One alert per link set and report: the key names each link and when it was reported, so a
        # retried send goes once, and a link that mends and breaks again is reported again.
        found = ",".join(f"{link.pk}@{now.timestamp()}" for link in unreported)
        run = hashlib.sha256(found.encode()).hexdigest()[:32]
        email_after_commit((subject, body, email, f"guidance.links.broken:{run}:u{pk}") for pk, email in recipients)
    Link.objects.filter(pk__in=[link.pk for link in unreported]).update(broken_reported_at=now)
    return unreported


# --- newsletter ---------------------------------------------------------------------------------


def unsubscribe_token(user) -> str:
    """A signed token that unsubscribes ``user`` without signing in (it cannot be forged or altered).

    Django's signed value is base64-encoded again so the token is only
    letters, digits, "-" and "_": Wagtail's page URLs accept nothing else.
    """
    signed = signing.dumps({"u": user.pk}, salt=UNSUBSCRIBE_SALT)
    return base64.urlsafe_b64encode(signed.encode()).decode().rstrip("=")


def _user_from_token(token: str):
    try:
        signed = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        data = signing.loads(signed, salt=UNSUBSCRIBE_SALT)
        return get_user_model().objects.get(pk=data["u"])
    except (ValueError, signing.BadSignature, KeyError, TypeError, get_user_model().DoesNotExist):
        raise BadUnsubscribeToken() from None


def check_unsubscribe_token(token: str) -> None:
    """Raise ``BadUnsubscribeToken`` unless ``token`` is one this portal made (it changes nothing)."""
    _user_from_token(token)


@transaction.atomic
def unsubscribe_with_token(token: str):
    """Turn the newsletter off for whoever ``token`` was made for; returns that user."""
    user = _user_from_token(token)
    NewsletterSubscription.objects.update_or_create(user=user, defaults={"is_subscribed": False})
    return user


@transaction.atomic
def set_newsletter_subscription(user, subscribed: bool) -> NewsletterSubscription:
    """Subscribe or unsubscribe ``user`` (a member changing their own setting)."""
    subscription, _ = NewsletterSubscription.objects.update_or_create(user=user, defaults={"is_subscribed": subscribed})
    return subscription


def is_subscribed(user) -> bool:
    return NewsletterSubscription.objects.filter(user=user, is_subscribed=True).exists()


def plain_member_reader():
    """A stand-in for any approved member who holds no role but the member's: what every subscriber may read.

    The newsletter goes to every subscribed member, so what it offers must be
    what the least privileged of them may open, never what its composer (a
    network administrator, often a moderator too) may.  The stand-in is not
    saved; it answers the visibility checks (``is_member``, ``has_perm``) as a
    plain member would.
    """
    permissions = frozenset(
        f"{app}.{codename}"
        for app, codename in Group.objects.filter(name=str(Role.MEMBER)).values_list(
            "permissions__content_type__app_label", "permissions__codename"
        )
        if codename
    )
    reader = get_user_model()(is_active=True, is_superuser=False)
    reader.member = Member(status=Member.Status.APPROVED)
    reader._viewer_facts = ViewerFacts(frozenset({str(Role.MEMBER)}), permissions, False)
    reader._perm_cache = set(permissions)
    return reader


def newsletter_candidates(limit: int = 8) -> list[dict]:
    """Recent content the composer can pick from: each app's home-page items as a plain member sees them."""
    reader = plain_member_reader()
    all_sections = list(home_sections(reader, limit=limit))
    all_sections.append(
        HomeSection("busiest_threads", "Busiest threads", "/forum/", "No thread had replies this month.", "All message boards",
                    busiest_items(reader, limit))
    )
    sections = []
    for section in all_sections:
        sections.append(
            {
                "key": section.key,
                "title": section.title,
                "items": [
                    {"section": section.title, "title": item.title, "url": item.url, "meta": item.meta, "summary": item.summary}
                    for item in section.items
                ],
            }
        )
    return sections


def newsletter_email_context(issue_title: str, introduction: str, items: list[dict], unsubscribe_url: str, issue_url: str = "") -> dict:
    sections: dict[str, list[dict]] = {}
    for item in items:
        url = item.get("url", "")
        sections.setdefault(item.get("section", "News"), []).append({**item, "absolute_url": absolute_url(url) if url.startswith("/") else url})
    return {
        "title": issue_title,
        "introduction": introduction,
        "sections": sections,
        "unsubscribe_url": unsubscribe_url,
        "issue_url": issue_url,
        "network_name": getattr(settings, "PORTAL_NETWORK_NAME", "PbC Network"),
    }


@transaction.atomic
def create_newsletter_issue(archive: NewsletterArchivePage, *, title: str, introduction: str, items: list[dict], author) -> NewsletterIssuePage:
    """Archive an issue as a page under the newsletter section (published, members only)."""
    if not title.strip():
        raise NewsletterError("Give the issue a title.")
    if not items and not introduction.strip():
        raise NewsletterError("Choose at least one item or write an introduction.")
    issue = NewsletterIssuePage(title=title.strip(), introduction=introduction.strip(), items=items, composed_by=author)
    archive.add_child(instance=issue)
    issue.save_revision(user=author).publish(user=author)
    return issue


def newsletter_recipients():
    """The subscriptions an issue sent now would go to: subscribed, active, approved members with an address."""
    return NewsletterSubscription.objects.filter(
        is_subscribed=True, user__is_active=True, user__member__status=Member.Status.APPROVED
    ).exclude(user__email="")


def send_test_newsletter(user, *, title: str, introduction: str, items: list[dict]) -> None:
    """E-mail one copy of an issue not yet sent to ``user`` alone, marked as a test, so they see it as members will."""
    if not user.email:
        raise NewsletterError("Your account has no e-mail address to send a test to.")
    context = newsletter_email_context(title, introduction, items, unsubscribe_url=absolute_url("/newsletter/"))
    context["recipient"] = user
    context["is_test"] = True
    message = EmailMultiAlternatives(
        subject=f"Test: {title}", body=render_to_string("portal/email/newsletter.txt", context), to=[user.email]
    )
    message.attach_alternative(render_to_string("portal/email/newsletter.html", context), "text/html")
    # One copy to the composer, who is waiting for it: sent now, under a key of its own each time.
    send_once(f"newsletter.test:{user.pk}:{timezone.now().timestamp()}", message)


@transaction.atomic
def send_newsletter(issue: NewsletterIssuePage, batch_size: int | None = None) -> int:
    """Queue ``issue`` for every subscribed member, then send it in batches as background work.

    One delivery row per recipient (unique per issue), so calling this again
    only adds members who subscribed since; it never duplicates a row.
    Returns the number of recipients queued now.
    """
    issue = NewsletterIssuePage.objects.select_for_update().get(pk=issue.pk)
    already = set(NewsletterDelivery.objects.filter(issue=issue).values_list("user_id", flat=True))
    recipients = newsletter_recipients().exclude(user_id__in=already).select_related("user").order_by("user_id")
    rows = [NewsletterDelivery(issue=issue, user=s.user, email=s.user.email) for s in recipients]
    NewsletterDelivery.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    _enqueue_batch_after_commit(issue.pk, batch_size)
    return len(rows)


def resume_newsletter(issue: NewsletterIssuePage, batch_size: int | None = None) -> int:
    """Carry on sending an issue whose send stopped: only recipients still waiting get it. Returns how many wait.

    Rows left "sending" by a crash wait too: their copy goes unless its key
    says it went (``deliver_newsletter_batch``).
    """
    waiting = NewsletterDelivery.objects.filter(
        issue=issue, status__in=[NewsletterDelivery.Status.PENDING, NewsletterDelivery.Status.SENDING]
    ).count()
    if waiting:
        _enqueue_batch_after_commit(issue.pk, batch_size)
    return waiting


def _enqueue_batch_after_commit(issue_id: int, batch_size: int | None) -> None:
    size = batch_size or getattr(settings, "NEWSLETTER_BATCH_SIZE", 50)
    enqueue_on_commit(send_newsletter_batch, issue_id, size)


def _claim_next_delivery(issue_id: int, started_at) -> NewsletterDelivery | None:
    """Move one waiting delivery to "sending" in its own transaction; None when nothing waits.

    Pending rows come first.  Then rows left "sending" since before this batch
    started: a crashed send, or one still in flight elsewhere.  Taking those
    again is safe because the copy goes through ``send_once`` under the
    delivery's key: a copy that went is never sent again, and a send still in
    flight holds the key until it commits.  The conditional UPDATE is the
    claim: two workers racing for the same row cannot both succeed.
    """
    waiting = NewsletterDelivery.objects.filter(issue_id=issue_id)
    while True:
        with transaction.atomic():
            candidate = waiting.filter(status=NewsletterDelivery.Status.PENDING).order_by("pk").values_list("pk", flat=True).first()
            if candidate is not None:
                claim = waiting.filter(pk=candidate, status=NewsletterDelivery.Status.PENDING)
            else:
                abandoned = waiting.filter(status=NewsletterDelivery.Status.SENDING, claimed_at__lt=started_at)
                candidate = abandoned.order_by("pk").values_list("pk", flat=True).first()
                if candidate is None:
                    return None
                claim = abandoned.filter(pk=candidate)
            if claim.update(status=NewsletterDelivery.Status.SENDING, claimed_at=timezone.now()):
                return NewsletterDelivery.objects.select_related("user", "issue").get(pk=candidate)


def newsletter_key(delivery: NewsletterDelivery) -> str:
    """The ``SentEmail`` key of one copy of one issue: at most one copy per member per issue, ever."""
    return f"newsletter:{delivery.issue_id}:{delivery.user_id}"


def _newsletter_message(delivery: NewsletterDelivery) -> EmailMultiAlternatives:
    issue = delivery.issue
    archive = issue.get_parent().specific
    token = unsubscribe_token(delivery.user)
    unsubscribe_url = absolute_url(archive.url + archive.reverse_subpage("unsubscribe", args=[token]))
    context = newsletter_email_context(issue.title, issue.introduction, issue.items, unsubscribe_url, page_url(issue))
    context["recipient"] = delivery.user
    text = render_to_string("portal/email/newsletter.txt", context)
    html = render_to_string("portal/email/newsletter.html", context)
    headers = {"List-Unsubscribe": f"<{unsubscribe_url}>"}
    one_click = _one_click_url(token)
    if one_click:
        # RFC 8058: mail programs POST to the first address; people click the link in the body.
        headers = {"List-Unsubscribe": f"<{one_click}>, <{unsubscribe_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    message = EmailMultiAlternatives(subject=issue.title, body=text, to=[delivery.email], headers=headers)
    message.attach_alternative(html, "text/html")
    return message


def _one_click_url(token: str) -> str:
    """The RFC 8058 POST address, when portal/site/urls.py includes portal.guidance.urls."""
    from django.urls import NoReverseMatch, reverse

    try:
        return absolute_url(reverse("guidance:one_click_unsubscribe", args=[token]))
    except NoReverseMatch:
        return ""


def deliver_newsletter_batch(issue_id: int, batch_size: int) -> int:
    """Send up to ``batch_size`` waiting copies of one issue; returns how many went now.

    Each recipient is claimed, then the copy is sent with ``send_once`` and the
    row marked sent in one transaction, so the key and the "sent" mark commit
    together.  When the mail server refuses a message the row goes back to
    waiting and the batch stops (the error propagates, and the queue retries
    the task).  A worker that dies mid-send leaves its row "sending" with no
    key: the retried task (or a resume) claims it again and sends that copy,
    and only that copy, once.
    """
    started_at = timezone.now()
    sent = handled = 0
    while handled < batch_size:
        delivery = _claim_next_delivery(issue_id, started_at)
        if delivery is None:
            break
        handled += 1
        try:
            with transaction.atomic():
                went = send_once(newsletter_key(delivery), _newsletter_message(delivery))
                NewsletterDelivery.objects.filter(pk=delivery.pk).update(
                    status=NewsletterDelivery.Status.SENT, sent_at=timezone.now(), error=""
                )
        except Exception as error:
            NewsletterDelivery.objects.filter(pk=delivery.pk).update(
                status=NewsletterDelivery.Status.PENDING, claimed_at=None, error=str(error)[:255]
            )
            raise
        sent += went
    if not NewsletterDelivery.objects.filter(
        issue_id=issue_id, status__in=[NewsletterDelivery.Status.PENDING, NewsletterDelivery.Status.SENDING]
    ).exists():
        NewsletterIssuePage.objects.filter(pk=issue_id, sent_at__isnull=True).update(sent_at=timezone.now())
    return sent


def newsletter_progress(issue: NewsletterIssuePage) -> dict[str, int]:
    """How many copies of ``issue`` are waiting, being sent and sent, and how many in all."""
    return issue.delivery_counts()
