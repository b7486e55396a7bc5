"""Similar work on the pages and while writing: the JSON endpoint, the no-JavaScript check, and the seeded demo region."""
from __future__ import annotations

import pytest

DERMATOLOGY_QUESTION = ("We want to stop sending routine skin referrals to hospital. Has anyone set up a GP with special "
                        "interest dermatology service, and is there a specification we could use?")


@pytest.fixture
def demo_region(settings, tmp_path, django_capture_on_commit_callbacks):
    """The demo region with its re-design, events, forum and connected-knowledge content, indexed in full."""
    from events import demo as events_demo
    from forum import demo as forum_demo
    from portal.site.demo import build_region, build_site_pages
    from redesign import connections_demo
    from redesign import demo as redesign_demo
    from search.backends import get_backend
    from search.services import iter_all_documents

    settings.MEDIA_ROOT = tmp_path
    settings.FORUM_POSTS_PER_WINDOW = 1000
    with django_capture_on_commit_callbacks(execute=True):
        region = build_region()
        build_site_pages()
        for module in (redesign_demo, events_demo, forum_demo, connections_demo):
            module.build(region)
    get_backend().rebuild(iter_all_documents())
    return region


@pytest.mark.parametrize("engine", ["database_settings", "elasticsearch_settings"])
def test_a_dermatology_question_finds_the_seeded_dermatology_work(request, engine, db, settings, tmp_path,
                                                                  django_capture_on_commit_callbacks):
    from search.queries import SIMILAR_KINDS, find_similar

    request.getfixturevalue(engine)
    region = request.getfixturevalue("demo_region")
    member = region["members"]["member@pbc-network.nhs.uk"]

    hits = find_similar(DERMATOLOGY_QUESTION, member.user, kinds=["matrix_entry"], limit=5)

    titles = [hit.title for hit in hits]
    assert {"GPwSI community dermatology clinic", "Dermatology triage, assessment and treatment service"} <= set(titles[:3]), titles
    everything = [hit.title for hit in find_similar(DERMATOLOGY_QUESTION, member.user, kinds=SIMILAR_KINDS, limit=5)]
    assert all("dermatolog" in title.lower() for title in everything), everything


def test_similar_json_is_for_members_only(client, db):
    response = client.get("/search/similar.json?text=dermatology")

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_similar_json_lists_similar_work_the_member_may_see(client_for, member, database_settings, cluster_lead, region, service_areas,
                                                            django_capture_on_commit_callbacks):
    from redesign.services import create_entry

    with django_capture_on_commit_callbacks(execute=True):
        create_entry(actor=cluster_lead.user, organisation=region["cluster"], service_area=service_areas["Dermatology"],
                     title="GPwSI dermatology clinic", summary="Routine skin referrals seen in the community by a GP with special interest.")
        create_entry(actor=cluster_lead.user, organisation=region["cluster"], service_area=service_areas["Diabetes"],
                     title="Diabetes foot clinic", summary="Podiatry in the practice.")

    data = client_for(member).get("/search/similar.json", {"text": DERMATOLOGY_QUESTION, "kind": "matrix_entry"}).json()

    assert [r["title"] for r in data["results"]] == ["GPwSI dermatology clinic"]
    assert data["results"][0]["kind"] == "Re-design work" and data["results"][0]["organisation"] == region["cluster"].name


def test_checking_for_similar_work_while_recording_saves_nothing_and_lists_it(client_for, database_settings, cluster_lead, region,
                                                                                service_areas, django_capture_on_commit_callbacks):
    from redesign.models import MatrixEntry
    from redesign.services import create_entry

    with django_capture_on_commit_callbacks(execute=True):
        create_entry(actor=cluster_lead.user, organisation=region["cluster"],
                     service_area=service_areas["Dermatology"], title="GPwSI dermatology clinic",
                     summary="Routine skin referrals seen in the community by a GP with special interest.")
    query = f"service_area={service_areas['Dermatology'].slug}&organisation={region['cluster'].slug}"

    response = client_for(cluster_lead).post(f"/redesign/entries/new/details/?{query}", {
        "title": "Community skin service", "summary": DERMATOLOGY_QUESTION, "check_similar": "1",
    })

    html = response.content.decode()
    assert response.status_code == 200 and MatrixEntry.objects.count() == 1
    assert "Similar work elsewhere in the region" in html and "GPwSI dermatology clinic" in html
    assert 'value="Community skin service"' in html


def test_checking_for_similar_questions_posts_nothing(client_for, database_settings, member, cluster_lead, region, service_areas,
                                                      django_capture_on_commit_callbacks):
    from forum.models import Board, Subsection, Thread
    from redesign.services import create_entry

    board = Board.objects.create(subsection=Subsection.objects.create(name="Clinical", position=1), name="Clinical pathways")
    with django_capture_on_commit_callbacks(execute=True):
        create_entry(actor=cluster_lead.user, organisation=region["cluster"], service_area=service_areas["Dermatology"],
                     title="GPwSI dermatology clinic", summary="Routine skin referrals seen in the community by a GP with special interest.")

    response = client_for(member).post(f"/forum/boards/{board.slug}/new/", {
        "title": "Dermatology specification?", "body": DERMATOLOGY_QUESTION, "check_similar": "1",
    })

    html = response.content.decode()
    assert response.status_code == 200 and not Thread.objects.exists()
    assert "Has this been answered already?" in html and "GPwSI dermatology clinic" in html


def test_entry_page_shows_similar_work_elsewhere_but_not_itself(client_for, database_settings, member, cluster_lead, region,
                                                                 service_areas, django_capture_on_commit_callbacks):
    from redesign.services import create_entry

    with django_capture_on_commit_callbacks(execute=True):
        mine = create_entry(actor=cluster_lead.user, organisation=region["cluster"], service_area=service_areas["Dermatology"],
                            title="Community dermatology service", summary="GPwSI skin clinic for routine referrals.")
        create_entry(actor=cluster_lead.user, organisation=region["cluster"], service_area=service_areas["Dermatology"],
                     title="Dermatology triage service", summary="Triage of skin referrals by a GPwSI.")

    html = client_for(member).get(mine.get_absolute_url()).content.decode()
    similar = html.split("Similar work elsewhere in the region", 1)[1]

    assert "Dermatology triage service" in similar and "Community dermatology service" not in similar
