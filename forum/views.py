"""Thin views: check who may, call one service, turn refusals into plain messages.

Every page works by reload; ``static/forum/thread.js`` adds live updates on
top when the browser runs it.
"""
from __future__ import annotations

import functools
from datetime import timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Max, Prefetch, Q, prefetch_related_objects
from django.http import FileResponse, Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_POST

from forum import extensions, queries, reports, services
from forum.forms import AnswerReportForm, EditForm, HideForm, MoveForm, ReplyForm, ReportForm, ThreadForm, WatchForm
from forum.models import Attachment, Board, ModerationAction, PostRevision, Reply, Report, Subscription, Subsection, Thread
from portal.core.csv_stream import csv_lines
from portal.core.notifications import Notification
from portal.core.permissions import has_role, member_required, permission_required
from portal.core.roles import Role
from search.queries import SIMILAR_KINDS, find_similar, viewer_audience
from search.templatetags.similar_work import similar_list


def _crumbs(*extra: tuple[str, str]) -> list[dict]:
    return [{"title": "Home", "url": "/"}, {"title": "Message boards", "url": reverse("forum:index")}] + [
        {"title": t, "url": u} for t, u in extra
    ]


def _board_or_404(request, slug: str) -> Board:
    board = get_object_or_404(Board.objects.select_related("subsection"), slug=slug)
    if not queries.may_read_board(request.user, board):
        raise Http404("No such board.")
    return board


def _thread_or_404(request, pk: int) -> Thread:
    thread = get_object_or_404(
        Thread.objects.select_related("board__subsection", "author__user"), pk=pk
    )
    if not queries.may_read_thread(request.user, thread):
        raise Http404("No such thread.")
    return thread


def _reply_or_404(request, pk: int) -> Reply:
    reply = get_object_or_404(Reply.objects.select_related("thread__board", "thread__author__user", "author__user"), pk=pk)
    if not queries.may_read_thread(request.user, reply.thread):
        raise Http404("No such reply.")
    return reply


def _refused(request, refusal: services.ForumError) -> None:
    messages.error(request, refusal.user_message)


@member_required
def index(request):
    boards = (
        Board.objects.readable_by(request.user)
        .annotate(
            thread_count=Count("threads", filter=Q(threads__is_hidden=False)),
            unanswered_count=Count("threads", filter=Q(threads__is_hidden=False, threads__accepted_reply__isnull=True)),
            last_activity=Max("threads__last_activity_at", filter=Q(threads__is_hidden=False)),
        )
        .order_by("position", "name")
    )
    subsections = Subsection.objects.prefetch_related(Prefetch("boards", queryset=boards)).order_by("position", "name")
    return render(request, "forum/index.html", {
        "subsections": subsections,
        "breadcrumbs": [{"title": "Home", "url": "/"}],
        "unread": Notification.objects.filter(member=request.user.member, read_at__isnull=True).count()
        if hasattr(request.user, "member") else 0,
    })


@member_required
def board(request, slug):
    board = _board_or_404(request, slug)
    threads = queries.thread_listing(board)
    show = request.GET.get("show")
    if show == "unanswered":
        threads = threads.filter(accepted_reply__isnull=True)
    elif show == "answered":
        threads = threads.filter(accepted_reply__isnull=False)
    page = Paginator(threads, queries.THREADS_PER_PAGE).get_page(request.GET.get("page"))
    member = getattr(request.user, "member", None)
    watching = member is not None and Subscription.objects.filter(member=member, board=board).first()
    return render(request, "forum/board.html", {
        "board": board,
        "page_obj": page,
        "show": show or "",
        "watching": watching,
        "watch_form": WatchForm(initial={"frequency": watching.frequency if watching else Subscription.Frequency.DAILY}),
        "last_event": queries.last_event_id(board=board),
        "breadcrumbs": _crumbs(),
    })


