"""One small region with something behind every route, built once for the security matrix.

Seven viewers (anonymous plus six members in the conftest roles), and for each
kind of thing a URL can point at: a public and a members-only version, another
organisation's work, a draft, a private and a public document, a booking, feeds and tokens.
Two private markers let the matrix check bodies as well as status codes: a
telephone number only administrators may see, and the title of a draft page
nobody outside the Wagtail admin may see.
"""
from __future__ import annotations

import io
from datetime import timedelta
from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from portal.core.roles import Role

PASSWORD = "Correct-horse-battery-9"
ADMIN_ONLY_PHONE = "01206 555 0199"
DRAFT_TITLE = "Unpublished guidance on the 2009 tariff changes"
MODERATORS_THREAD_TITLE = "Moderators only: a member we are worried about"

VIEWERS = ("anonymous", "member", "other_org_member", "cluster_lead", "moderator", "network_admin", "sha_editor")


def docx_upload(name: str = "business-case.docx", text: str = "Business case") -> SimpleUploadedFile:
    from docx import Document

    document = Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")


def _member(n: int, first: str, last: str, organisation, roles=(Role.MEMBER,), *, status="approved", mfa=False, **fields):
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    from directory.models import Member
    from portal.core.roles import grant_role

    email = f"security{n}@example.nhs.uk"
    user = get_user_model().objects.create_user(username=f"security{n}", email=email, password=PASSWORD, first_name=first, last_name=last)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    member = Member.objects.create(user=user, status=status, job_role=fields.pop("job_role", "gp"), **fields)
    member.organisations.set([organisation])
    if status == "approved":
        for role in roles:
            grant_role(user, role)
    if mfa:
        from allauth.mfa.totp.internal.auth import TOTP

        TOTP.activate(user, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    return member


def _publish(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page.specific_class.objects.get(pk=page.pk)


def build_world() -> SimpleNamespace:
    from wagtail.documents import get_document_model

    from directory.models import Invitation, Organisation, ServiceArea
    from events.models import EventIndexPage, EventPage, EventSession
    from events.services import book_place, get_or_create_feed
    from forum.models import Board, Subsection
    from forum.services import edit_post, post_reply, post_thread, report_post, subscribe, unsubscribe_token
    from portal.core.documents import public_collection
    from portal.core.roles import sync_roles
    from portal.guidance.models import GuidanceIndexPage, GuidancePage, NewsletterArchivePage
    from portal.guidance.services import create_newsletter_issue, ensure_guidance_workflow
    from portal.guidance.services import unsubscribe_token as newsletter_token
    from portal.site.models import HomePage, StandardPage
    from redesign.models import CaseStudyIndexPage, CaseStudyPage, RedesignSectionPage
    from redesign.services import attach_document, create_entry, create_template
    from tests.conftest import restore_migration_data

    restore_migration_data()
    sync_roles()
    w = SimpleNamespace()

    def org(name, kind, parent=None):
        return Organisation.objects.create(name=name, kind=kind, parent=parent)

    sha = org("NHS East of England", "sha")
    pct = org("North East Essex PCT", "pct", sha)
    consortium = org("Colchester Commissioning Consortium", "consortium", pct)
    w.cluster = org("Colchester Town Cluster", "cluster", consortium)
    w.other_cluster = org("Tendring Cluster", "cluster", consortium)
    w.practice = org("Castle Gate Surgery", "practice", w.cluster)
    w.other_practice = org("Walton Harbour Surgery", "practice", w.other_cluster)
    w.area = ServiceArea.objects.create(name="Dermatology")

    w.member = _member(1, "Fiona", "Marsh", w.practice)
    w.other_org_member = _member(2, "Oliver", "Grant", w.other_practice)
    w.cluster_lead = _member(3, "Priya", "Raman", w.cluster, [Role.MEMBER, Role.CLUSTER_LEAD])
    w.moderator = _member(4, "Judith", "Oakley", pct, [Role.MEMBER, Role.MODERATOR])
    w.network_admin = _member(5, "Ruth", "Okafor", sha, [Role.MEMBER, Role.NETWORK_ADMIN], mfa=True, job_role="sha_staff")
    w.sha_editor = _member(6, "Andrew", "Vale", sha, [Role.MEMBER, Role.SHA_EDITOR], mfa=True, job_role="sha_staff")
    # Whose profile the profile URLs show: her telephone number is for administrators only.
    w.colleague = _member(7, "Mary", "Hollis", w.practice, phone=ADMIN_ONLY_PHONE, phone_visibility="admins")
    w.pending = _member(8, "Peter", "Waiting", w.practice, status="pending")
    w.invitation = Invitation.objects.create(email="newcomer@example.nhs.uk", invited_by=w.network_admin.user)

    # Pages: a public and a members-only one of each kind that has an audience, and a draft.
    home = HomePage.objects.first()
    w.home = home
    w.about = _publish(home, StandardPage(title="About the network", slug="about"))
    w.members_page = _publish(home, StandardPage(title="Members' handbook", slug="handbook", is_public=False))
    guidance = _publish(home, GuidanceIndexPage(title="Guidance", slug="guidance"))
    ensure_guidance_workflow(guidance)
    w.guidance_index = guidance
    w.public_guidance = _publish(guidance, GuidancePage(title="World Class Commissioning", slug="wcc", summary="Public.", audience="public"))
    w.members_guidance = _publish(guidance, GuidancePage(title="Indicative budgets 2008", slug="budgets", summary="Members.", audience="members"))
    draft = GuidancePage(title=DRAFT_TITLE, slug="draft-tariff", summary="Draft.", live=False)
    guidance.add_child(instance=draft)
    draft.save_revision()
    w.draft_guidance = draft
    w.newsletter = _publish(home, NewsletterArchivePage(title="Newsletter", slug="newsletter"))
    w.issue = create_newsletter_issue(w.newsletter, title="PbC Network news, May 2008", introduction="Welcome.", items=[],
                                      author=w.network_admin.user)
    section = _publish(home, RedesignSectionPage(title="Re-design", slug="redesign"))
    studies = _publish(section, CaseStudyIndexPage(title="Case studies", slug="case-studies"))
    w.case_study_index = studies
    w.public_case_study = _publish(studies, CaseStudyPage(title="Community dermatology in Colchester", slug="dermatology", audience="public"))
    w.members_case_study = _publish(studies, CaseStudyPage(title="Tendring MSK triage", slug="msk", audience="members"))
    events = _publish(home, EventIndexPage(title="Events", slug="events"))
    w.events_index = events
    start = (timezone.now() + timedelta(days=14)).replace(microsecond=0)

    def event(title, slug, audience):
        page = EventPage(title=title, slug=slug, audience=audience, event_type="training_course", capacity=10, venue="LMC offices")
        page.sessions.add(EventSession(starts_at=start, ends_at=start + timedelta(hours=3)))
        return _publish(events, page)

    w.public_event = event("PbC open day", "open-day", "public")
    w.members_event = event("Communication skills", "communication-skills", "members")
    w.booking = book_place(w.members_event, w.member)
    w.feed = get_or_create_feed(w.member)

    # Re-design: the cluster's entry with a document, a members-only and a public template.
    w.entry = create_entry(actor=w.cluster_lead.user, organisation=w.cluster, service_area=w.area, title="Community dermatology service")
    w.entry_document = attach_document(w.entry, actor=w.cluster_lead.user, title="Dermatology business case", upload=docx_upload())
    w.template = create_template(actor=w.network_admin.user, title="Business case template", kind="business_case", upload=docx_upload())
    w.public_template = create_template(actor=w.network_admin.user, title="Specification template", kind="service_specification",
                                        upload=docx_upload("spec.docx"), audience="public")
    Document = get_document_model()
    w.private_document = w.template.versions.get().document
    w.public_document = w.public_template.versions.get().document
    w.plain_document = Document.objects.create(title="Network leaflet", file=docx_upload("leaflet.docx"))
    w.public_collection_document = Document.objects.create(title="Briefing note for practices", file=docx_upload("briefing.docx"),
                                                           collection=public_collection())

    # Forum: a thread with a reply, an attachment and a report; a board for moderators only.
    management = Subsection.objects.create(name="Management", position=1)
    w.board = Board.objects.create(subsection=management, name="Commissioning and contracts")
    w.moderators_board = Board.objects.create(subsection=management, name="Moderators' room", audience=Board.Audience.MODERATORS)
    w.thread = post_thread(w.member, w.board, title="When are we likely to see the draft Procurement Guide?", body="Has anyone seen it?",
                           attachments=[docx_upload("procurement-notes.docx")])
    w.attachment = w.thread.attachments.get()
    w.reply = post_reply(w.other_org_member, w.thread, body="Not yet.")
    w.revision = edit_post(w.other_org_member, w.reply, body="Not yet: May.").revisions.get()
    w.report = report_post(w.other_org_member, w.thread, reason="Off topic")
    w.moderators_thread = post_thread(w.moderator, w.moderators_board, title=MODERATORS_THREAD_TITLE, body="Private.")
    w.subscription = subscribe(w.member, thread=w.thread)
    w.forum_unsubscribe_token = unsubscribe_token(w.subscription)
    w.newsletter_token = newsletter_token(w.member.user)
    return w
