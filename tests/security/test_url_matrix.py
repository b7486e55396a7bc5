"""Role × URL matrix: every route answers each of seven viewers as this one table says.

The routes come from the URL configuration itself (``get_resolver()``), the
Wagtail page types and their routable sub-pages, so a route added anywhere
without a line in ``EXPECTED`` fails ``test_every_route_has_an_expectation``
with its name.  Each cell is a GET by that viewer; the body of every answer is
also searched for private markers (an administrators-only telephone number, a
draft page's title, a moderators-only thread) that viewer must not see.

Outcomes: ``200``; ``login`` (a redirect to sign in); ``302`` (any other
redirect); ``403``; ``404``; ``405`` (a POST-only view refusing GET).

Adding a route?  Add a line to ``URLS`` (how to build its address from the
objects in ``tests/security/world.py``) and to ``EXPECTED`` (what each viewer
gets), then run ``pytest tests/security/test_url_matrix.py``.
Wagtail admin routes (under ``/admin/``) are covered by a sample: every one
of them is for administrators and SHA editors only.
"""
from __future__ import annotations

from http.cookies import SimpleCookie
from operator import attrgetter

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.security.world import ADMIN_ONLY_PHONE, DRAFT_TITLE, MODERATORS_THREAD_TITLE, VIEWERS, build_world

