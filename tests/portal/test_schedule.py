"""Periodic jobs run when due, once per interval."""
from datetime import timedelta

import time_machine
from django.core.management import call_command
from django.utils import timezone

from portal.site.schedule import JOBS, due_jobs, run_due_jobs


def test_every_scheduled_job_names_an_existing_command():
    from django.core.management import get_commands

    assert {job.command for job in JOBS} <= set(get_commands())


def test_a_job_runs_once_and_not_again_within_its_interval(db):
    first = run_due_jobs(only={"forum_escalate"})
    second = run_due_jobs(only={"forum_escalate"})

    assert [(job.command, outcome) for job, outcome in first] == [("forum_escalate", "done")]
    assert second == []


def test_a_job_is_due_again_after_its_interval(db):
    run_due_jobs(only={"forum_escalate"})

    with time_machine.travel(timezone.now() + timedelta(hours=1, minutes=1)):
        assert "forum_escalate" in {job.command for job in due_jobs()}


def test_command_reports_what_it_ran(db, capsys):
    call_command("run_scheduled_jobs", "--only", "publish_scheduled")

    assert "publish scheduled pages: done" in capsys.readouterr().out