@member_required
def new_thread(request, slug):
    board = _board_or_404(request, slug)
    if request.method == "POST" and request.POST.get("check_similar"):
        # "Check for similar work first" (no JavaScript): nothing is posted; the draft comes back with what was found.
        return render(request, "forum/new_thread.html", {
            "board": board, "form": ThreadForm(initial=_draft(request.POST, multiple={"service_areas"})), "checked": True,
            "similar": find_similar(f"{request.POST.get('title', '')}\n{request.POST.get('body', '')}", request.user, kinds=SIMILAR_KINDS),
            "breadcrumbs": _crumbs((board.name, board.get_absolute_url())),
        })
    form = ThreadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            thread = services.post_thread(
                request.user.member, board, title=form.cleaned_data["title"], body=form.cleaned_data["body"],
                service_areas=form.cleaned_data["service_areas"], attachments=form.cleaned_data["attachments"],
            )
        except services.ForumError as refusal:
            _refused(request, refusal)
        else:
            messages.success(request, "Your question has been posted.")
            return redirect(thread.get_absolute_url())
    return render(request, "forum/new_thread.html", {
        "board": board, "form": form, "breadcrumbs": _crumbs((board.name, board.get_absolute_url())),
    })


#: How long a thread page's main column may be kept (every change it shows moves its generation on before then).
THREAD_MAIN_SECONDS = 600


