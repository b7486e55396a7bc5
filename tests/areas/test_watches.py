"""Service-area watches: defaults from the profile, opt-outs that last, and notifications that respect who may see what."""
from __future__ import annotations

from django.core import mail

from directory.areas.models import Movement, ServiceAreaWatch
from directory.areas.services import follow_area, notify_followers, stop_following
from forum.services import hide_post, post_thread, send_digest
from portal.core.notifications import Notification
from portal.core.roles import Role
from redesign import services as redesign
from redesign.models import Stage, Template
from tests.areas.conftest import docx_upload


def movement_notes(member):
    return list(Notification.objects.filter(member=member, kind=Notification.Kind.MOVEMENT).order_by("pk"))


def _profile(member, **changes):
    from directory.services import update_profile

    fields = {"first_name": member.user.first_name, "last_name": member.user.last_name, "job_role": member.job_role,
              "organisations": list(member.organisations.all()), "specialties": list(member.specialties.all()),
              "interests": list(member.interests.all())}
    return update_profile(member, **{**fields, **changes})


# --- following -------------------------------------------------------------------------------------------


def test_profile_specialties_and_interests_start_watches(member, service_areas):
    _profile(member, specialties=[service_areas["Dermatology"]], interests=[service_areas["Diabetes"]])

    watches = ServiceAreaWatch.objects.filter(member=member, is_active=True)
    assert {w.service_area.name for w in watches} == {"Dermatology", "Diabetes"}
    assert {w.source for w in watches} == {ServiceAreaWatch.Source.DECLARED}


def test_switched_off_watch_stays_off_when_the_profile_is_saved_again(member, service_areas):
    derm = service_areas["Dermatology"]
    _profile(member, specialties=[derm])
    stop_following(member, derm)

    _profile(member, specialties=[derm], job_title="GP with a special interest")

    assert not ServiceAreaWatch.objects.get(member=member, service_area=derm).is_active


def test_removing_a_specialty_removes_its_default_watch_but_not_a_chosen_one(member, service_areas):
    derm, copd = service_areas["Dermatology"], service_areas["COPD"]
    _profile(member, specialties=[derm, copd])
    follow_area(member, copd)  # chosen explicitly as well: the row already exists, it stays declared

    _profile(member, specialties=[copd])

    assert list(ServiceAreaWatch.objects.filter(member=member).values_list("service_area__name", flat=True)) == ["COPD"]


def test_following_an_area_again_switches_the_watch_back_on(member, service_areas):
    derm = service_areas["Dermatology"]
    stop_following(member, derm)
    follow_area(member, derm)
    stop_following(member, derm)

    watch = follow_area(member, derm, digest="daily")

    assert watch.is_active and watch.digest == "daily" and watch.source == ServiceAreaWatch.Source.EXPLICIT


def test_demo_members_follow_their_declared_areas(db):
    from portal.site.demo import build_region

    region = build_region()
    member = region["members"]["cluster.lead@pbc-network.nhs.uk"]
    declared = set(member.specialties.values_list("name", flat=True)) | set(member.interests.values_list("name", flat=True))
    assert declared
    assert set(member.area_watches.filter(is_active=True).values_list("service_area__name", flat=True)) == declared


# --- what moves -------------------------------------------------------------------------------------------


def test_stage_change_tells_followers_but_not_the_person_who_moved_it(
    cluster_lead, member, other_org_member, service_areas, region, follow, django_capture_on_commit_callbacks
):
    derm = service_areas["Dermatology"]
    follow(member, derm)
    follow(cluster_lead, derm)
    follow(other_org_member, service_areas["COPD"])
    with django_capture_on_commit_callbacks(execute=True):
        entry = redesign.create_entry(actor=cluster_lead.user, organisation=region["cluster"], service_area=derm,
                                      title="Community dermatology service")
    with django_capture_on_commit_callbacks(execute=True):
        redesign.change_stage(entry, actor=cluster_lead.user, to_stage=Stage.SCOPING)

    texts = [n.text for n in movement_notes(member)]
    assert texts == [
        "Colchester Town Cluster started re-design work on Dermatology: Community dermatology service",
        "Dermatology: Colchester Town Cluster's Community dermatology service moved from Idea to Scoping",
    ]
    assert movement_notes(member)[1].get_absolute_url() == entry.get_absolute_url()
    assert movement_notes(cluster_lead) == []
    assert movement_notes(other_org_member) == []


