"""The contract every search backend passes: embedded (SQLite or PostgreSQL) and Elasticsearch (OpenSearch)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from search.registry import MEMBERS, PUBLIC
from tests.search.conftest import make_document, seed_documents


def keys(results):
    return [hit.key for hit in results.hits]


def facet(results, name):
    return {f.value: f.count for f in results.facets.get(name, [])}


def test_stemming_services_finds_service(backend):
    backend.index_documents([make_document(1, "Community dermatology service", "A nurse-led service in Colchester.")])

    assert keys(backend.search("services")) == ["case_study:1"]


def test_stemming_plural_document_found_by_singular(backend):
    backend.index_documents([make_document(1, "Pathways", "Referral pathways for diabetes patients.")])

    assert keys(backend.search("pathway patient")) == ["case_study:1"]


def test_synonym_msk_finds_musculoskeletal(backend):
    backend.index_documents([make_document(1, "Back pain", "A musculoskeletal assessment clinic.")])

    assert keys(backend.search("MSK")) == ["case_study:1"]


def test_synonym_expands_abbreviation_from_phrase(backend):
    backend.index_documents([make_document(1, "COPD in the community", "Respiratory nurses visit at home.")])

    assert keys(backend.search("chronic obstructive pulmonary disease")) == ["case_study:1"]


def test_synonym_pbc_finds_practice_based_commissioning(backend):
    backend.index_documents([
        make_document(1, "Briefing", "Practice based commissioning gives practices indicative budgets."),
        make_document(2, "Minutes", "Nothing about it here."),
    ])

    assert keys(backend.search("PbC budgets")) == ["case_study:1"]


def test_synonym_a_and_e_finds_accident_and_emergency(backend):
    backend.index_documents([make_document(1, "Urgent care", "Fewer attendances at accident and emergency departments.")])

    assert keys(backend.search("A&E attendances")) == ["case_study:1"]


def test_highlight_marks_matched_words(backend):
    backend.index_documents([make_document(1, "Plan", "The dermatology business case was approved by the PCT board.")])

    highlight = backend.search("dermatology").hits[0].highlight

    assert "<mark>dermatology</mark>" in highlight


def test_highlight_escapes_markup_in_the_text(backend):
    backend.index_documents([make_document(1, "Plan", "Dermatology <script>alert(1)</script> & <b>budgets</b>")])

    highlight = backend.search("dermatology").hits[0].highlight

    assert "<script>" not in highlight and "<b>" not in highlight
    assert highlight.replace("<mark>", "").replace("</mark>", "").count("<") == 0


def test_facets_count_kind_service_area_organisation_and_year(backend):
    backend.index_documents([
        make_document(1, "Diabetes clinic", "diabetes", kind="case_study", areas=["Diabetes"], organisation="Tendring Cluster",
                      date=datetime(2007, 5, 1, tzinfo=timezone.utc)),
        make_document(2, "Diabetes education", "diabetes", kind="event", areas=["Diabetes", "Prescribing"], organisation="Tendring Cluster",
                      date=datetime(2008, 5, 1, tzinfo=timezone.utc)),
        make_document(3, "Diabetes guidance", "diabetes", kind="guidance", areas=["Prescribing"], organisation="NHS East of England",
                      date=datetime(2008, 7, 1, tzinfo=timezone.utc)),
    ])

    results = backend.search("diabetes")

    assert results.total == 3
    assert facet(results, "kind") == {"case_study": 1, "event": 1, "guidance": 1}
    assert facet(results, "service_area") == {"Diabetes": 2, "Prescribing": 2}
    assert facet(results, "organisation") == {"Tendring Cluster": 2, "NHS East of England": 1}
    assert facet(results, "year") == {"2008": 2, "2007": 1}


@pytest.mark.parametrize(("filters", "expected"), [
    ({"kind": "event"}, ["event:2"]),
    ({"service_area": "Prescribing"}, ["event:2", "guidance:3"]),
    ({"organisation": "NHS East of England"}, ["guidance:3"]),
    ({"year": "2007"}, ["case_study:1"]),
])
def test_filters_narrow_results_by_facet(backend, filters, expected):
    backend.index_documents([
        make_document(1, "Diabetes clinic", "diabetes", kind="case_study", areas=["Diabetes"], organisation="Tendring Cluster",
                      date=datetime(2007, 5, 1, tzinfo=timezone.utc)),
        make_document(2, "Diabetes education", "diabetes", kind="event", areas=["Diabetes", "Prescribing"], organisation="Tendring Cluster",
                      date=datetime(2008, 5, 1, tzinfo=timezone.utc)),
        make_document(3, "Diabetes guidance", "diabetes", kind="guidance", areas=["Prescribing"], organisation="NHS East of England",
                      date=datetime(2008, 7, 1, tzinfo=timezone.utc)),
    ])

    assert sorted(keys(backend.search("diabetes", filters=filters))) == expected


def _public_and_members(backend):
    backend.index_documents([
        make_document(1, "Public dermatology leaflet", "Dermatology clinics open to all.", kind="guidance", areas=["Dermatology"],
                      organisation="NHS East of England"),
        make_document(2, "Members dermatology business case", "Dermatology budget figures for members, with tariff savings.",
                      kind="case_study", audience=MEMBERS, areas=["Dermatology", "Prescribing"], organisation="Tendring Cluster",
                      date=datetime(2006, 1, 1, tzinfo=timezone.utc)),
    ])


def test_anonymous_sees_public_documents_only(backend):
    _public_and_members(backend)

    results = backend.search("dermatology", viewer_audience=PUBLIC)

    assert keys(results) == ["guidance:1"]
    assert results.total == 1


def test_member_sees_members_documents_too(backend):
    _public_and_members(backend)

    assert sorted(keys(backend.search("dermatology", viewer_audience=MEMBERS))) == ["case_study:2", "guidance:1"]


def test_facet_counts_do_not_count_hidden_documents(backend):
    _public_and_members(backend)

    results = backend.search("dermatology", viewer_audience=PUBLIC)

    assert facet(results, "kind") == {"guidance": 1}
    assert facet(results, "service_area") == {"Dermatology": 1}
    assert facet(results, "organisation") == {"NHS East of England": 1}
    assert "2006" not in facet(results, "year")


def test_members_only_words_find_nothing_for_anonymous(backend):
    _public_and_members(backend)

    results = backend.search("tariff savings", viewer_audience=PUBLIC)

    assert results.total == 0 and results.hits == [] and all(not counts for counts in results.facets.values())


def test_correction_never_offers_members_only_words_to_anonymous(backend):
    _public_and_members(backend)

    public = backend.search("tarif", viewer_audience=PUBLIC)
    member = backend.search("tarif", viewer_audience=MEMBERS)

    assert public.corrected is None and public.total == 0 and public.hits == []
    assert member.corrected == "tariff" and keys(member) == ["case_study:2"]


def test_misspelling_shows_the_corrected_results_at_once(backend):
    backend.index_documents([make_document(1, "Dermatology", "A community dermatology service business case.")])

    results = backend.search("dermatolgy")

    assert results.corrected == "dermatology"
    assert keys(results) == ["case_study:1"]


def test_misspelling_is_searched_as_typed_when_autocorrect_is_off(backend):
    backend.index_documents([make_document(1, "Dermatology", "A community dermatology service business case.")])

    results = backend.search("dermatolgy", autocorrect=False)

    assert results.corrected is None and results.total == 0


def test_question_words_are_not_required(backend):
    backend.index_documents([make_document(1, "Business-case template", "A template for writing a business case.")])

    assert keys(backend.search("how do I write a business case")) == ["case_study:1"]


def test_most_words_match_when_every_word_finds_nothing(backend):
    backend.index_documents([
        make_document(1, "Community dermatology clinic", "Skin referrals seen in the community."),
        make_document(2, "Diabetes clinic", "Foot checks."),
    ])

    results = backend.search("community dermatology clinic tendring")

    assert results.relaxed == "some_words"
    assert keys(results)[0] == "case_study:1"


def test_quoted_phrase_is_never_dropped_when_relaxing(backend):
    backend.index_documents([
        make_document(1, "Community dermatology clinic", "Skin referrals."),
        make_document(2, "Hospital clinic for skin", "Dermatology outpatients in the community hospital."),
    ])

    assert keys(backend.search('"community dermatology" clinic tendring')) == ["case_study:1"]


def test_two_misspelt_words_find_their_near_spellings(backend):
    backend.index_documents([make_document(1, "Ophthalmology pathway", "Glaucoma and cataract follow-up in the community.")])

    results = backend.search("opthalmology glaucomma")

    assert keys(results) == ["case_study:1"]


def test_short_abbreviation_is_not_stemmed_into_another_word(backend):
    backend.index_documents([
        make_document(1, "Directed enhanced services", "The DES for extended hours."),
        make_document(2, "De-escalation training", "Calming an angry patient."),
    ])

    assert keys(backend.search("des")) == ["case_study:1"]


def test_abbreviation_in_capitals_is_found_by_its_long_form(backend):
    backend.index_documents([make_document(1, "Extended hours", "Practices signed up to the LES in April.")])

    assert keys(backend.search("local enhanced services")) == ["case_study:1"]


def test_plural_abbreviation_finds_the_long_form(backend):
    backend.index_documents([make_document(1, "Long-term conditions", "Case management of long term conditions.")])

    assert keys(backend.search("LTCs")) == ["case_study:1"]


def test_skin_finds_dermatology(backend):
    backend.index_documents([make_document(1, "Dermatology triage", "Triage of referrals.")])

    assert keys(backend.search("skin")) == ["case_study:1"]


def test_american_spelling_finds_the_british_one(backend):
    backend.index_documents([make_document(1, "Paediatric asthma", "Children's asthma clinics.")])

    assert keys(backend.search("pediatric asthma")) == ["case_study:1"]


def test_hyphenated_word_is_found_joined_and_split(backend):
    backend.index_documents([make_document(1, "Service re-design", "Physiotherapy self-referral.")])

    assert keys(backend.search("redesign")) == ["case_study:1"]
    assert keys(backend.search("self referral")) == ["case_study:1"]


def test_email_addresses_and_web_addresses_are_not_searched(backend):
    backend.index_documents([make_document(1, "Contacts", "Write to jane.doe@anglia.nhs.uk or see www.westsuffolk.nhs.uk for minutes.")])

    assert backend.search("anglia").total == 0
    assert backend.search("westsuffolk").total == 0


def test_organisation_and_service_area_are_searched(backend):
    backend.index_documents([make_document(1, "Extended scope practitioner triage", "Triage of back pain.", kind="matrix_entry",
                                           organisation="Tendring Cluster", areas=["Urgent care"])])

    assert keys(backend.search("tendring triage")) == ["matrix_entry:1"]
    assert keys(backend.search("urgent care")) == ["matrix_entry:1"]


def test_snippet_has_no_markdown(backend):
    backend.index_documents([make_document(1, "Plan", "**Dermatology** | 2007 | £30,000 |\n|---|---|---|\n## Outcomes")])

    highlight = backend.search("dermatology").hits[0].highlight

    assert "**" not in highlight and "|" not in highlight and "##" not in highlight


def test_title_only_match_still_has_a_highlight(backend):
    backend.index_documents([make_document(1, "Diabetes foot clinic", "Podiatrists check the feet of people with diabetes.")])

    assert "<mark>" in backend.search("diabetes foot clinic").hits[0].highlight


def test_past_event_ranks_below_an_upcoming_one(backend):
    from datetime import timedelta

    now = datetime.now(timezone.utc)
    backend.index_documents([
        make_document(1, "Business case training", "business case training", kind="event", date=now - timedelta(days=40)),
        make_document(2, "Business case training", "business case training", kind="event", date=now + timedelta(days=400)),
    ])

    assert keys(backend.search("business case training")) == ["event:2", "event:1"]


def test_no_suggestion_when_results_are_found(backend):
    backend.index_documents([make_document(1, "Dermatology", "A community dermatology service.")])

    assert backend.search("dermatology").suggestion is None


def test_deleted_document_is_no_longer_found(backend):
    backend.index_documents([make_document(1, "Dermatology", "skin"), make_document(2, "Dermatology too", "skin")])

    backend.delete_documents(["case_study:1", "case_study:999"])

    assert keys(backend.search("dermatology")) == ["case_study:2"]


def test_reindexing_a_document_replaces_it(backend):
    backend.index_documents([make_document(1, "Dermatology", "skin clinic")])
    backend.index_documents([make_document(1, "Diabetes", "foot clinic", audience=MEMBERS)])

    assert backend.search("dermatology", viewer_audience=MEMBERS).total == 0
    assert keys(backend.search("diabetes", viewer_audience=MEMBERS)) == ["case_study:1"]
    assert backend.search("diabetes", viewer_audience=PUBLIC).total == 0


def test_pagination_returns_each_page_once(backend):
    backend.index_documents([make_document(n, f"Clinic {n}", "prescribing clinic") for n in range(1, 8)])

    pages = [backend.search("clinic", page=page, page_size=3) for page in (1, 2, 3)]

    assert [len(p.hits) for p in pages] == [3, 3, 1]
    assert len({key for p in pages for key in keys(p)}) == 7
    assert pages[0].total == 7 and pages[0].page_count == 3


def test_recent_document_ranks_above_an_older_equal_one(backend):
    backend.index_documents([
        make_document(1, "Referral guidance", "referral guidance", date=datetime(2001, 1, 1, tzinfo=timezone.utc)),
        make_document(2, "Referral guidance", "referral guidance", date=datetime.now(timezone.utc)),
    ])

    assert keys(backend.search("referral")) == ["case_study:2", "case_study:1"]


def test_document_with_a_lower_boost_ranks_below_an_equal_one(backend):
    superseded = make_document(1, "Referral guidance", "referral guidance")
    current = make_document(2, "Referral guidance", "referral guidance")
    backend.index_documents([
        superseded.__class__(**{**superseded.__dict__, "extra": {"superseded": True, "boost": 0.2}}),
        current,
    ])

    assert keys(backend.search("referral")) == ["case_study:2", "case_study:1"]


def test_title_match_ranks_above_body_match(backend):
    backend.index_documents([
        make_document(1, "Minutes of the board", "The board discussed a prescribing incentive scheme at length."),
        make_document(2, "Prescribing incentive scheme", "Terms for practices."),
    ])

    assert keys(backend.search("prescribing incentive"))[0] == "case_study:2"


def test_title_with_every_query_word_ranks_above_a_title_with_some_of_them(backend):
    backend.index_documents([
        make_document(1, "Writing a business case for service re-design",
                      "An afternoon course using the network's business-case templates. One representative per practice.",
                      kind="event", areas=["Dermatology", "Musculoskeletal"], date=datetime.now(timezone.utc) + timedelta(days=21)),
        make_document(2, "Community dermatology service business case",
                      "Business-case template. The business case and commissioning specification for a community based "
                      "dermatology triage, assessment and treatment service, developed after consultation with similar "
                      "services in the area and with secondary care. " * 4,
                      kind="template", areas=["Dermatology"], date=datetime.now(timezone.utc)),
    ])

    assert keys(backend.search("dermatology business case"))[0] == "template:2"


def test_rebuild_keeps_answering_while_it_runs_and_drops_stale_documents(backend):
    backend.index_documents([make_document("old", "Dermatology (old)", "dermatology"), make_document(1, "Dermatology", "dermatology")])
    seen_during_rebuild = []

    def progress(done, total):
        seen_during_rebuild.append(backend.search("dermatology").total)

    fresh = [make_document(1, "Dermatology", "dermatology")] + [make_document(n, f"Filler {n}", "filler") for n in range(2, 1200)]
    written = backend.rebuild(iter(fresh), progress)

    assert written == len(fresh)
    assert seen_during_rebuild and all(total >= 1 for total in seen_during_rebuild)
    assert keys(backend.search("dermatology")) == ["case_study:1"]
    assert backend.search("filler").total == len(fresh) - 1


def test_empty_query_returns_nothing(backend):
    backend.index_documents([make_document(1, "Dermatology", "skin")])

    results = backend.search("  the  ")

    assert results.total == 0 and results.hits == []


def test_check_health_passes_when_the_engine_answers(backend):
    backend.check_health()


@pytest.mark.parametrize(("query", "expected_seed"), [
    ("dermatology business case", "004"),
    ("freed up resources", "004"),
    ("MSK triage", "004"),
    ("world class commissioning", "002"),
    ("local authority care services", "003"),  # a known miss on OpenSearch: see below
    ("GPwSI community services", "000"),
    ("LMC briefing note for practices", "000"),
])
def test_judged_query_puts_the_right_seed_first(seeded, query, expected_seed, request):
    if seeded.name == "elasticsearch" and query == "local authority care services":
        # Found on the real engine (OpenSearch 2.19), hidden while the tests ran on osmem-server: the policy paper's
        # section 6 (score 3.88) edges above the local-authority paper's (3.73). Kept visible, strict, until the
        # engine's ranking is mended (issue 19).
        request.applymarker(pytest.mark.xfail(strict=True, reason="ranks second on OpenSearch (issue 19)"))
    results = seeded.search(query, viewer_audience=MEMBERS)

    assert results.hits, f"nothing found for {query!r}"
    assert results.hits[0].pk.startswith(expected_seed), [(h.key, round(h.score, 3)) for h in results.hits[:5]]


def test_search_before_anything_was_indexed_finds_nothing(elasticsearch_settings, db):
    from search.backends import get_backend

    results = get_backend().search("dermatology")

    assert results.total == 0 and results.hits == []


def _topic_and_person(backend):
    backend.index_documents([
        make_document(1, "Community MSK triage service", "Musculoskeletal triage in Tendring.", kind="matrix_entry", audience=MEMBERS,
                      areas=["Musculoskeletal"], organisation="Tendring Cluster"),
        make_document(2, "William Ashdown", "GPwSI in musculoskeletal medicine at the Tendring Cluster.", kind="member",
                      audience=MEMBERS, areas=["Musculoskeletal"], organisation="Tendring Cluster"),
    ])


def test_excluded_kind_is_left_out_of_results_total_and_facets(backend):
    _topic_and_person(backend)

    results = backend.search("musculoskeletal", viewer_audience=MEMBERS, excluded_kinds=["member"])

    assert keys(results) == ["matrix_entry:1"] and results.total == 1
    assert facet(results, "kind") == {"matrix_entry": 1}
    assert facet(results, "service_area") == {"Musculoskeletal": 1}


def test_excluded_kind_stays_out_when_the_words_are_relaxed(backend):
    _topic_and_person(backend)

    results = backend.search("Ashdown musculoskeletal", viewer_audience=MEMBERS, excluded_kinds=["member"])

    assert results.relaxed == "some_words" and keys(results) == ["matrix_entry:1"]


def test_member_finds_people_in_their_own_block_and_topics_in_the_ranked_list(backend, member):
    from search.queries import run_blocks, run_search

    _topic_and_person(backend)

    ranked = run_search("Ashdown MSK", member.user)
    blocks = run_blocks("Ashdown MSK", member.user)

    assert keys(ranked) == ["matrix_entry:1"]
    assert [keys(block) for block in blocks] == [["member:2"]]


def test_anonymous_visitor_is_never_given_a_people_block(backend):
    from django.contrib.auth.models import AnonymousUser

    from search.queries import run_blocks

    _topic_and_person(backend)
    backend.index_documents([make_document(3, "Wendy Ashdown", "Musculoskeletal physiotherapist.", kind="member")])  # public by mistake

    assert run_blocks("Ashdown", AnonymousUser()) == []


def test_title_holding_the_whole_query_ranks_above_newer_text_that_mentions_it(backend):
    filler = " ".join(["The cluster leads discussed indicative budgets, referral data and the year's savings."] * 40)
    backend.index_documents([
        make_document(1, "Notes of the network workshop at Chilford Hall", f"{filler} Chilford Hall.", kind="document",
                      date=datetime(2008, 4, 10, tzinfo=timezone.utc)),
        make_document(2, "World Class Commissioning and PbC", "As agreed at the Chilford Hall workshop, clusters share their "
                      "business cases. The Chilford Hall workshop also asked for a forum.", kind="guidance",
                      date=datetime.now(timezone.utc)),
    ])

    assert keys(backend.search("Chilford Hall workshop")) == ["document:1", "guidance:2"]


@pytest.mark.parametrize("query", ["childrens commissioning", "children commissioning", "children’s commissioning"])
def test_possessive_is_found_with_or_without_its_apostrophe(backend, query):
    backend.index_documents([make_document(1, "Where is children's commissioning going?", "Children's trusts and PbC.")])

    assert keys(backend.search(query)) == ["case_study:1"]
