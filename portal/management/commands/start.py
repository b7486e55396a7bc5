"""Prepare the database and start the portal in one ASGI process (the embedded mode)."""
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Migrate, build the demo content (unless --no-demo) and serve HTTP and websockets with uvicorn."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-demo", action="store_true", help="Do not build the demonstration content.")

    def handle(self, *args, host, port, no_demo, **options):
        import uvicorn
        from django.conf import settings

        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        if not no_demo:
            call_command("demo")
        self.stdout.write(self.style.SUCCESS(f"PbC Network Portal on http://{host}:{port}/  (Ctrl+C to stop)"))
        uvicorn.run("portal.asgi:application", host=host, port=port, log_level="warning", lifespan="off")