def test_new_template_and_new_version_tell_followers(network_admin, member, service_areas, follow, django_capture_on_commit_callbacks):
    follow(member, service_areas["Musculoskeletal"])
    with django_capture_on_commit_callbacks(execute=True):
        template = redesign.create_template(actor=network_admin.user, title="MSK triage business case",
                                            kind=Template.Kind.BUSINESS_CASE, upload=docx_upload(),
                                            service_area=service_areas["Musculoskeletal"])
    with django_capture_on_commit_callbacks(execute=True):
        redesign.add_template_version(template, actor=network_admin.user, upload=docx_upload(text="v2"), notes="NICE update")

    assert [n.text for n in movement_notes(member)] == [
        "New template on Musculoskeletal: MSK triage business case",
        "Musculoskeletal: version 2 of the template MSK triage business case",
    ]


def test_case_study_is_announced_on_first_publication_only(member, cluster_lead, service_areas, follow, publish_case_study,
                                                           django_capture_on_commit_callbacks):
    follow(member, service_areas["Dermatology"])
    with django_capture_on_commit_callbacks(execute=True):
        page = publish_case_study("Skin clinic in the community", service_area=service_areas["Dermatology"], owner=cluster_lead.user)
    with django_capture_on_commit_callbacks(execute=True):
        page.title = "Skin clinic in the community (updated)"
        page.save_revision(user=cluster_lead.user).publish()

    assert [n.text for n in movement_notes(member)] == ["New case study on Dermatology: Skin clinic in the community"]
    assert movement_notes(member)[0].get_absolute_url() == page.url


def test_question_tagged_with_an_area_tells_its_followers(member, other_org_member, boards, service_areas, follow,
                                                          django_capture_on_commit_callbacks):
    follow(other_org_member, service_areas["Diabetes"])
    with django_capture_on_commit_callbacks(execute=True):
        thread = post_thread(member, boards["clinical"], title="Foot checks in diabetes clinics?", body="Who does them?",
                             service_areas=[service_areas["Diabetes"], service_areas["Prescribing"]])

    notes = movement_notes(other_org_member)
    assert [n.text for n in notes] == ["New question on Clinical pathways: Foot checks in diabetes clinics?"]
    assert notes[0].get_absolute_url() == thread.get_absolute_url()


def test_follower_of_two_tagged_areas_is_told_once(member, other_org_member, boards, service_areas, follow,
                                                   django_capture_on_commit_callbacks):
    follow(other_org_member, service_areas["Diabetes"])
    follow(other_org_member, service_areas["Prescribing"])
    with django_capture_on_commit_callbacks(execute=True):
        post_thread(member, boards["clinical"], title="Metformin shortages", body="What are you doing?",
                    service_areas=[service_areas["Diabetes"], service_areas["Prescribing"]])

    assert len(movement_notes(other_org_member)) == 1


# --- permissions and opt-outs -------------------------------------------------------------------------------


def test_question_on_a_moderators_board_reaches_only_followers_who_may_read_it(
    make_member, moderator, other_org_member, boards, service_areas, follow, django_capture_on_commit_callbacks
):
    derm = service_areas["Dermatology"]
    follow(other_org_member, derm)
    follow(moderator, derm)
    asker = make_member(roles=[Role.MEMBER, Role.MODERATOR])
    with django_capture_on_commit_callbacks(execute=True):
        post_thread(asker, boards["moderators"], title="Spam about skin creams", body="Hide these?", service_areas=[derm])

    assert movement_notes(other_org_member) == []
    assert len(movement_notes(moderator)) == 1


