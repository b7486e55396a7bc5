"""Run background tasks from the production queue (RQ on Redis) until SIGTERM."""
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections


class Command(BaseCommand):
    help = (
        "Run queued background tasks (e-mail, newsletter, digests, reminders, escalation, search indexing). "
        "SIGTERM finishes the running task, then stops. Needs PORTAL_MODE=production and REDIS_URL."
    )

    def add_arguments(self, parser):
        parser.add_argument("--burst", action="store_true", help="Stop when the queue is empty.")
        parser.add_argument("--name", help="Worker name (default: random).")
        parser.add_argument("--heartbeat", type=int, default=30, metavar="SECONDS",
                            help="How often a running task reports that it is alive (default 30).")
        parser.add_argument("--abandoned-after", type=int, default=60, metavar="SECONDS",
                            help="A task silent this long after its last heartbeat is retried: its worker died (default 60).")
        parser.add_argument("--maintenance", type=int, default=600, metavar="SECONDS",
                            help="How often the worker looks for abandoned tasks (default 600, and at start).")

    def handle(self, *args, burst, name, heartbeat, abandoned_after, maintenance, **options):
        import django_rq
        from redis.exceptions import ConnectionError as RedisConnectionError

        backend = settings.TASKS["default"]["BACKEND"]
        if backend != "django_tasks_rq.RQBackend":
            raise CommandError(
                f"Background tasks run inline here (TASKS backend {backend}); "
                "a worker is needed only with PORTAL_MODE=production and REDIS_URL set."
            )
        worker = django_rq.get_worker(
            "default", name=name, job_monitoring_interval=heartbeat, maintenance_interval=maintenance
        )
        worker.abandoned_after = abandoned_after
        connections.close_all()  # jobs run in this process (RQ's SimpleWorker); each opens a connection as it needs one
        try:
            worker.work(burst=burst, with_scheduler=True, logging_level="WARNING" if options["verbosity"] < 2 else "INFO")
        except RedisConnectionError as error:
            raise CommandError(f"Cannot reach Redis at REDIS_URL: {error}") from None
