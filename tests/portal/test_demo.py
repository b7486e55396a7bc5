"""The demo command builds a realistic region, and running it again changes nothing."""
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from directory.models import Member, Organisation
from portal.core.roles import Role
from portal.site.demo import DEMO_PASSWORD, README_ACCOUNTS


def run_demo() -> None:
    with open(Path("/dev/null"), "w") as quiet:
        call_command("demo", stdout=quiet)


def test_demo_builds_the_east_of_england_region_with_members_in_every_role(db):
    run_demo()

    sha = Organisation.objects.get(name="NHS East of England", kind="sha")
    pcts = Organisation.objects.filter(parent=sha, kind="pct")
    consortia = Organisation.objects.filter(parent__in=pcts, kind="consortium")
    clusters = Organisation.objects.filter(parent__in=consortia, kind="cluster")
    practices = Organisation.objects.filter(parent__in=clusters, kind="practice")
    assert (pcts.count(), consortia.count(), clusters.count()) == (4, 4, 8)
    assert practices.count() == 16
    assert not practices.filter(list_size__isnull=True).exists()
    assert 38 <= Member.objects.approved().count() <= 60
    for role in Role:
        assert get_user_model().objects.filter(groups__name=str(role)).exists(), role


def test_running_demo_again_changes_nothing(db):
    run_demo()
    counts = (get_user_model().objects.count(), Organisation.objects.count(), Member.objects.count())

    run_demo()

    assert (get_user_model().objects.count(), Organisation.objects.count(), Member.objects.count()) == counts


def test_readme_demo_accounts_sign_in_with_the_documented_password(db):
    run_demo()
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()

    for role_name, email in README_ACCOUNTS:
        assert f"`{email}`" in readme
        client = Client()
        response = client.post("/accounts/login/", {"login": email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, email
        if "MFA" in role_name:
            assert response["Location"] == "/accounts/2fa/authenticate/"
        else:
            assert "_auth_user_id" in client.session


def test_demo_prints_a_short_summary_and_no_email_bodies(db, settings, capsys):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

    call_command("demo")

    printed = capsys.readouterr().out
    assert "Subject:" not in printed and "Content-Type:" not in printed
    assert len(printed.splitlines()) <= 5, printed[:2000]
    assert "Demo region ready:" in printed and " members" in printed and " forum threads" in printed


def test_readme_lists_a_second_sha_editor_for_the_approval_journey(db):
    run_demo()
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()

    editors = [email for _role, email in README_ACCOUNTS
               if get_user_model().objects.filter(email=email, groups__name=str(Role.SHA_EDITOR)).exists()]

    assert len(editors) >= 2, "guidance needs a second SHA editor's approval: the README must name two"
    assert all(f"`{email}`" in readme for email in editors)
