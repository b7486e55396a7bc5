"""A member searching for a person and a topic: the topical work in the ranked list, the person in a small block of their own."""
import re

from playwright.sync_api import expect

from tests.browser.conftest import assert_no_axe_violations, screenshot
from tests.browser.helpers import sign_in


def test_member_searching_a_name_and_a_topic_sees_the_work_listed_and_the_person_apart(page):
    sign_in(page, "member@pbc-network.nhs.uk")
    page.goto("/search/")
    page.get_by_label(re.compile("Search case studies")).fill("Ashdown musculoskeletal")
    page.get_by_label(re.compile("Search case studies")).press("Enter")
    page.wait_for_url(re.compile(r"q=Ashdown"))

    ranked = page.locator("main ol.search-results")
    expect(ranked.locator("li.search-result").first).to_contain_text(re.compile("Re-design work|Case stud|Template|Guidance"))
    expect(ranked.locator("a[href*='/directory/members/']")).to_have_count(0)
    people = page.get_by_role("region", name="People")
    expect(people.get_by_role("heading", name="People", level=2)).to_be_visible()
    expect(people.get_by_role("list").get_by_role("link", name="William Ashdown")).to_be_visible()
    screenshot(page, "search-people-block")
    assert_no_axe_violations(page, "search results with people")

    people.get_by_role("link", name="William Ashdown").click()
    page.wait_for_url(re.compile(r"/directory/members/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("William Ashdown")
