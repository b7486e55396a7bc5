"""Who has done this: people ranked by evidence of work on a service area, with the evidence shown."""
from __future__ import annotations

import pytest

from directory.areas.expertise import WEIGHTS, find_experts
from directory.models import Visibility
from directory.privacy import policy_for
from forum import services as forum
from portal.core.roles import Role
from redesign.models import Stage


@pytest.fixture
def people(make_member, region, service_areas, make_entry, boards, publish_case_study):
    """Five people with different evidence on dermatology."""
    derm = service_areas["Dermatology"]
    alice = make_member(first_name="Alice", last_name="Archer", organisations=[region["cluster"]])
    bob = make_member(first_name="Bob", last_name="Baker", organisations=[region["other_cluster"]])
    carol = make_member(first_name="Carol", last_name="Cole", organisations=[region["practice"]])
    dave = make_member(first_name="Dave", last_name="Dunn", organisations=[region["practice"]])
    erin = make_member(first_name="Erin", last_name="Ellis", organisations=[region["practice"]])
    asker = make_member(first_name="Sam", last_name="Asker", organisations=[region["other_practice"]])

    make_entry(title="Community dermatology service", stage=Stage.LIVE, leads=[alice])
    alice.specialties.add(derm)
    make_entry(title="Teledermatology pilot", stage=Stage.IDEA, leads=[carol], organisation=region["other_cluster"])
    publish_case_study("Skin clinic in Tendring", service_area=derm, owner=bob.user)
    thread = forum.post_thread(asker, boards["clinical"], title="Who sees moles in the community?", body="?", service_areas=[derm])
    forum.accept_answer(asker, forum.post_reply(bob, thread, body="Our GPwSI clinic does."))
    dave.specialties.add(derm)
    erin.interests.add(derm)
    return {"alice": alice, "bob": bob, "carol": carol, "dave": dave, "erin": erin, "asker": asker, "thread": thread}


def test_people_are_ranked_by_evidence_of_work_above_what_they_declared(people, service_areas, member):
    experts = find_experts(service_areas["Dermatology"], viewer=member.user, policy=policy_for(member.user))

    assert [(e.member.user.first_name, e.score) for e in experts] == [
        ("Alice", WEIGHTS["lead_finished"] + WEIGHTS["specialty"]),   # 8
        ("Bob", WEIGHTS["case_study"] + WEIGHTS["accepted_answer"]),  # 7
        ("Carol", WEIGHTS["lead"]),                                   # 3
        ("Dave", WEIGHTS["specialty"]),                               # 2
        ("Erin", WEIGHTS["interest"]),                                # 1
    ]


def test_each_result_carries_its_evidence(people, service_areas, member):
    experts = {e.member.user.first_name: e for e in find_experts(service_areas["Dermatology"], viewer=member.user, policy=policy_for(member.user))}

    assert [e.text for e in experts["Alice"].evidence] == [
        "Leads Community dermatology service (Colchester Town Cluster), now at live",
        "Lists Dermatology as a specialty",
    ]
    assert [(e.kind, e.text) for e in experts["Bob"].evidence] == [
        ("case_study", "Wrote the case study Skin clinic in Tendring"),
        ("accepted_answer", "Answer accepted on Who sees moles in the community?"),
    ]
    assert experts["Bob"].evidence[1].url == people["thread"].get_absolute_url()


def test_page_shows_evidence_with_links(client_for, member, people):
    response = client_for(member).get("/areas/expertise/", {"area": "dermatology"})

    html = response.content.decode()
    assert response.status_code == 200
    assert f'href="{people["thread"].get_absolute_url()}"' in html
    assert "Leads Community dermatology service (Colchester Town Cluster), now at live" in html
    assert html.index("Alice Archer") < html.index("Bob Baker") < html.index("Erin Ellis")


def test_deactivated_and_erased_people_are_left_out(people, service_areas, member, network_admin):
    from directory.services import deactivate_member, erase_member

    deactivate_member(people["alice"], by=network_admin.user)
    erase_member(people["bob"], by=network_admin.user)

    names = [e.member.user.first_name for e in find_experts(service_areas["Dermatology"], viewer=member.user, policy=policy_for(member.user))]
    assert names == ["Carol", "Dave", "Erin"]


def test_contact_details_follow_each_persons_privacy_choices(client_for, member, people):
    alice = people["alice"]
    alice.phone, alice.phone_visibility, alice.email_visibility = "01206 555 0101", Visibility.ADMINS, Visibility.MEMBERS
    alice.save(update_fields=["phone", "phone_visibility", "email_visibility"])

    html = client_for(member).get("/areas/expertise/", {"area": "dermatology"}).content.decode()

    assert alice.user.email in html
    assert "01206 555 0101" not in html


def test_accepted_answers_on_boards_the_viewer_cannot_read_do_not_count(people, service_areas, make_member, boards, member, moderator):
    derm = service_areas["Dermatology"]
    mod_asker = make_member(roles=[Role.MEMBER, Role.MODERATOR])
    thread = forum.post_thread(mod_asker, boards["moderators"], title="Removing skin-cream spam", body="?", service_areas=[derm])
    forum.accept_answer(mod_asker, forum.post_reply(moderator, thread, body="Done."))

    as_member = {e.member.pk: e.score for e in find_experts(derm, viewer=member.user, policy=policy_for(member.user))}
    as_moderator = {e.member.pk: e.score for e in find_experts(derm, viewer=moderator.user, policy=policy_for(moderator.user))}

    assert moderator.pk not in as_member
    assert as_moderator[moderator.pk] == WEIGHTS["accepted_answer"]


def test_free_text_is_mapped_to_a_service_area(client_for, member, people):
    response = client_for(member).get("/areas/expertise/", {"q": "dermat"})

    assert response.context["area"].name == "Dermatology"
    assert len(response.context["experts"]) == 5


def test_free_text_matching_nothing_says_so(client_for, member, service_areas):
    response = client_for(member).get("/areas/expertise/", {"q": "astrology"})

    assert response.context["area"] is None
    assert "No service area matches that." in response.content.decode()


def test_finder_is_for_members_only(client, client_for, make_member, region):
    response = client.get("/areas/expertise/", {"area": "dermatology"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    pending = make_member(status="pending")
    assert client_for(pending).get("/areas/expertise/").status_code == 403


@pytest.mark.parametrize("extra", [0, 10])
def test_finder_query_count_does_not_grow_with_people_or_evidence(client_for, member, people, make_member, make_entry, region,
                                                                   service_areas, extra, django_assert_num_queries):
    for n in range(extra):
        lead = make_member(organisations=[region["practice"]])
        lead.specialties.add(service_areas["Dermatology"])
        make_entry(title=f"Dermatology work {n}", stage=Stage.SCOPING, leads=[lead])
    client = client_for(member)
    client.get("/areas/expertise/")  # warm the session
    # 3 for the user with the member row (one query) and viewer organisations (the session and permissions
    # come from the cache); 10 for the area, evidence, people and the form.
    with django_assert_num_queries(13):
        client.get("/areas/expertise/", {"area": "dermatology"})
