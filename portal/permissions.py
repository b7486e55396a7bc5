"""Who may do what, answered on the server.  Views and consumers call these."""
from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from portal.roles import Role


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
    return user.is_superuser or user.groups.filter(name=str(role)).exists()


def is_network_admin(user) -> bool:
    return has_role(user, Role.NETWORK_ADMIN)


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
