"""Views for the guidance section and the newsletter, served through their Wagtail pages' routes.

They live on the pages (``RoutablePageMixin``) rather than in a urls.py, so
they sit at /guidance/… and /newsletter/… wherever editors put those pages.
Each view checks permission, validates, calls one service and turns a
refusal into a plain message.
"""
from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from directory.models import ServiceArea
from portal.core.permissions import has_role, is_member
from portal.core.roles import Role
from portal.guidance import services
from portal.guidance.models import Audience, GuidancePage, Link, NewsletterIssuePage

UPDATED_CHOICES = [
    ("", "Any time"),
    ("30", "In the last month"),
    ("90", "In the last 3 months"),
    ("365", "In the last year"),
]


class GuidanceFilterForm(forms.Form):
    topic = forms.ModelChoiceField(
        queryset=ServiceArea.objects.all(), to_field_name="slug", required=False, empty_label="All topics", label="Topic"
    )
    audience = forms.ChoiceField(
        choices=[("", "Everyone and members")] + [(Audience.PUBLIC, "Public guidance"), (Audience.MEMBERS, "Members only")],
        required=False,
        label="Who it is for",
    )
    updated = forms.ChoiceField(choices=UPDATED_CHOICES, required=False, label="Updated")
    include_superseded = forms.BooleanField(required=False, label="Include guidance that has been replaced")


def guidance_index_context(index, request) -> dict:
    """Filtered, paginated guidance and the "what changed recently" list for ``index``."""
    user = request.user
    form = GuidanceFilterForm(request.GET or None)
    visible = GuidancePage.objects.live().child_of(index).visible_to(user)
    pages = visible
    if form.is_valid():
        data = form.cleaned_data
        if data["topic"]:
            pages = pages.filter(topics=data["topic"])
        if data["audience"]:
            pages = pages.filter(audience=data["audience"])
        if data["updated"]:
            pages = pages.filter(last_published_at__gte=timezone.now() - dt.timedelta(days=int(data["updated"])))
        if not data["include_superseded"]:
            pages = pages.current()
    else:
        pages = pages.current()
    pages = pages.prefetch_related("topics").order_by("-last_published_at", "title")
    page_obj = Paginator(pages, 20).get_page(request.GET.get("page"))
    recent = visible.current().exclude(change_note="").order_by("-last_published_at")[:5]
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "filter_form": form,
        "guidance": page_obj,
        "recent_changes": recent,
        "filter_query": query.urlencode(),
        "is_filtered": any(v for k, v in request.GET.items() if k != "page"),
        "links_url": index.url + index.reverse_subpage("links"),
    }


def links_library(index, request):
    """The links library: curated external resources by category, open to everyone."""
    links = list(Link.objects.all())
    categories: dict[str, list[Link]] = {}
    for link in links:
        categories.setdefault(link.get_category_display(), []).append(link)
    return TemplateResponse(
        request,
        "portal/guidance_links.html",
        {
            "page": index,
            "self": index,
            "categories": categories,
            "breadcrumbs": [{"title": "Home", "url": "/"}, {"title": index.title, "url": index.url}],
        },
    )


# --- newsletter -------------------------------------------------------------------------


