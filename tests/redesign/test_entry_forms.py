"""The "record re-design work" form as a member meets it (issue 20, item 10): error messages that name the
field, the organisation chosen for a member with one, a leads picker that shows no contact details, one
"(optional)", similar work before the buttons, and dates typed as day, month and year."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from redesign.models import MatrixEntry


@pytest.fixture
def details_url(region, service_areas):
    return f"/redesign/entries/new/details/?service_area=dermatology&organisation={region['cluster'].slug}"


def test_error_summary_names_the_missing_title(client_for, cluster_lead, details_url):
    page = client_for(cluster_lead).post(details_url, {"title": "", "summary": "A clinic."}).content.decode()

    summary = page[page.index("nhsuk-error-summary"):page.index("</ul>", page.index("nhsuk-error-summary"))]
    assert '<a href="#id_title">Enter a title for the work</a>' in summary
    assert "This field is required" not in page


def test_required_fields_without_a_message_of_their_own_are_named_in_the_summary(client_for, member):
    page = client_for(member).get("/redesign/entries/new/", {"service_area": "", "organisation": ""}).content.decode()

    assert '<a href="#id_service_area">Choose the service area</a>' in page
    assert "This field is required" not in page


def test_member_with_one_organisation_has_it_chosen_for_them(client_for, cluster_lead, region):
    page = client_for(cluster_lead).get("/redesign/entries/new/").content.decode()

    assert re.search(rf'<option value="{region["cluster"].slug}" selected>', page)


def test_leads_picker_is_a_list_of_checkboxes_labelled_without_contact_details(client_for, cluster_lead, member, details_url):
    page = client_for(cluster_lead).get(details_url).content.decode()

    assert 'data-picker="Leads"' in page
    assert re.search(r'<input class="nhsuk-checkboxes__input" id="id_leads_\d+" name="leads" type="checkbox"', page)
    assert "Fiona Marsh (Castle Gate Surgery)" in page
    assert member.user.email not in page and cluster_lead.user.email not in page
    assert '<select name="leads"' not in page


def test_leads_are_checked_on_the_server(client_for, cluster_lead, details_url, make_member):
    pending = make_member(status="pending")
    page = client_for(cluster_lead).post(details_url, {"title": "Clinic", "leads": [pending.pk]}).content.decode()

    assert "Select a valid choice" in page
    assert not MatrixEntry.objects.exists()


def test_optional_appears_once_in_a_label_that_already_says_so(client_for, member):
    from forum.models import Board, Subsection

    board = Board.objects.create(subsection=Subsection.objects.create(name="Clinical", position=1), name="Clinical pathways")
    page = client_for(member).get(f"/forum/boards/{board.slug}/new/").content.decode()

    assert "(optional) (optional)" not in page
    assert "Attach documents (optional)" in page


def test_similar_work_comes_before_the_submit_buttons(client_for, cluster_lead, details_url):
    page = client_for(cluster_lead).post(details_url, {"title": "Dermatology clinic", "check_similar": "1"}).content.decode()

    assert page.index('id="similar-live"') < page.index("Check for similar work</button>") < page.index("Add to the matrix</button>")


def test_dates_are_typed_as_day_month_and_year(client_for, cluster_lead, details_url):
    page = client_for(cluster_lead).get(details_url).content.decode()

    assert 'type="date"' not in page
    assert 'id="id_start_date_0"' in page and 'id="id_start_date_1"' in page and 'id="id_start_date_2"' in page
    assert '<legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">Start date (optional)</legend>' in page
    assert 'class="nhsuk-date-input"' in page


def test_dates_typed_as_day_month_and_year_are_saved(client_for, cluster_lead, details_url):
    client_for(cluster_lead).post(details_url, {
        "title": "Community dermatology", "start_date_0": "1", "start_date_1": "4", "start_date_2": "2008",
        "expected_go_live_0": "27", "expected_go_live_1": "3", "expected_go_live_2": "2009",
    })

    entry = MatrixEntry.objects.get()
    assert (entry.start_date, entry.expected_go_live) == (dt.date(2008, 4, 1), dt.date(2009, 3, 27))


def test_impossible_date_is_refused_with_a_plain_message(client_for, cluster_lead, details_url):
    page = client_for(cluster_lead).post(details_url, {
        "title": "Community dermatology", "start_date_0": "31", "start_date_1": "2", "start_date_2": "2008",
    }).content.decode()

    assert '<a href="#id_start_date_0">The start date must be a real date</a>' in page
    assert not MatrixEntry.objects.exists()