# fmt: off
#                                                                  anon   member other  lead   mod    admin  sha
EXPECTED: dict[str, str] = {
    "health":                                                     "200    200    200    200    200    200    200",
    "audit_trail":                                                "login  403    403    403    403    200    403",
    "audit_trail_csv":                                            "login  403    403    403    403    200    403",
    "account_login":                                              "200    302    302    302    302    302    302",
    "account_logout":                                             "302    200    200    200    200    200    200",
    "account_inactive":                                           "200    200    200    200    200    200    200",
    "account_signup":                                             "200    302    302    302    302    302    302",
    "account_reauthenticate":                                     "login  200    200    200    200    200    200",
    "account_request_reauthentication_code":                      "login  200    200    200    200    200    200",
    "account_confirm_reauthentication_code":                      "login  302    302    302    302    302    302",
    "account_email":                                              "login  200    200    200    200    200    200",
    "account_email_verification_sent":                            "200    200    200    200    200    200    200",
    "account_change_password":                                    "login  200    200    200    200    200    200",
    "account_set_password":                                       "login  302    302    302    302    302    302",
    "account_reset_password":                                     "200    200    200    200    200    200    200",
    "account_confirm_login_code":                                 "login  302    302    302    302    302    302",
    "account_confirm_email":                                      "200    200    200    200    200    200    200",
    "account_reset_password_from_key_done":                       "200    200    200    200    200    200    200",
    "account_reset_password_from_key":                            "200    200    200    200    200    200    200",
    "account_reset_password_done":                                "200    200    200    200    200    200    200",
    "mfa_index":                                                  "login  200    200    200    200    200    200",
    "mfa_authenticate":                                           "login  302    302    302    302    302    302",
    "mfa_reauthenticate":                                         "login  302    302    302    302    200    200",
    "mfa_activate_totp":                                          "login  302    302    302    302    302    302",
    "mfa_deactivate_totp":                                        "login  404    404    404    404    302    302",
    "mfa_view_recovery_codes":                                    "login  404    404    404    404    404    404",
    "mfa_generate_recovery_codes":                                "login  302    302    302    302    302    302",
    "mfa_download_recovery_codes":                                "login  404    404    404    404    404    404",
    "wagtaildocs_serve [members-only template]":                  "login  200    200    200    200    200    200",
    "wagtaildocs_serve [matrix entry attachment]":                "login  200    200    200    200    200    200",
    "wagtaildocs_serve [public template]":                        "200    200    200    200    200    200    200",
    "wagtaildocs_serve [document on no page]":                    "login  200    200    200    200    200    200",
    "wagtaildocs_serve [public collection]":                      "200    200    200    200    200    200    200",
    "wagtaildocs_authenticate_with_password":                     "404    404    404    404    404    404    404",
    "directory:list":                                             "login  200    200    200    200    200    200",
    "directory:export":                                           "login  200    200    200    200    200    200",
    "directory:me":                                               "login  200    200    200    200    200    200",
    "directory:my-data":                                          "login  200    200    200    200    200    200",
    "directory:member":                                           "login  200    200    200    200    200    200",
    "directory:vcard":                                            "login  200    200    200    200    200    200",
    "directory:deactivate":                                       "405    405    405    405    405    405    405",
    "directory:reactivate":                                       "405    405    405    405    405    405    405",
    "directory:erase":                                            "login  403    403    403    403    200    403",
    "directory:organisations":                                    "login  200    200    200    200    200    200",
    "directory:organisation":                                     "login  200    200    200    200    200    200",
    "directory:area":                                             "login  200    200    200    200    200    200",
    "directory:import":                                           "login  403    403    403    403    200    403",
    "directory:pending":                                          "login  403    403    403    403    200    403",
    "directory:approve":                                          "405    405    405    405    405    405    405",
    "directory:decline":                                          "405    405    405    405    405    405    405",
    "directory:invite":                                           "login  403    403    403    403    200    403",
    "directory:accept-invitation":                                "302    302    302    302    302    302    302",
    "redesign:matrix":                                            "login  200    200    200    200    200    200",
    "redesign:entries":                                           "login  200    200    200    200    200    200",
    "redesign:entries_export":                                    "login  200    200    200    200    200    200",
    "redesign:entries_print":                                     "login  200    200    200    200    200    200",
    "redesign:entry_new":                                         "login  200    200    200    200    200    200",
    "redesign:entry_new_details":                                 "login  302    302    302    302    302    302",
    "redesign:import":                                            "login  403    403    403    403    200    403",
    "redesign:entry":                                             "login  200    200    200    200    200    200",
    "redesign:entry_edit":                                        "login  200    403    200    403    200    403",
    "redesign:entry_stage":                                       "405    405    405    405    405    405    405",
    "redesign:entry_attach":                                      "405    405    405    405    405    405    405",
    "redesign:entry_business_case":                               "login  200    200    200    200    200    200",
    "redesign:templates":                                         "200    200    200    200    200    200    200",
    "redesign:template_new":                                      "login  403    403    200    403    200    403",
    "redesign:template [members-only]":                           "login  200    200    200    200    200    200",
    "redesign:template [public]":                                 "200    200    200    200    200    200    200",
    "redesign:template [missing]":                                "login  404    404    404    404    404    404",
    "redesign:template_add_version":                              "405    405    405    405    405    405    405",
    "redesign:template_download [members-only]":                  "login  200    200    200    200    200    200",
    "redesign:template_download [public]":                        "200    200    200    200    200    200    200",
    "redesign:template_adapt":                                    "405    405    405    405    405    405    405",
    "redesign:link":                                              "405    405    405    405    405    405    405",
    "events:book":                                                "405    405    405    405    405    405    405",
    "events:ics [public event]":                                  "200    200    200    200    200    200    200",
    "events:ics [members-only event]":                            "login  200    200    200    200    200    200",
    "events:ics [missing]":                                       "login  404    404    404    404    404    404",
    "events:cancel":                                              "login  200    403    403    403    200    403",
    "events:certificate":                                         "login  404    403    403    403    404    403",
    "events:feed":                                                "200    200    200    200    200    200    200",
    "events:my-feed":                                             "200    200    200    200    200    200    200",
    "events:training-record":                                     "login  200    200    200    200    200    200",
    "events:reset-feed":                                          "405    405    405    405    405    405    405",
    "events:manage-overview":                                     "login  403    403    403    403    200    403",
    "events:manage":                                              "login  403    403    403    403    200    403",
    "events:manage-book":                                         "405    405    405    405    405    405    405",
    "events:manage-capacity":                                     "405    405    405    405    405    405    405",
    "events:manage-email":                                        "405    405    405    405    405    405    405",
    "events:attendees-csv":                                       "login  403    403    403    403    200    403",
    "events:manage-attendance":                                   "405    405    405    405    405    405    405",
    "forum:index":                                                "login  200    200    200    200    200    200",
    "forum:board [members]":                                      "login  200    200    200    200    200    200",
    "forum:board [moderators only]":                              "login  404    404    404    200    200    404",
    "forum:new_thread":                                           "login  200    200    200    200    200    200",
    "forum:watch_board":                                          "login  405    405    405    405    405    405",
    "forum:thread [members]":                                     "login  200    200    200    200    200    200",
    "forum:thread [moderators only]":                             "login  404    404    404    200    200    404",
    "forum:reply":                                                "login  405    405    405    405    405    405",
    "forum:edit_thread":                                          "login  200    403    403    200    200    403",
    "forum:watch_thread":                                         "login  405    405    405    405    405    405",
    "forum:report_thread":                                        "login  200    200    200    200    200    200",
    "forum:moderate_thread":                                      "login  405    405    405    405    405    405",
    "forum:draft_guidance":                                       "login  405    405    405    405    405    405",
    "forum:edit_reply":                                           "login  403    200    403    200    200    403",
    "forum:accept":                                               "login  405    405    405    405    405    405",
    "forum:report_reply":                                         "login  200    200    200    200    200    200",
    "forum:hide_reply":                                           "login  405    405    405    405    405    405",
    "forum:unhide_reply":                                         "login  405    405    405    405    405    405",
    "forum:redact_revision":                                      "login  405    405    405    405    405    405",
    "forum:history":                                              "login  200    200    200    200    200    200",
    "forum:attachment":                                           "login  200    200    200    200    200    200",
    "forum:queue":                                                "login  403    403    403    200    200    403",
    "forum:dismiss_report":                                       "login  405    405    405    405    405    405",
    "forum:notifications":                                        "login  200    200    200    200    200    200",
    "forum:unsubscribe":                                          "200    200    200    200    200    200    200",
    "forum:answer_report":                                        "login  403    403    403    403    200    200",
    "forum:answer_report_csv":                                    "login  403    403    403    403    200    200",
    "areas:index":                                                "login  200    200    200    200    200    200",
    "areas:following":                                            "login  200    200    200    200    200    200",
    "areas:follow":                                               "405    405    405    405    405    405    405",
    "areas:stop":                                                 "405    405    405    405    405    405    405",
    "areas:expertise":                                            "login  200    200    200    200    200    200",
    "search:search":                                              "200    200    200    200    200    200    200",
    "search:similar":                                             "login  200    200    200    200    200    200",
    "guidance:one_click_unsubscribe":                             "405    405    405    405    405    405    405",
    "django.views.static.serve":                                  "404    404    404    404    404    404    404",
    "wagtailcore_authenticate_with_password":                     "404    404    404    404    404    404    404",
    "wagtailcore_login":                                          "200    200    200    200    200    200    200",
    "wagtail_serve [portal.HomePage]":                            "200    200    200    200    200    200    200",
    "wagtail_serve [portal.StandardPage public]":                 "200    200    200    200    200    200    200",
    "wagtail_serve [portal.StandardPage members-only]":           "login  200    200    200    200    200    200",
    "wagtail_serve [portal.GuidanceIndexPage]":                   "200    200    200    200    200    200    200",
    "wagtail_serve [portal.GuidanceIndexPage:links]":             "200    200    200    200    200    200    200",
    "wagtail_serve [portal.GuidancePage public]":                 "200    200    200    200    200    200    200",
    "wagtail_serve [portal.GuidancePage members-only]":           "login  200    200    200    200    200    200",
    "wagtail_serve [portal.GuidancePage draft]":                  "404    404    404    404    404    404    404",
    "wagtail_serve [portal.NewsletterArchivePage:archive]":       "login  200    200    200    200    200    200",
    "wagtail_serve [portal.NewsletterArchivePage]":               "login  200    200    200    200    200    200",
    "wagtail_serve [portal.NewsletterArchivePage:compose]":       "login  403    403    403    403    200    403",
    "wagtail_serve [portal.NewsletterArchivePage:subscription]":  "login  302    302    302    302    302    302",
    "wagtail_serve [portal.NewsletterArchivePage:unsubscribe]":   "200    200    200    200    200    200    200",
    "wagtail_serve [portal.NewsletterArchivePage:progress]":      "login  403    403    403    403    200    403",
    "wagtail_serve [portal.NewsletterIssuePage]":                 "login  200    200    200    200    200    200",
    "wagtail_serve [redesign.RedesignSectionPage]":               "login  200    200    200    200    200    200",
    "wagtail_serve [redesign.CaseStudyIndexPage]":                "200    200    200    200    200    200    200",
    "wagtail_serve [redesign.CaseStudyPage public]":              "200    200    200    200    200    200    200",
    "wagtail_serve [redesign.CaseStudyPage members-only]":        "login  200    200    200    200    200    200",
    "wagtail_serve [events.EventIndexPage]":                      "200    200    200    200    200    200    200",
    "wagtail_serve [events.EventPage public]":                    "200    200    200    200    200    200    200",
    "wagtail_serve [events.EventPage members-only]":              "login  200    200    200    200    200    200",
    "wagtail_serve [no such page]":                               "404    404    404    404    404    404    404",
    "admin [dashboard]":                                          "login  login  login  login  login  200    200",
    "admin [page explorer]":                                      "login  login  login  login  login  200    200",
    "admin [edit the draft guidance]":                            "login  login  login  login  login  200    200",
    "admin [documents]":                                          "login  login  login  login  login  200    200",
    "admin [images]":                                             "login  login  login  login  login  200    200",
    "admin [links library snippets]":                             "login  login  login  login  login  200    200",
    "admin [users]":                                              "login  login  login  login  login  200    302",
    "admin [search]":                                             "login  login  login  login  login  200    200",
}
# fmt: on

