"""The mixed workload (``python -m bench.workload``) on tiny data, so it cannot rot.  No timings are asserted."""
from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection

from bench import run, workload
from portal.site.synthetic import SyntheticCounts, build_synthetic

from tests.events.conftest import events_index, make_event  # noqa: F401 - the events fixtures, for bookings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def tiny_plan(region, service_areas, make_event):
    make_event(capacity=3)
    make_event(audience="public", capacity=None)
    build_synthetic(SyntheticCounts(members=12, entries=6, replies=3, documents=5, threads=4))
    members = workload.prepare_members(10)
    return members, workload.catalogue(members)


def test_role_mix_keeps_the_shares_and_has_every_role():
    roles = Counter(workload.role_mix(500))

    assert set(roles) == {role for role, _ in workload.ROLE_SHARES}
    assert roles["Members"] == 380 and roles["Cluster leads"] == 75
    assert sum(workload.role_mix(7).count(role) for role, _ in workload.ROLE_SHARES) == 7


def test_searches_are_drawn_from_over_two_hundred_different_queries():
    assert len(set(workload.QUERIES)) >= 200


def test_zipf_asks_for_the_first_item_about_twice_as_often_as_the_second():
    import random

    zipf, rng = workload.Zipf(["a", "b", "c", "d"]), random.Random(1)
    picks = Counter(zipf.pick(rng) for _ in range(20_000))

    assert 1.8 < picks["a"] / picks["b"] < 2.2
    assert picks["a"] > picks["b"] > picks["c"] > picks["d"]


def test_mix_asks_for_every_kind_of_page_and_write(tiny_plan):
    members, catalogue = tiny_plan
    sessions = [{**member, "sessionid": "s", "csrftoken": "t"} for member in members]
    mix = workload.Mix({"sessions": sessions, "catalogue": catalogue})

    asked = [mix.next() for _ in range(8000)]
    kinds = Counter(request["kind"] for request in asked)

    assert set(workload.READS) <= set(kinds)
    assert set(workload.WRITES) <= set(kinds)
    assert 0.15 < sum(request["session"] is None for request in asked) / len(asked) < 0.25
    assert len({request["path"] for request in asked}) > 100


def test_every_member_gets_a_role_and_the_roles_that_need_it_an_authenticator(tiny_plan):
    from allauth.mfa.models import Authenticator

    members, _ = tiny_plan

    assert {member["role"] for member in members} == {role for role, _ in workload.ROLE_SHARES}
    with_authenticator = set(Authenticator.objects.values_list("user_id", flat=True))
    assert {m["user"] for m in members if m["mfa"]} == with_authenticator & {m["user"] for m in members}


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="Needs PostgreSQL: the mix sends concurrent requests, and the live server shares one SQLite "
                           "test connection between its threads (the benchmark itself runs on PostgreSQL)")
@pytest.mark.django_db(transaction=True)
def test_members_sign_in_through_the_form_and_the_mix_runs_without_errors(live_server, tiny_plan, tmp_path):
    members, catalogue = tiny_plan
    sessions = workload.sign_in_all(live_server.url, members, parallel=2)
    plan = {"sessions": sessions, "catalogue": catalogue, "sockets": []}
    (tmp_path / "plan.json").write_text(json.dumps(plan))

    output = subprocess.run(
        [sys.executable, "bench/workload.py", "drive", "--plan", str(tmp_path / "plan.json"), "--host", live_server.url,
         "--rate", "20", "--duration", "3"], cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    summary = workload.summarise(run.last_json_line(output.stdout), None, None)

    assert len({s["sessionid"] for s in sessions}) == len(members)
    assert summary["requests"] == 60
    assert summary["errors"] == 0, {kind: k["error_kinds"] for kind, k in summary["kinds"].items() if k["errors"]}


def test_live_updates_count_a_reply_missing_from_a_socket_as_lost_and_a_second_copy_as_duplicated():
    sockets = [{"path": "/ws/forum/threads/7/", "thread": 7}, {"path": "/ws/forum/threads/7/", "thread": 7},
               {"path": "/ws/forum/boards/x/"}]
    received = {"0": {"101": 1, "102": 1}, "1": {"101": 2}}

    assert workload.check_live_updates(sockets, received, {"7": [101, 102]}) == {"expected": 4, "lost": 1, "duplicated": 1}


def test_report_marks_the_highest_rate_held():
    def summary(rate, p95, errors):
        return {"rate": rate, "requests": 100, "p50_ms": 10, "p95_ms": p95, "p99_ms": p95, "errors": errors,
                "writes": {"p95_ms": 20}, "cache_hit_rate": 0.5, "load_average": "1.00, 1.00, 1.00", "kinds": {},
                "held": p95 <= 250 and not errors}

    report = workload.format_report([summary(25, 100, 0), summary(50, 200, 0), summary(100, 900, 3)], "cmd", {}, 5, 0, 0)

    assert "Highest rate held: 50/s" in report


def test_report_never_counts_the_warm_up_as_held():
    warm_up = {"rate": 25, "duration": 30, "requests": 750, "p50_ms": 10, "p95_ms": 100, "p99_ms": 100, "errors": 0,
               "writes": {"p95_ms": 20}, "cache_hit_rate": 0.5, "load_average": "1.00, 1.00, 1.00", "kinds": {},
               "held": False, "warm_up": True}
    slow = {**warm_up, "duration": 60, "p95_ms": 900, "warm_up": False}

    report = workload.format_report([warm_up, slow], "cmd", {}, 5, 0, 0)

    assert "25/s warm-up, 30 s, not counted" in report and "Highest rate held: none of the rates run" in report


def test_p95_by_slice_gives_each_ten_seconds_its_own_p95():
    timeline = [(1.0, 10.0, "home"), (2.0, 20.0, "home"), (12.0, 500.0, "thread")]

    assert workload.p95_by_slice(timeline, 10.0) == [20.0, 500.0]


def test_cache_status_header_counts_page_cache_hits_and_misses_when_turned_on(client, settings, db):
    settings.CACHE_STATUS_HEADER = True

    first, second = client.get("/"), client.get("/")

    assert first["X-Cache-Status"] == "hit=0 miss=1"
    assert second["X-Cache-Status"] == "hit=1 miss=0"


def test_cache_status_header_is_off_by_default(client, db):
    assert "X-Cache-Status" not in client.get("/")
