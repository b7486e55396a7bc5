"""The foundation: what every app stands on (settings support, roles, permissions, cache, outbox, audit, notifications).

It imports no app (not directory, redesign, events, forum, search, portal.guidance or portal.site);
import-linter checks that (pyproject.toml, tests/portal/test_layers.py).
"""
