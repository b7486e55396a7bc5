"""Who may do what, answered on the server.  Views and consumers call these.

Every signed-in page asks the same questions about its viewer: which roles
(groups) they hold, which Django permissions those give, and whether they have
an authenticator app (the two-factor rule).  Asked of the database, that was
three or four queries per request.  ``viewer_facts`` answers them all from one
cache read, kept per user and checked against a generation that every change
to roles, role permissions, personal permissions or authenticators moves on
(``forget_viewer_facts``, connected in ``connect_receivers``): a change takes
effect on the viewer's next request, in every worker process.  The facts are
only kept across requests when the cache is shared by every process (Redis,
``settings.PORTAL_VIEWER_FACTS_CACHED``); with the embedded mode's in-memory
cache a role changed from another process (``manage.py shell``) would go
unseen, so there each request asks the database once.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.db import transaction

from portal.core.roles import Role, roles_requiring_mfa

FACTS_KEY = "viewer-facts:{pk}"
FACTS_GENERATION_KEY = "viewer-facts:generation"
# Every change made through Django moves the generation on at once; this bounds what it cannot see: a
# change made behind the portal's back (SQL by hand, a restore onto a running site) or one made while
# Redis was unreachable (the tolerant cache drops the move).  Reading them again costs a viewer three or
# four small queries every two minutes.
FACTS_TIMEOUT = 120


@dataclass(frozen=True)
class ViewerFacts:
    """What the portal needs to know about a signed-in viewer's roles on every page."""

    roles: frozenset[str]
    permissions: frozenset[str]
    has_totp: bool


def _compute_facts(user) -> ViewerFacts:
    roles = frozenset(user.groups.values_list("name", flat=True))
    backend = ModelBackend()
    # Django's own rules (superusers hold every permission; inactive accounts none), on a copy so that
    # the per-object caches Django keeps on ``user`` are not filled from here.
    probe = get_user_model()(pk=user.pk, is_active=user.is_active, is_superuser=user.is_superuser)
    permissions = frozenset(backend.get_user_permissions(probe) | backend.get_group_permissions(probe))
    has_totp = False
    if user.is_superuser or roles & roles_requiring_mfa():
        from allauth.mfa.models import Authenticator

        has_totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    return ViewerFacts(roles, permissions, has_totp)


def viewer_facts(user) -> ViewerFacts:
    """The viewer's roles, permissions and authenticator, read once per request (and cached across requests)."""
    facts = getattr(user, "_viewer_facts", None)
    if facts is not None:
        return facts
    if not settings.PORTAL_VIEWER_FACTS_CACHED:
        facts = _compute_facts(user)
    else:
        key = FACTS_KEY.format(pk=user.pk)
        found = cache.get_many([key, FACTS_GENERATION_KEY])
        generation = found.get(FACTS_GENERATION_KEY)
        if generation is None:
            cache.add(FACTS_GENERATION_KEY, uuid.uuid4().hex, None)
            generation = cache.get(FACTS_GENERATION_KEY)
        stored = found.get(key)
        # Plain values only in the cache (a renamed class must not make old entries unreadable).  The
        # account's own flags are part of the key: they change with a save of the user, not a signal here.
        if stored is not None and generation is not None and stored[0] == generation and stored[1] == (user.is_active, user.is_superuser):
            facts = ViewerFacts(frozenset(stored[2]), frozenset(stored[3]), stored[4])
        else:
            # The generation was read before the database: if a change lands meanwhile, it moves the
            # generation on after its commit, and what is stored here is never used.
            facts = _compute_facts(user)
            if generation is not None:
                value = (generation, (user.is_active, user.is_superuser), sorted(facts.roles), sorted(facts.permissions), facts.has_totp)
                cache.set(key, value, FACTS_TIMEOUT)
    user._viewer_facts = facts
    return facts


def user_roles(user) -> set[Role]:
    if not getattr(user, "is_authenticated", False):
        return set()
    names = viewer_facts(user).roles
    return {role for role in Role if str(role) in names}


def forget_viewer_facts() -> None:
    """Make every viewer's facts be read again from the database on their next request.

    Moved on at once (so this request and the tests see it) and again after the commit, so that a
    request that read the old rows before the commit cannot keep them under the new generation.
    """

    def move_on() -> None:
        cache.set(FACTS_GENERATION_KEY, uuid.uuid4().hex, None)

    move_on()
    transaction.on_commit(move_on)


