"""Sessions kept in the cache as well as the database (``cached_db`` when Redis is configured).

Django's cached_db store deletes its cached copy when the session itself is
flushed (signing out), but not when session rows are deleted by a query, as
erasing a member does to sign them out everywhere
(``directory.services._delete_sessions_after_commit``).  This receiver deletes
the cached copy of every session row deleted, however it was deleted, so the
database stays the authority on who is signed in.
"""
from __future__ import annotations

from importlib import import_module

from django.conf import settings


def forget_cached_session(sender, instance, **kwargs) -> None:
    engine = import_module(settings.SESSION_ENGINE)
    if hasattr(engine.SessionStore, "cache_key_prefix"):
        from django.core.cache import caches

        caches[settings.SESSION_CACHE_ALIAS].delete(engine.SessionStore.cache_key_prefix + instance.session_key)


def connect_receivers() -> None:
    from django.contrib.sessions.models import Session
    from django.db.models.signals import post_delete

    post_delete.connect(forget_cached_session, sender=Session, dispatch_uid="portal.core.sessions.forget_cached")