def newsletter_archive(archive, request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not is_member(request.user):
        raise PermissionDenied("Your membership has not been approved yet.")
    return archive.render(
        request,
        context_overrides={
            "is_subscribed": services.is_subscribed(request.user),
            "subscription_url": archive.url + archive.reverse_subpage("subscription"),
            "compose_url": archive.url + archive.reverse_subpage("compose") if has_role(request.user, Role.NETWORK_ADMIN) else "",
        },
    )


def newsletter_subscription(archive, request):
    """A member turns the newsletter on or off for themselves."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not is_member(request.user):
        raise PermissionDenied("Your membership has not been approved yet.")
    if request.method == "POST":
        subscribed = request.POST.get("subscribe") == "yes"
        services.set_newsletter_subscription(request.user, subscribed)
        messages.success(
            request, "You will get the newsletter by e-mail." if subscribed else "You will not get the newsletter any more."
        )
    return redirect(archive.url)


def unsubscribe(archive, request, token: str):
    """The e-mail's unsubscribe link: asks on GET, acts on POST, no sign-in needed; the signed token says for whom.

    Mail scanners open every link in a message, so a GET changes nothing; and
    the page never shows the address, which anyone holding the link would see.
    """
    context = {"page": archive, "breadcrumbs": [{"title": "Home", "url": "/"}]}
    try:
        if request.method == "POST":
            services.unsubscribe_with_token(token)
            context["done"] = True
            context["subscription_url"] = archive.url + archive.reverse_subpage("subscription")
        else:
            services.check_unsubscribe_token(token)
    except services.BadUnsubscribeToken as refusal:
        context["error"] = refusal.user_message
        return TemplateResponse(request, "portal/newsletter_unsubscribe.html", context, status=400)
    return TemplateResponse(request, "portal/newsletter_unsubscribe.html", context)


class NewsletterComposeForm(forms.Form):
    title = forms.CharField(
        max_length=255,
        label="Issue title",
        help_text="For example: PbC Network news, May 2008",
        error_messages={"required": "Enter a title for the issue"},
    )
    introduction = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        label="Introduction",
        help_text="Your own words at the top of the issue. Plain text; blank lines start new paragraphs.",
    )
    items = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple, required=False, label="Recent content to include"
    )

    def __init__(self, *args, candidates: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = {item["url"]: item for section in candidates for item in section["items"]}
        self.fields["items"].choices = [
            (item["url"], f"{section['title']}: {item['title']}") for section in candidates for item in section["items"]
        ]

    def clean(self):
        data = super().clean()
        if not data.get("items") and not (data.get("introduction") or "").strip() and not self.has_error("items"):
            self.add_error("items", "Choose at least one item, or write an introduction")
        return data

    def chosen_items(self) -> list[dict]:
        return [self.candidates[url] for url in self.cleaned_data["items"] if url in self.candidates]


def compose_newsletter(archive, request):
    """An administrator picks recent content, adds their own words, previews it, sends a test to
    themselves, then confirms the send, which goes on as background work (progress on the issue's page)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not has_role(request.user, Role.NETWORK_ADMIN):
        raise PermissionDenied("Only network administrators can send the newsletter.")
    candidates = services.newsletter_candidates()
    recipient_count = services.newsletter_recipients().count()
    preview = None
    context = {
        "page": archive,
        "subscriber_count": recipient_count,
        "breadcrumbs": [{"title": "Home", "url": "/"}, {"title": archive.title, "url": archive.url}],
    }
    if request.method == "POST":
        form = NewsletterComposeForm(request.POST, candidates=candidates)
        action = request.POST.get("action")
        if form.is_valid():
            items = form.chosen_items()
            title, introduction = form.cleaned_data["title"], form.cleaned_data["introduction"]
            if action == "test":
                try:
                    services.send_test_newsletter(request.user, title=title, introduction=introduction, items=items)
                except services.GuidanceError as refusal:
                    messages.error(request, refusal.user_message)
                else:
                    messages.success(request, f"A test copy has been sent to {request.user.email}. Only you got it.")
            elif action == "confirm" or (action == "send" and request.POST.get("recipients") != str(recipient_count)):
                # The send needs the number of recipients the administrator saw, and the number must
                # still be right: a changed number (someone subscribed meanwhile) asks again.
                return TemplateResponse(
                    request,
                    "portal/newsletter_confirm.html",
                    {**context, "form": form, "title": title, "items": items, "recipients": recipient_count},
                )
            elif action == "send":
                try:
                    issue = services.create_newsletter_issue(
                        archive, title=title, introduction=introduction, items=items, author=request.user
                    )
                    queued = services.send_newsletter(issue)
                except services.GuidanceError as refusal:
                    messages.error(request, refusal.user_message)
                else:
                    messages.success(
                        request, f"“{issue.title}” is being sent to {queued} subscribed member{'s' if queued != 1 else ''}."
                    )
                    return redirect(issue.url)
            preview = services.newsletter_email_context(title, introduction, items, unsubscribe_url="#")
    else:
        form = NewsletterComposeForm(
            initial={"title": f"PbC Network news, {timezone.localdate():%B %Y}"}, candidates=candidates
        )
    return TemplateResponse(request, "portal/newsletter_compose.html", {**context, "form": form, "preview": preview})


def newsletter_progress(archive, request, issue_id: int):
    """How far the sending of one issue has got, as JSON for the issue page's progress bar (administrators only)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not has_role(request.user, Role.NETWORK_ADMIN):
        raise PermissionDenied("Only network administrators can see how the newsletter is sending.")
    issue = NewsletterIssuePage.objects.child_of(archive).filter(pk=issue_id).first()
    if issue is None:
        raise Http404("No such issue")
    return JsonResponse({**services.newsletter_progress(issue), "finished": issue.sent_at is not None})


@csrf_exempt
@require_POST
def one_click_unsubscribe(request, token: str):
    """RFC 8058: the mail program POSTs here; the signed token says whom to unsubscribe."""
    try:
        services.unsubscribe_with_token(token)
    except services.BadUnsubscribeToken as refusal:
        return HttpResponse(refusal.user_message, status=400, content_type="text/plain; charset=utf-8")
    return HttpResponse("You have unsubscribed from the network newsletter.", content_type="text/plain; charset=utf-8")