ADMIN_PREFIX = "admin/"


def _doc(document) -> str:
    return reverse("wagtaildocs_serve", args=[document.id, document.filename])


def _sub(page, name: str, *args) -> str:
    return page.url + page.reverse_subpage(name, args=args)


# Most routes are addressed by reversing their own name: the case's arguments, where "w.entry.pk" is read
# from the world (tests/security/world.py) and anything else is passed as it is.
REVERSED: dict[str, tuple] = {
    # allauth: the sign-in, password and two-factor pages
    "account_login": (),
    "account_logout": (),
    "account_inactive": (),
    "account_signup": (),
    "account_reauthenticate": (),
    "account_request_reauthentication_code": (),
    "account_confirm_reauthentication_code": (),
    "account_email": (),
    "account_email_verification_sent": (),
    "account_change_password": (),
    "account_set_password": (),
    "account_reset_password": (),
    "account_confirm_login_code": (),
    "account_confirm_email": ("not-a-key",),
    "account_reset_password_from_key_done": (),
    "account_reset_password_from_key": ("1", "not-a-key"),
    "account_reset_password_done": (),
    "mfa_index": (),
    "mfa_authenticate": (),
    "mfa_reauthenticate": (),
    "mfa_activate_totp": (),
    "mfa_deactivate_totp": (),
    "mfa_view_recovery_codes": (),
    "mfa_generate_recovery_codes": (),
    "mfa_download_recovery_codes": (),
    # documents: through Wagtail's serve view and the portal's before_serve_document hook
    "wagtaildocs_authenticate_with_password": (999_999,),
    # directory
    "directory:list": (),
    "directory:export": (),
    "directory:me": (),
    "directory:my-data": (),
    "directory:member": ("w.colleague.pk",),
    "directory:vcard": ("w.colleague.pk",),
    "directory:deactivate": ("w.colleague.pk",),
    "directory:reactivate": ("w.colleague.pk",),
    "directory:erase": ("w.colleague.pk",),
    "directory:organisations": (),
    "directory:organisation": ("w.practice.slug",),
    "directory:area": ("w.area.slug",),
    "directory:import": (),
    "directory:pending": (),
    "directory:approve": ("w.pending.pk",),
    "directory:decline": ("w.pending.pk",),
    "directory:invite": (),
    "directory:accept-invitation": ("w.invitation.token",),
    # re-design matrix and template library
    "redesign:matrix": (),
    "redesign:entries": (),
    "redesign:entries_export": (),
    "redesign:entries_print": (),
    "redesign:entry_new": (),
    "redesign:entry_new_details": (),
    "redesign:import": (),
    "redesign:entry": ("w.entry.pk",),
    "redesign:entry_edit": ("w.entry.pk",),
    "redesign:entry_stage": ("w.entry.pk",),
    "redesign:entry_attach": ("w.entry.pk",),
    "redesign:entry_business_case": ("w.entry.pk",),
    "redesign:templates": (),
    "redesign:template_new": (),
    "redesign:template [members-only]": ("w.template.pk",),
    "redesign:template [public]": ("w.public_template.pk",),
    "redesign:template [missing]": (999999,),
    "redesign:template_add_version": ("w.template.pk",),
    "redesign:template_download [members-only]": ("w.template.pk", 1),
    "redesign:template_download [public]": ("w.public_template.pk", 1),
    "redesign:template_adapt": ("w.template.pk", 1),
    "redesign:link": (),
    # events: the member's booking of the members-only event
    "events:book": ("w.members_event.pk",),
    "events:ics [public event]": ("w.public_event.pk",),
    "events:ics [members-only event]": ("w.members_event.pk",),
    "events:ics [missing]": (999999,),
    "events:cancel": ("w.booking.pk",),
    "events:certificate": ("w.booking.pk",),
    "events:feed": (),
    "events:my-feed": ("w.feed.token",),
    "events:training-record": (),
    "events:reset-feed": (),
    "events:manage-overview": (),
    "events:manage": ("w.members_event.pk",),
    "events:manage-book": ("w.members_event.pk",),
    "events:manage-capacity": ("w.members_event.pk",),
    "events:manage-email": ("w.members_event.pk",),
    "events:attendees-csv": ("w.members_event.pk",),
    "events:manage-attendance": ("w.booking.pk",),
    # forum: the member's thread, the other organisation's reply, and the moderators' board
    "forum:index": (),
    "forum:board [members]": ("w.board.slug",),
    "forum:board [moderators only]": ("w.moderators_board.slug",),
    "forum:new_thread": ("w.board.slug",),
    "forum:watch_board": ("w.board.slug",),
    "forum:thread [members]": ("w.thread.pk",),
    "forum:thread [moderators only]": ("w.moderators_thread.pk",),
    "forum:reply": ("w.thread.pk",),
    "forum:edit_thread": ("w.thread.pk",),
    "forum:watch_thread": ("w.thread.pk",),
    "forum:report_thread": ("w.thread.pk",),
    "forum:moderate_thread": ("w.thread.pk", "lock"),
    "forum:draft_guidance": ("w.thread.pk",),
    "forum:edit_reply": ("w.reply.pk",),
    "forum:accept": ("w.reply.pk",),
    "forum:report_reply": ("w.reply.pk",),
    "forum:hide_reply": ("w.reply.pk",),
    "forum:unhide_reply": ("w.reply.pk",),
    "forum:redact_revision": ("w.revision.pk",),
    "forum:history": ("thread", "w.thread.pk"),
    "forum:attachment": ("w.attachment.pk",),
    "forum:queue": (),
    "forum:dismiss_report": ("w.report.pk",),
    "forum:notifications": (),
    "forum:unsubscribe": ("w.forum_unsubscribe_token",),
    "forum:answer_report": (),
    "forum:answer_report_csv": (),
    # service areas: the page of areas followed, following and stopping (POST only), the expertise finder
    "areas:index": (),
    "areas:following": (),
    "areas:follow": ("w.area.slug",),
    "areas:stop": ("w.area.slug",),
    "guidance:one_click_unsubscribe": ("w.newsletter_token",),
    # Wagtail's own front-end routes
    "wagtailcore_authenticate_with_password": (999_999, "w.home.pk"),
    "wagtailcore_login": (),
}