def test_permission_is_checked_when_sending_not_when_the_thing_moved(
    member, other_org_member, moderator, boards, service_areas, follow, django_capture_on_commit_callbacks
):
    follow(other_org_member, service_areas["COPD"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        thread = post_thread(member, boards["clinical"], title="Buy cheap inhalers", body="Spam", service_areas=[service_areas["COPD"]])
    hide_post(moderator, thread, reason="Spam")
    for callback in callbacks:
        callback()

    assert movement_notes(other_org_member) == []
    assert Movement.objects.get(thread=thread).notified_at is not None


def test_switched_off_watch_hears_nothing(member, other_org_member, boards, service_areas, follow, django_capture_on_commit_callbacks):
    follow(other_org_member, service_areas["COPD"])
    stop_following(other_org_member, service_areas["COPD"])
    with django_capture_on_commit_callbacks(execute=True):
        post_thread(member, boards["clinical"], title="Pulmonary rehab waiting lists", body="How long?", service_areas=[service_areas["COPD"]])

    assert movement_notes(other_org_member) == []


def test_deactivated_and_erased_followers_hear_nothing(
    member, make_member, network_admin, boards, service_areas, follow, django_capture_on_commit_callbacks
):
    from directory.services import deactivate_member, erase_member

    gone, erased = make_member(), make_member()
    follow(gone, service_areas["COPD"])
    follow(erased, service_areas["COPD"])
    deactivate_member(gone, by=network_admin.user)
    erase_member(erased, by=network_admin.user)
    with django_capture_on_commit_callbacks(execute=True):
        post_thread(member, boards["clinical"], title="Spirometry training", body="Anyone running it?", service_areas=[service_areas["COPD"]])

    assert Notification.objects.filter(kind=Notification.Kind.MOVEMENT).count() == 0


def test_notifying_twice_tells_nobody_twice(member, other_org_member, boards, service_areas, follow, django_capture_on_commit_callbacks):
    follow(other_org_member, service_areas["COPD"])
    with django_capture_on_commit_callbacks(execute=True):
        thread = post_thread(member, boards["clinical"], title="Oxygen assessments", body="Who provides?", service_areas=[service_areas["COPD"]])
    movement = Movement.objects.get(thread=thread)

    assert notify_followers(movement.pk) == 0
    Movement.objects.filter(pk=movement.pk).update(notified_at=None)  # as if the task died after writing its notifications
    assert notify_followers(movement.pk) == 0
    assert len(movement_notes(other_org_member)) == 1


# --- the digest ----------------------------------------------------------------------------------------------


def test_digest_has_a_movements_in_your_areas_section(member, other_org_member, cluster_lead, region, boards, service_areas, follow,
                                                      django_capture_on_commit_callbacks):
    follow(other_org_member, service_areas["Dermatology"], digest="weekly")
    with django_capture_on_commit_callbacks(execute=True):
        entry = redesign.create_entry(actor=cluster_lead.user, organisation=region["cluster"], service_area=service_areas["Dermatology"],
                                      title="Teledermatology pilot")
        post_thread(member, boards["clinical"], title="Dermatoscopes for practices?", body="Funding?", service_areas=[service_areas["Dermatology"]])
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert send_digest("weekly") == 1

    body = mail.outbox[0].body
    assert mail.outbox[0].to == [other_org_member.user.email]
    assert "Movements in your areas" in body
    assert "Colchester Town Cluster started re-design work on Dermatology: Teledermatology pilot" in body
    assert f"http://testserver{entry.get_absolute_url()}" in body
    assert "New question on Clinical pathways: Dermatoscopes for practices?" in body
    assert "http://testserver/areas/following/" in body


def test_digest_does_not_repeat_movements_already_sent(member, other_org_member, boards, service_areas, follow, django_capture_on_commit_callbacks):
    follow(other_org_member, service_areas["Diabetes"], digest="daily")
    with django_capture_on_commit_callbacks(execute=True):
        post_thread(member, boards["clinical"], title="Insulin starts in primary care", body="?", service_areas=[service_areas["Diabetes"]])
    with django_capture_on_commit_callbacks(execute=True):
        assert send_digest("daily") == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert send_digest("daily") == 0


def test_digest_leaves_out_movements_the_member_may_not_see(make_member, other_org_member, boards, service_areas, follow,
                                                            django_capture_on_commit_callbacks):
    follow(other_org_member, service_areas["Dermatology"])
    asker = make_member(roles=[Role.MEMBER, Role.MODERATOR])
    with django_capture_on_commit_callbacks(execute=True):
        post_thread(asker, boards["moderators"], title="Moderators only", body="x", service_areas=[service_areas["Dermatology"]])
    with django_capture_on_commit_callbacks(execute=True):
        assert send_digest("weekly") == 0


def test_area_watch_with_digest_off_gets_no_email(member, other_org_member, boards, service_areas, follow, django_capture_on_commit_callbacks):
    follow(other_org_member, service_areas["Diabetes"], digest="none")
    with django_capture_on_commit_callbacks(execute=True):
        post_thread(member, boards["clinical"], title="Retinal screening", body="?", service_areas=[service_areas["Diabetes"]])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_digest("weekly") == 0
    assert len(movement_notes(other_org_member)) == 1  # still told in the site
