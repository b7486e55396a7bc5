"""Settings for task-worker subprocesses in tests: the portal's own, with the ledger mail server."""
from portal.settings import *  # noqa: F403

EMAIL_BACKEND = "tests.queue_support.LedgerEmailBackend"