# The rest are built by hand: fixed paths, documents, query strings, Wagtail pages and the admin sample.
BUILT = {
    "health": lambda w: "/health/",
    "audit_trail": lambda w: "/audit/",
    "audit_trail_csv": lambda w: "/audit/export.csv",
    # documents: through Wagtail's serve view and the portal's before_serve_document hook
    "wagtaildocs_serve [members-only template]": lambda w: _doc(w.private_document),
    "wagtaildocs_serve [matrix entry attachment]": lambda w: _doc(w.entry_document.document),
    "wagtaildocs_serve [public template]": lambda w: _doc(w.public_document),
    "wagtaildocs_serve [document on no page]": lambda w: _doc(w.plain_document),
    "wagtaildocs_serve [public collection]": lambda w: _doc(w.public_collection_document),
    # with a query string
    "areas:expertise": lambda w: reverse("areas:expertise") + f"?area={w.area.slug}",
    "search:search": lambda w: reverse("search:search") + "?q=dermatology",
    "search:similar": lambda w: reverse("search:similar") + "?text=dermatology+clinic+referrals",
    "django.views.static.serve": lambda w: "/media/images/not-there.jpg",
    # Wagtail pages: each page type, public and members-only where it has an audience, and a draft
    "wagtail_serve [portal.HomePage]": lambda w: w.home.url,
    "wagtail_serve [portal.StandardPage public]": lambda w: w.about.url,
    "wagtail_serve [portal.StandardPage members-only]": lambda w: w.members_page.url,
    "wagtail_serve [portal.GuidanceIndexPage]": lambda w: w.guidance_index.url,
    "wagtail_serve [portal.GuidanceIndexPage:links]": lambda w: _sub(w.guidance_index, "links"),
    "wagtail_serve [portal.GuidancePage public]": lambda w: w.public_guidance.url,
    "wagtail_serve [portal.GuidancePage members-only]": lambda w: w.members_guidance.url,
    "wagtail_serve [portal.GuidancePage draft]": lambda w: w.guidance_index.url + "draft-tariff/",
    "wagtail_serve [portal.NewsletterArchivePage]": lambda w: w.newsletter.url,
    "wagtail_serve [portal.NewsletterArchivePage:archive]": lambda w: _sub(w.newsletter, "archive"),
    "wagtail_serve [portal.NewsletterArchivePage:compose]": lambda w: _sub(w.newsletter, "compose"),
    "wagtail_serve [portal.NewsletterArchivePage:subscription]": lambda w: _sub(w.newsletter, "subscription"),
    "wagtail_serve [portal.NewsletterArchivePage:unsubscribe]": lambda w: _sub(w.newsletter, "unsubscribe", w.newsletter_token),
    "wagtail_serve [portal.NewsletterArchivePage:progress]": lambda w: _sub(w.newsletter, "progress", w.issue.pk),
    "wagtail_serve [portal.NewsletterIssuePage]": lambda w: w.issue.url,
    "wagtail_serve [redesign.RedesignSectionPage]": lambda w: "/redesign/",
    "wagtail_serve [redesign.CaseStudyIndexPage]": lambda w: w.case_study_index.url,
    "wagtail_serve [redesign.CaseStudyPage public]": lambda w: w.public_case_study.url,
    "wagtail_serve [redesign.CaseStudyPage members-only]": lambda w: w.members_case_study.url,
    "wagtail_serve [events.EventIndexPage]": lambda w: w.events_index.url,
    "wagtail_serve [events.EventPage public]": lambda w: w.public_event.url,
    "wagtail_serve [events.EventPage members-only]": lambda w: w.members_event.url,
    "wagtail_serve [no such page]": lambda w: "/no-such-page/",
    # Wagtail admin: a sample; every admin route is for administrators and SHA editors only
    "admin [dashboard]": lambda w: "/admin/",
    "admin [page explorer]": lambda w: f"/admin/pages/{w.guidance_index.pk}/",
    "admin [edit the draft guidance]": lambda w: f"/admin/pages/{w.draft_guidance.pk}/edit/",
    "admin [documents]": lambda w: "/admin/documents/",
    "admin [images]": lambda w: "/admin/images/",
    "admin [links library snippets]": lambda w: "/admin/snippets/portal/link/",
    "admin [users]": lambda w: "/admin/users/",
    "admin [search]": lambda w: "/admin/pages/search/?q=tariff",
}