@member_required
def thread(request, pk):
    thread = _thread_or_404(request, pk)  # who may read it is checked before anything is served
    paginator = Paginator(queries.CachedReplyRows(thread), queries.REPLIES_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    rows = list(page.object_list)
    member = request.user.member if hasattr(request.user, "member") else None
    viewer = queries.ThreadViewer(
        member=member,
        may_moderate=queries.may_moderate(request.user),
        watching=member is not None and Subscription.objects.filter(member=member, thread=thread).exists(),
        is_sha_editor=has_role(request.user, Role.SHA_EDITOR),
    )
    quote = request.GET.get("quote") or ""

    def render_main() -> tuple[str, int]:
        # Kept ten minutes at most: this bounds how long a change made behind the portal's back (no signal) can go unseen.
        return render_to_string("forum/includes/thread_main.html", _thread_context(request, thread, page, rows, viewer, quote),
                                request=request), THREAD_MAIN_SECONDS

    if quote:  # quoting a reply: drawn for this request only
        main = render_main()[0]
    else:
        main = queries.thread_main(thread, page, rows, viewer, audience=viewer_audience(request.user), render=render_main)
    # Similar work is drawn for every request, outside the cached column: it follows the whole index, not the thread.
    document = queries.similar_document(thread)
    similar = render_to_string("search/includes/similar.html", similar_list(
        find_similar(document, request.user, kinds=SIMILAR_KINDS) if document is not None else []))
    main = main.replace(queries.CSRF_PLACEHOLDER, escape(get_token(request))).replace(queries.SIMILAR_PLACEHOLDER, similar, 1)
    return render(request, "forum/thread.html", {
        "thread": thread,
        "main": mark_safe(main),  # noqa: S308 - rendered template output
        "breadcrumbs": _crumbs((thread.board.name, thread.board.get_absolute_url())),
    })


def _thread_context(request, thread: Thread, page, rows: list, viewer: queries.ThreadViewer, quote: str) -> dict:
    """Everything the thread page's main column shows, with ``CSRF_PLACEHOLDER`` for the forms' token."""
    # The view's thread already holds its board and author (_thread_or_404): only its tags and files are read here.
    prefetch_related_objects([thread], "service_areas", Prefetch("attachments", queryset=Attachment.objects.order_by("pk")))
    member, may_moderate = viewer.member, viewer.may_moderate
    may_tag_work = member is not None and (member.pk == thread.author_id or may_moderate)
    reply_form = _reply_form(quote) if not thread.is_locked or may_moderate else None
    return {
        "thread": thread,
        "page_obj": page,
        "reply_list": queries.reply_list(thread, page, rows, member=member, may_moderate=may_moderate,
                                         may_accept=may_tag_work, may_quote=reply_form is not None),
        "is_last_page": not page.has_next(),
        "may_moderate": may_moderate,
        "may_accept": may_tag_work,
        "member": member,
        "watching": viewer.watching,
        "reply_form": reply_form,
        "quoting": Reply.objects.filter(thread=thread, pk=quote, is_hidden=False).select_related("author__user").first()
        if quote.isdigit() else None,
        "move_form": MoveForm(initial={"board": thread.board_id}) if may_moderate else None,
        "last_event": queries.thread_last_event_id(thread),
        "may_tag_work": may_tag_work,
        "work_options": queries.work_options(thread) if may_tag_work else "",
        "similar_placeholder": queries.SIMILAR_PLACEHOLDER,
        **_guidance_context(request.user, thread),
        "csrf_token": queries.CSRF_PLACEHOLDER,
    }


def _reply_form(quote: str) -> ReplyForm | SafeString:
    """The reply form; without a quote it is the same on every page, so it is drawn once per process."""
    return ReplyForm(initial={"quoted": quote or None}) if quote else _blank_reply_form()


@functools.cache
def _blank_reply_form() -> SafeString:
    return ReplyForm().render()


def _draft(data, multiple: set[str]) -> dict:
    """A posted form's values as initial data, so a draft comes back unchanged and without error messages."""
    return {key: values if key in multiple else values[-1] for key, values in data.lists() if key != "csrfmiddlewaretoken"}


def _guidance_context(user, thread: Thread) -> dict:
    """Guidance this thread's answer became (drafts shown to SHA editors only), and whether the user may draft it."""
    if not queries.has_guidance(thread):
        return {
            "guidance_pages": [],
            "may_draft_guidance": extensions.guidance is not None and thread.accepted_reply_id is not None
            and has_role(user, Role.SHA_EDITOR),
        }
    is_editor = has_role(user, Role.SHA_EDITOR)
    pages = [page for page in extensions.guidance.pages_from(thread.pk).order_by("pk") if page.live or is_editor]
    return {
        "guidance_pages": pages,
        "may_draft_guidance": is_editor and thread.accepted_reply_id is not None and not pages,
    }


@member_required
@require_POST
def draft_guidance(request, pk):
    """SHA editors: turn the accepted answer into a draft guidance page, then edit it in the Wagtail admin."""
    thread = _thread_or_404(request, pk)
    if extensions.guidance is None:
        raise Http404("Guidance is not part of this site.")
    if not has_role(request.user, Role.SHA_EDITOR):
        raise PermissionDenied("Only SHA editors can turn an answer into guidance.")
    try:
        page = extensions.guidance.draft(thread, request.user)
    except extensions.guidance.refused as refusal:
        messages.error(request, refusal.user_message)
        return redirect(thread.get_absolute_url())
    messages.success(request, f"Draft guidance '{page.title}' has been made from the answer. Edit it, then send it for review.")
    return redirect(reverse("wagtailadmin_pages:edit", args=[page.pk]))


@member_required
@require_POST
def reply(request, pk):
    thread = _thread_or_404(request, pk)
    form = ReplyForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Your reply is empty or too long. Write your reply and try again.")
        return redirect(thread.get_absolute_url())
    quoted = None
    if form.cleaned_data.get("quoted"):
        quoted = Reply.objects.filter(pk=form.cleaned_data["quoted"]).first()
    try:
        new = services.post_reply(request.user.member, thread, body=form.cleaned_data["body"], quoted=quoted,
                                  attachments=form.cleaned_data["attachments"])
    except services.ForumError as refusal:
        _refused(request, refusal)
        return redirect(thread.get_absolute_url())
    last_page = (thread.replies.filter(pk__lte=new.pk).count() - 1) // queries.REPLIES_PER_PAGE + 1
    return redirect(f"{thread.get_absolute_url()}?page={last_page}#post-{new.pk}")


def _edit(request, post, thread):
    is_thread = isinstance(post, Thread)
    form = EditForm(request.POST or None, initial={"title": thread.title if is_thread else "", "body": post.body})
    if not is_thread:
        del form.fields["title"]
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_post(request.user.member, post, body=form.cleaned_data["body"],
                               title=form.cleaned_data.get("title") or None if is_thread else None)
        except services.ForumError as refusal:
            _refused(request, refusal)
        else:
            messages.success(request, "Your changes have been saved.")
            return redirect(post.get_absolute_url())
    return render(request, "forum/edit_post.html", {
        "form": form, "thread": thread, "post": post, "is_thread": is_thread,
        "breadcrumbs": _crumbs((thread.board.name, thread.board.get_absolute_url()), (thread.title, thread.get_absolute_url())),
    })


@member_required
def edit_thread(request, pk):
    thread = _thread_or_404(request, pk)
    if thread.author_id != request.user.member.pk and not queries.may_moderate(request.user):
        raise PermissionDenied("You can only edit your own posts.")
    return _edit(request, thread, thread)


@member_required
def edit_reply(request, pk):
    reply = _reply_or_404(request, pk)
    if reply.author_id != request.user.member.pk and not queries.may_moderate(request.user):
        raise PermissionDenied("You can only edit your own posts.")
    return _edit(request, reply, reply.thread)


@member_required
def history(request, kind, pk):
    """A post's earlier versions. A hidden post's history is for moderators only, like its text."""
    may_moderate = queries.may_moderate(request.user)
    if kind == "thread":
        thread = _thread_or_404(request, pk)
        post, revisions = thread, PostRevision.objects.filter(thread=thread)
    elif kind == "reply":
        post = _reply_or_404(request, pk)
        thread, revisions = post.thread, PostRevision.objects.filter(reply=post)
    else:
        raise Http404("No such post.")
    if post.is_hidden and not may_moderate:
        raise Http404("No such post.")
    return render(request, "forum/history.html", {
        "thread": thread, "post": post, "revisions": revisions.select_related("edited_by__user", "redacted_by__user"),
        "may_moderate": may_moderate,
        "breadcrumbs": _crumbs((thread.board.name, thread.board.get_absolute_url()), (thread.title, thread.get_absolute_url())),
    })


@member_required
@require_POST
def redact_revision(request, pk):
    revision = get_object_or_404(PostRevision.objects.select_related("thread", "reply__thread"), pk=pk)
    thread = revision.thread or revision.reply.thread
    if not queries.may_read_thread(request.user, thread):
        raise Http404("No such revision.")
    if not queries.may_moderate(request.user):
        raise PermissionDenied("Only moderators can redact an earlier version.")
    form = HideForm(request.POST)
    form.is_valid()
    try:
        services.redact_revision(request.user.member, revision, reason=form.cleaned_data.get("reason", ""))
    except services.ForumError as refusal:
        _refused(request, refusal)
    else:
        messages.success(request, "The earlier version has been redacted. Its text is no longer kept.")
    kind, post_pk = ("thread", revision.thread_id) if revision.thread_id else ("reply", revision.reply_id)
    return redirect("forum:history", kind, post_pk)


@member_required
@require_POST
def accept(request, pk):
    reply = _reply_or_404(request, pk)
    try:
        services.accept_answer(request.user.member, reply)
    except services.ForumError as refusal:
        _refused(request, refusal)
    else:
        messages.success(request, "The reply is marked as the accepted answer.")
    return redirect(reply.get_absolute_url())


def _report(request, thread, reply=None):
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_post(request.user.member, thread, reply=reply, reason=form.cleaned_data["reason"])
        except services.ForumError as refusal:
            _refused(request, refusal)
        else:
            messages.success(request, "Thank you. A moderator will look at the post.")
            return redirect((reply or thread).get_absolute_url())
    return render(request, "forum/report.html", {
        "form": form, "thread": thread, "reply": reply,
        "breadcrumbs": _crumbs((thread.board.name, thread.board.get_absolute_url()), (thread.title, thread.get_absolute_url())),
    })


@member_required
def report(request, pk):
    return _report(request, _thread_or_404(request, pk))


@member_required
def report_reply(request, pk):
    reply = _reply_or_404(request, pk)
    return _report(request, reply.thread, reply)


@member_required
@require_POST
def hide_reply(request, pk):
    return _hide_or_show_reply(request, pk, services.hide_post, "Only moderators can hide posts.", "The reply is hidden.")


@member_required
@require_POST
def unhide_reply(request, pk):
    return _hide_or_show_reply(request, pk, services.unhide_post, "Only moderators can show hidden posts again.",
                               "The reply is shown to members again.")


def _hide_or_show_reply(request, pk, operation, refusal_message: str, success_message: str):
    """A moderator hides a reply or shows it again, with an optional reason; anyone else is refused."""
    reply = _reply_or_404(request, pk)
    if not queries.may_moderate(request.user):
        raise PermissionDenied(refusal_message)
    form = HideForm(request.POST)
    form.is_valid()
    try:
        operation(request.user.member, reply, reason=form.cleaned_data.get("reason", ""))
    except services.ForumError as refusal:
        _refused(request, refusal)
    else:
        messages.success(request, success_message)
    return redirect(reply.get_absolute_url())


@member_required
@require_POST
def moderate_thread(request, pk, action):
    thread = _thread_or_404(request, pk)
    if not queries.may_moderate(request.user):
        raise PermissionDenied("Only moderators can do that.")
    member = request.user.member
    try:
        if action in ("lock", "unlock"):
            services.lock_thread(member, thread, locked=action == "lock")
        elif action in ("pin", "unpin"):
            services.pin_thread(member, thread, pinned=action == "pin")
        elif action == "hide":
            form = HideForm(request.POST)
            form.is_valid()
            services.hide_post(member, thread, reason=form.cleaned_data.get("reason", ""))
            messages.success(request, "The thread is hidden from members.")
            return redirect(thread.board.get_absolute_url())
        elif action == "unhide":
            form = HideForm(request.POST)
            form.is_valid()
            services.unhide_post(member, thread, reason=form.cleaned_data.get("reason", ""))
            messages.success(request, "The thread is shown to members again.")
            return redirect(thread.get_absolute_url())
        elif action == "move":
            form = MoveForm(request.POST)
            if not form.is_valid():
                messages.error(request, "Choose a board to move the thread to.")
                return redirect(thread.get_absolute_url())
            services.move_thread(member, thread, form.cleaned_data["board"])
        else:
            raise Http404("No such action.")
    except services.ForumError as refusal:
        _refused(request, refusal)
    else:
        messages.success(request, "Done.")
    return redirect(thread.get_absolute_url())


@member_required
@require_POST
def watch_thread(request, pk):
    thread = _thread_or_404(request, pk)
    member = request.user.member
    if request.POST.get("stop"):
        services.unsubscribe(member, thread=thread)
        messages.success(request, "You have stopped watching this thread.")
    else:
        try:
            services.subscribe(member, thread=thread)
        except services.ForumError as refusal:
            _refused(request, refusal)
        else:
            messages.success(request, "You are watching this thread. We will tell you about new replies.")
    return redirect(thread.get_absolute_url())


@member_required
@require_POST
def watch_board(request, slug):
    board = _board_or_404(request, slug)
    member = request.user.member
    if request.POST.get("stop"):
        services.unsubscribe(member, board=board)
        messages.success(request, "You have stopped watching this board.")
        return redirect(board.get_absolute_url())
    form = WatchForm(request.POST)
    if form.is_valid():
        try:
            services.subscribe(member, board=board, frequency=form.cleaned_data["frequency"])
        except services.ForumError as refusal:
            _refused(request, refusal)
        else:
            messages.success(request, "You are watching this board.")
    return redirect(board.get_absolute_url())


@member_required
def attachment(request, pk):
    item = get_object_or_404(Attachment.objects.select_related("thread__board", "reply__thread__board"), pk=pk)
    thread = item.thread or item.reply.thread
    if not queries.may_read_thread(request.user, thread) or (item.reply is not None and item.reply.is_hidden and not queries.may_moderate(request.user)):
        raise Http404("No such attachment.")
    response = FileResponse(item.file.open("rb"), as_attachment=True, filename=item.original_name, content_type=item.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@member_required
def queue(request):
    if not queries.may_moderate(request.user):
        raise PermissionDenied("Only moderators can see the moderation queue.")
    reports = (
        Report.objects.filter(status=Report.Status.OPEN)
        .select_related("thread__board", "reply__author__user", "thread__author__user", "reporter__user")
        .order_by("created_at", "pk")
    )

    actions = ModerationAction.objects.select_related("actor__user", "thread", "reply").order_by("-created_at", "-pk")[:50]
    return render(request, "forum/queue.html", {
        "reports": reports, "actions": actions, "breadcrumbs": _crumbs(),
    })


@member_required
@require_POST
def dismiss(request, pk):
    if not queries.may_moderate(request.user):
        raise PermissionDenied("Only moderators can do that.")
    report = get_object_or_404(Report, pk=pk)
    try:
        services.dismiss_report(request.user.member, report)
    except services.ForumError as refusal:
        _refused(request, refusal)
    else:
        messages.success(request, "The report is closed with no action.")
    return redirect("forum:queue")


@member_required
def notifications(request):
    member = request.user.member
    items = list(Notification.objects.filter(member=member).select_related("thread", "movement")[:50])
    if request.method == "POST":
        services.mark_notifications_read(member)
        messages.success(request, "All notifications are marked as read.")
        return redirect("forum:notifications")
    return render(request, "forum/notifications.html", {"items": items, "breadcrumbs": _crumbs()})


def unsubscribe(request, token):
    """Reached from an e-mail without signing in: the signed token is the authority. GET asks, POST does."""
    try:
        sub = services.subscription_for_token(token)
    except services.BadUnsubscribeLink as refusal:
        return render(request, "forum/unsubscribe.html", {"error": refusal.user_message}, status=400)
    if request.method == "POST":
        services.unsubscribe_with_token(token)
        return render(request, "forum/unsubscribe.html", {"done": True, "target": sub.thread or sub.board})
    return render(request, "forum/unsubscribe.html", {"target": sub.thread or sub.board, "token": token})



def _report_range(request):
    """The report's date range from the query string; by default the last twelve months including this one."""
    today = timezone.localdate()
    default_start = (today.replace(day=1) - timedelta(days=335)).replace(day=1)
    form = AnswerReportForm(request.GET or {"start": default_start, "end": today})
    if form.is_valid():
        return form, form.cleaned_data["start"], form.cleaned_data["end"]
    return form, default_start, today


@permission_required("forum.view_answer_report")
def answer_report(request):
    form, start, end = _report_range(request)
    report = reports.answer_report(start, end)
    return render(request, "forum/answer_report.html", {
        "form": form, "report": report, "chart": reports.chart(report),
        "csv_query": urlencode({"start": start.isoformat(), "end": end.isoformat()}),
        "breadcrumbs": _crumbs(),
    })


@permission_required("forum.view_answer_report")
def answer_report_csv(request):
    _form, start, end = _report_range(request)
    rows = reports.csv_rows(reports.answer_report(start, end))
    # Through csv_lines like every other export: a board named "=HYPERLINK(…)" is text, not a formula.
    response = HttpResponse("".join(csv_lines(next(rows), rows)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="time-to-answer-{start:%Y-%m-%d}-to-{end:%Y-%m-%d}.csv"'
    return response
