"""Wagtail's user editor (``/admin/users/``) for network administrators, without the ways to outrank them.

Network administrators approve members and change their roles, so they hold
``portal.view_user`` and ``portal.change_user`` (``portal/core/roles.py``). Wagtail's
own editor would also let anyone holding ``change_user`` tick "Administrator"
(superuser) on an account, set another person's password, or edit a superuser's
account; here only a superuser may do those. Role changes made here are
audited like any other (``portal.core.audit.record_role_change``).
"""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from wagtail.users.forms import UserEditForm
from wagtail.users.views import users


class ManagerUserEditForm(UserEditForm):
    """The editor for someone who is not a superuser: no superuser switch and no password fields."""

    password_enabled = False  # members change or reset their own password

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop("is_superuser", None)


class EditView(users.EditView):
    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        if self.object.is_superuser and not request.user.is_superuser:
            raise PermissionDenied("Only a superuser may change a superuser's account.")

    def get_form_class(self):
        return UserEditForm if self.request.user.is_superuser else ManagerUserEditForm


class UserViewSet(users.UserViewSet):
    edit_view_class = EditView