def _reverser(case: str, args: tuple):
    def build(w) -> str:
        return reverse(route_of(case), args=[attrgetter(a[2:])(w) if isinstance(a, str) and a.startswith("w.") else a for a in args])

    return build


URLS = {**{case: _reverser(case, args) for case, args in REVERSED.items()}, **BUILT}

# Which viewers may see each private marker anywhere in a body.
MARKER_VIEWERS = {
    ADMIN_ONLY_PHONE: {"network_admin"},
    DRAFT_TITLE: {"network_admin", "sha_editor"},
    MODERATORS_THREAD_TITLE: {"moderator", "network_admin"},
}


def route_of(case: str) -> str:
    return case.split(" [")[0]


def _walk(patterns, prefix="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            if pattern.name:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            else:
                callback = pattern.lookup_str
                name = callback
            yield prefix + str(pattern.pattern), name


def configured_routes() -> set[str]:
    """Every non-admin route name, plus each Wagtail page type and routable sub-page."""
    from wagtail.contrib.routable_page.models import RoutablePageMixin
    from wagtail.models import get_page_models

    routes = {name for path, name in _walk(get_resolver().url_patterns) if not path.startswith(ADMIN_PREFIX)}
    for model in get_page_models():
        if model._meta.label == "wagtailcore.Page":
            continue
        label = model._meta.label
        if issubclass(model, RoutablePageMixin):
            # The mixin's own "index_route" is the page itself.
            routes |= {f"wagtail_serve [{label}:{p.name}]" for p in model.get_subpage_urls() if p.name != "index_route"}
        routes.add(f"wagtail_serve [{label}]")
    return routes


def _covers(route: str, case: str) -> bool:
    if route.startswith("wagtail_serve ["):
        return case.startswith(route[:-1] + " ") or case.startswith(route[:-1] + "]")
    return route_of(case) == route


def outcome(response) -> str:
    if response.status_code in (301, 302):
        location = response["Location"]
        if location.startswith((settings.LOGIN_URL, "/admin/login/")):
            return "login"
        return "302"
    return str(response.status_code)


def leaked_markers(response, viewer: str) -> list[str]:
    # Reading a streamed body to the end also closes its file, as a server would.
    data = b"".join(response.streaming_content) if response.streaming else response.content
    body = data.decode("utf-8", "replace")
    return [marker for marker, allowed in MARKER_VIEWERS.items() if marker in body and viewer not in allowed]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The region, built once for the whole module inside a transaction rolled back at the end."""
    media = tmp_path_factory.mktemp("security-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=str(media), PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        outer = transaction.atomic()
        outer._from_testcase = True  # as Django's TestCase marks its own, so services' durable blocks may nest
        with outer:
            w = build_world()
            # Two clients for the whole module: a client's first request loads the middleware, and WhiteNoise
            # then scans every static file (a tenth of a second each time, most of a cell's cost).
            w.client, w.csrf_client = Client(), Client(enforce_csrf_checks=True)
            w.session_keys = {}
            for viewer in VIEWERS[1:]:
                w.client.cookies = SimpleCookie()  # a fresh session each, not the last viewer's flushed one
                w.client.force_login(getattr(w, viewer).user)
                w.session_keys[viewer] = w.client.cookies[settings.SESSION_COOKIE_NAME].value
            yield w
            transaction.set_rollback(True)


def client_as(world, viewer: str, *, csrf_checks: bool = False) -> Client:
    """The module's client with nothing but ``viewer``'s session cookie (no cookie left by an earlier answer)."""
    client = world.csrf_client if csrf_checks else world.client
    client.cookies = SimpleCookie()
    if viewer != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = world.session_keys[viewer]
    return client


def observe(world, case: str) -> tuple[str, list[str]]:
    url = URLS[case](world)
    outcomes, leaks = [], []
    for viewer in VIEWERS:
        response = client_as(world, viewer).get(url)
        outcomes.append(outcome(response))
        leaks += [f"{viewer} sees {marker!r}" for marker in leaked_markers(response, viewer)]
    return " ".join(outcomes), leaks


def test_every_route_has_an_expectation():
    missing = sorted(route for route in configured_routes() if not any(_covers(route, case) for case in EXPECTED))
    assert not missing, (
        f"No expectation for {', '.join(missing)}. Add a line for each to URLS and EXPECTED in "
        "tests/security/test_url_matrix.py saying what each of the seven viewers gets."
    )


def test_every_expectation_has_an_address_and_seven_outcomes():
    assert set(EXPECTED) == set(URLS)
    assert all(len(row.split()) == len(VIEWERS) for row in EXPECTED.values())


@pytest.mark.django_db
@pytest.mark.parametrize("case", list(EXPECTED))
def test_route_answers_each_viewer_as_expected_and_shows_no_private_marker(world, case):
    actual, leaks = observe(world, case)
    expected = " ".join(EXPECTED[case].split())
    assert actual == expected, f"{case}\n  viewers:  {' '.join(VIEWERS)}\n  expected: {expected}\n  actual:   {actual}"
    assert not leaks


# POSTs that must work without a CSRF token, and why.
CSRF_EXEMPT = {
    # RFC 8058 one-click unsubscribe: the mail client POSTs from the message, with no portal page or cookie.
    "guidance:one_click_unsubscribe",
}


@pytest.mark.django_db
def test_every_route_refuses_a_post_without_a_csrf_token(world):
    """A network administrator's session (the widest rights) POSTing nothing but a session cookie."""
    accepted = []
    for case, build in URLS.items():
        response = client_as(world, "network_admin", csrf_checks=True).post(build(world))
        refused = response.status_code == 403 and b"Your form could not be sent" in response.content  # 403_csrf.html
        if not refused and route_of(case) not in CSRF_EXEMPT:
            accepted.append(f"{case} ({response.status_code})")
    assert not accepted, f"POST without a CSRF token was not refused by: {', '.join(accepted)}"