def _membership_changed(sender, action: str, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        forget_viewer_facts()


def _changed(sender, **kwargs) -> None:
    forget_viewer_facts()


def _authenticator_saved(sender, created: bool, **kwargs) -> None:
    if created:  # not when an existing one records its use
        forget_viewer_facts()


def connect_receivers() -> None:
    """Move the facts' generation on with every change that can alter a viewer's roles or permissions."""
    from allauth.mfa.models import Authenticator
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission
    from django.db.models.signals import m2m_changed, post_delete, post_save

    User = get_user_model()
    for through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(_membership_changed, sender=through, dispatch_uid=f"portal.core.permissions.facts.{through._meta.label}")
    for model in (Group, Permission):
        post_save.connect(_changed, sender=model, dispatch_uid=f"portal.core.permissions.facts.saved.{model._meta.label}")
    for model in (Group, Permission, Authenticator):
        post_delete.connect(_changed, sender=model, dispatch_uid=f"portal.core.permissions.facts.deleted.{model._meta.label}")
    post_save.connect(_authenticator_saved, sender=Authenticator, dispatch_uid="portal.core.permissions.facts.authenticator")


class CachedPermissionBackend(ModelBackend):
    """Django's model permissions answered from ``viewer_facts``, and the signed-in viewer read with their member row.

    First in ``AUTHENTICATION_BACKENDS``: Django's ``ModelBackend`` and allauth's, which follow it, keep
    signing people in and find the permissions already on the user (the same ``_perm_cache``).  It signs
    nobody in, but every session is recorded against it (``portal.site.accounts.AccountAdapter.login``),
    so it is the backend Django asks for the session's user on each request.
    """

    def authenticate(self, request, **credentials):
        return None

    def get_user(self, user_id):
        """The session's user and their member row in one query.

        Every signed-in page asks ``is_member`` (the header, and the page's own permission check), which
        read the member row in a second query of its own.  Joined here, the row comes with the user; a
        user with no member row gets ``None`` cached, so asking again costs nothing either.  The checks
        themselves are unchanged: ``is_member`` still looks at the row's approval on every request.
        """
        try:
            user = get_user_model()._default_manager.select_related("member").get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            user_obj._perm_cache = set(viewer_facts(user_obj).permissions)
        return user_obj._perm_cache


def is_member(user) -> bool:
    """An approved, active member (superusers count, so the site can be set up)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    member = getattr(user, "member", None)
    return member is not None and member.is_approved


def has_role(user, role: Role) -> bool:
    if not is_member(user):
        return False
    return user.is_superuser or str(role) in viewer_facts(user).roles


def is_network_admin(user) -> bool:
    return has_role(user, Role.NETWORK_ADMIN)


class SignInRequired(Exception):
    """A signed-out visitor asked for a members' object, or for one that does not exist.

    Both get the same answer, a redirect to sign in with ``next=`` (``portal.core.middleware.
    SignInForMembersContentMiddleware``), so a signed-out visitor cannot tell which: a member who
    follows an e-mailed link while signed out lands on the object once signed in, and nobody
    learns from the address whether it exists.  Signed-in people still get "Page not found".
    """


def not_found_or_sign_in(request, message: str) -> Exception:
    """The exception to raise when ``request`` may not see an object (or it does not exist): see ``SignInRequired``."""
    if not request.user.is_authenticated:
        return SignInRequired(message)
    return Http404(message)


def member_required(view):
    """Send anonymous visitors to sign in; refuse signed-in people who are not approved members."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_member(request.user):
            raise PermissionDenied("Your membership has not been approved yet.")
        return view(request, *args, **kwargs)

    return wrapper


def permission_required(perm: str):
    """Like Django's, but for approved members only, and a 403 rather than a login loop."""

    def decorator(view):
        @wraps(view)
        @member_required
        def wrapper(request, *args, **kwargs):
            if not request.user.has_perm(perm):
                raise PermissionDenied("You do not have permission to do that.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


class MemberRequiredMixin:
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_member(request.user):
            raise PermissionDenied("Your membership has not been approved yet.")
        return super().dispatch(request, *args, **kwargs)


def needs_mfa(user) -> bool:
    """A signed-in administrator or SHA editor (or superuser) without an authenticator app yet."""
    if not getattr(user, "is_authenticated", False):
        return False
    facts = viewer_facts(user)
    required = user.is_superuser or bool(facts.roles & roles_requiring_mfa())
    return required and not facts.has_totp
