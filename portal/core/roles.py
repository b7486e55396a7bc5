"""The one place that defines the portal's roles and what each may do.

Roles are Django groups.  ``sync_roles`` (run after every migrate and by the
demo command) makes the groups and their permissions match this file, so a
permission is granted by editing ``ROLES`` and nowhere else.  Page and
collection permissions for the Wagtail admin are granted here too.
"""
from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass
from enum import StrEnum

from django.contrib.auth.models import Group, Permission

from portal.core.audit import acting_as


class Role(StrEnum):
    MEMBER = "Members"
    CLUSTER_LEAD = "Cluster leads"
    MODERATOR = "Moderators"
    NETWORK_ADMIN = "Network administrators"
    SHA_EDITOR = "SHA editors"


@dataclass(frozen=True)
class RoleSpec:
    role: Role
    description: str
    permissions: tuple[str, ...] = ()
    admin_access: bool = False
    requires_mfa: bool = False
    # Wagtail page permissions on the whole site tree (add, change, publish, lock, unlock).
    page_permissions: tuple[str, ...] = ()
    # Wagtail document and image collection permissions on the root collection.
    collection_permissions: tuple[str, ...] = ()


ROLES: dict[Role, RoleSpec] = {
    Role.MEMBER: RoleSpec(
        Role.MEMBER,
        "An approved member of the network: reads members-only content, posts, books.",
        permissions=(),
    ),
    Role.CLUSTER_LEAD: RoleSpec(
        Role.CLUSTER_LEAD,
        "Leads a PbC cluster: records the cluster's re-design work and case studies.",
        permissions=(
            "redesign.add_template",  # share business cases and specifications in the library
        ),
    ),
    Role.MODERATOR: RoleSpec(
        Role.MODERATOR,
        "Keeps the message boards civil: hides, locks, moves and pins posts.",
        permissions=(
            "forum.moderate_forum",  # hide, lock, move, pin; the moderators' queue
        ),
    ),
    Role.NETWORK_ADMIN: RoleSpec(
        Role.NETWORK_ADMIN,
        "Runs the network: approves members, manages events, bookings and the newsletter.",
        permissions=(
            "wagtailadmin.access_admin",
            "directory.add_organisation",
            "directory.change_organisation",
            "directory.delete_organisation",
            "directory.view_organisation",
            "directory.add_servicearea",
            "directory.change_servicearea",
            "directory.delete_servicearea",
            "directory.view_servicearea",
            "directory.add_alloweddomain",
            "directory.change_alloweddomain",
            "directory.delete_alloweddomain",
            "directory.view_alloweddomain",
            # Wagtail's user editor (/admin/users/): roles and active status; never superuser or passwords (portal/core/users_admin.py)
            "portal.view_user",
            "portal.change_user",
            "directory.view_member",
            "directory.change_member",
            "directory.approve_member",
            "directory.invite_member",
            "directory.view_private_contact",
            # redesign: edit every organisation's matrix entries, import summary forms, run the template library
            "redesign.change_any_entry",
            "redesign.import_entries",
            "redesign.delete_matrixentry",
            "redesign.add_template",
            "redesign.change_template",
            "events.manage_bookings",
            "events.view_booking",
            "events.change_booking",
            "directory.erase_member",
            "directory.import_members",
            # forum: moderate, and edit subsections and boards (Wagtail snippets)
            "forum.moderate_forum",
            "forum.add_subsection",
            "forum.change_subsection",
            "forum.delete_subsection",
            "forum.view_subsection",
            "forum.add_board",
            "forum.change_board",
            "forum.delete_board",
            "forum.view_board",
            "forum.view_answer_report",  # time to answer, per board and month
            # guidance: the links library (portal.Link snippet)
            "portal.add_link",
            "portal.change_link",
            "portal.delete_link",
            "portal.view_link",
            # the audit trail (read only: nobody holds change or delete)
            "portal.view_auditevent",
        ),
        admin_access=True,
        requires_mfa=True,
        page_permissions=("add_page", "change_page", "publish_page", "lock_page", "unlock_page"),
        collection_permissions=("add_document", "change_document", "choose_document", "add_image", "change_image", "choose_image"),
    ),
    Role.SHA_EDITOR: RoleSpec(
        Role.SHA_EDITOR,
        "SHA staff who draft and approve guidance and answer escalated questions.",
        # No publish_page: guidance goes live only when a second SHA editor approves it
        # (portal.guidance.models.TwoEditorApprovalTask, portal.guidance.models.GuidancePermissionTester).
        permissions=("wagtailadmin.access_admin", "portal.add_link", "portal.change_link", "portal.view_link", "forum.view_answer_report"),
        admin_access=True,
        requires_mfa=True,
        page_permissions=("add_page", "change_page"),
        collection_permissions=("add_document", "change_document", "choose_document", "choose_image", "add_image"),
    ),
}


def roles_requiring_mfa() -> set[str]:
    return {str(spec.role) for spec in ROLES.values() if spec.requires_mfa}


def _permission(dotted: str) -> Permission:
    app_label, codename = dotted.split(".", 1)
    try:
        return Permission.objects.get(content_type__app_label=app_label, codename=codename)
    except Permission.DoesNotExist:
        raise LookupError(f"Permission {dotted!r} named in portal/core/roles.py does not exist; check the app label and codename.") from None


def sync_roles() -> dict[Role, Group]:
    """Create the role groups and set their permissions to exactly what ``ROLES`` says."""
    from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page

    groups: dict[Role, Group] = {}
    root_page = Page.get_first_root_node()
    root_collection = Collection.get_first_root_node()
    for role, spec in ROLES.items():
        group, _ = Group.objects.get_or_create(name=str(role))
        group.permissions.set([_permission(p) for p in spec.permissions])
        if root_page is not None:
            GroupPagePermission.objects.filter(group=group).exclude(permission__codename__in=spec.page_permissions).delete()
            for codename in spec.page_permissions:
                GroupPagePermission.objects.get_or_create(
                    group=group, page=root_page, permission=Permission.objects.get(content_type__app_label="wagtailcore", codename=codename)
                )
        if root_collection is not None:
            GroupCollectionPermission.objects.filter(group=group).exclude(permission__codename__in=spec.collection_permissions).delete()
            for codename in spec.collection_permissions:
                app_label = "wagtaildocs" if codename.endswith("document") else "wagtailimages"
                GroupCollectionPermission.objects.get_or_create(
                    group=group,
                    collection=root_collection,
                    permission=Permission.objects.get(content_type__app_label=app_label, codename=codename),
                )
        groups[role] = group
    return groups


def sync_roles_after_migrate(sender, **kwargs) -> None:
    # Only once every app's permissions exist (the last app to migrate is not
    # predictable), so tolerate a missing permission here; the demo command
    # and tests call sync_roles() directly and fail loudly.
    try:
        sync_roles()
    except LookupError:
        pass


def grant_role(user, role: Role, *, by=None) -> None:
    """Give ``user`` a role; ``by`` is who decided it, for the audit trail (portal.core.audit records every role change)."""
    with acting_as(by) if by is not None else nullcontext():
        user.groups.add(Group.objects.get(name=str(role)))


def revoke_role(user, role: Role, *, by=None) -> None:
    with acting_as(by) if by is not None else nullcontext():
        user.groups.remove(Group.objects.get(name=str(role)))
