"""The portal's periodic jobs, in one place.

Each job is an existing management command that is safe to run again (each
one records what it has sent or done).  ``manage.py run_scheduled_jobs`` runs
the jobs that are due; cron (or a systemd timer) calls it every few minutes,
and the last run of each job is kept in the cache, so several machines
calling it at once do not repeat a job within its interval.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone


@dataclass(frozen=True)
class Job:
    name: str
    command: str
    every: timedelta
    args: tuple[str, ...] = field(default_factory=tuple)


JOBS = [
    Job("publish scheduled pages", "publish_scheduled", timedelta(minutes=5)),
    Job("refer unanswered questions to the SHA", "forum_escalate", timedelta(hours=1)),
    Job("daily forum digests", "forum_digest", timedelta(days=1), ("daily",)),
    Job("weekly forum digests", "forum_digest", timedelta(days=7), ("weekly",)),
    Job("event reminders", "send_event_reminders", timedelta(days=1)),
    Job("stale re-design work reminders", "remind_stale_entries", timedelta(days=1)),
    Job("guidance review reminders", "send_review_reminders", timedelta(days=1)),
    Job("links library check", "check_links", timedelta(days=1)),
]


def _key(job: Job) -> str:
    return f"schedule:last-run:{job.command}:{'-'.join(job.args)}"


def due_jobs(now=None) -> list[Job]:
    now = now or timezone.now()
    due = []
    for job in JOBS:
        last = cache.get(_key(job))
        if last is None or now - last >= job.every:
            due.append(job)
    return due


def run_due_jobs(*, only: set[str] | None = None, stdout=None) -> list[tuple[Job, str]]:
    """Run every due job once; return (job, "done" or the error) for each one run."""
    outcomes = []
    for job in due_jobs():
        if only and job.command not in only:
            continue
        # Claim the job before running it so a second caller skips it (cache.add is atomic).
        claim = f"{_key(job)}:running"
        if not cache.add(claim, True, timeout=int(job.every.total_seconds()) or 60):
            continue
        try:
            call_command(job.command, *job.args, stdout=stdout, stderr=stdout)
        except Exception as error:  # one failing job must not stop the others
            outcomes.append((job, f"failed: {type(error).__name__}: {error}"))
            cache.delete(claim)
            continue
        cache.set(_key(job), timezone.now(), timeout=None)
        cache.delete(claim)
        outcomes.append((job, "done"))
    return outcomes
