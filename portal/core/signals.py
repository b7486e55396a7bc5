"""Receivers that keep accounts and member records in step, and anonymous visitors' cached pages current."""
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, post_page_move

from portal.core.page_cache import forget_cached_pages_on_commit


def connect_to_page_changes(callback, uid: str) -> None:
    """Call ``callback()`` whenever any page is published, unpublished, moved, saved or deleted.

    For caches of anything drawn from pages.  ``uid`` prefixes the receivers'
    ``dispatch_uid``s, so connecting the same callback again connects nothing
    more.  The receivers are held strongly: they are made here and nothing else
    keeps them alive.
    """

    def after_page_event(sender, **kwargs) -> None:
        callback()

    def after_model_saved_or_deleted(sender, instance, **kwargs) -> None:
        if isinstance(instance, Page):
            callback()

    page_published.connect(after_page_event, weak=False, dispatch_uid=f"{uid}.published")
    page_unpublished.connect(after_page_event, weak=False, dispatch_uid=f"{uid}.unpublished")
    post_page_move.connect(after_page_event, weak=False, dispatch_uid=f"{uid}.moved")
    post_save.connect(after_model_saved_or_deleted, weak=False, dispatch_uid=f"{uid}.page_saved")
    post_delete.connect(after_model_saved_or_deleted, weak=False, dispatch_uid=f"{uid}.page_deleted")


# Any page saved, going live, leaving, moving or going away can change the home page's lists and the
# guidance pages (a replacement, a superseded notice): forget every cached page.
connect_to_page_changes(forget_cached_pages_on_commit, "page_cache")


# No forum receiver: the page cache keeps pages for anonymous visitors only, and they read no board
# (forum.models.BoardQuerySet.readable_by), so a reply or a new thread changes no cached page.  Moving the
# whole site's generation on every reply made each write re-render every cached page on its next visit.


@receiver(post_save, sender="wagtailcore.PageViewRestriction", dispatch_uid="page_cache.restriction_saved")
@receiver(post_delete, sender="wagtailcore.PageViewRestriction", dispatch_uid="page_cache.restriction_deleted")
@receiver(post_save, sender="wagtailcore.Site", dispatch_uid="page_cache.site_saved")
@receiver(post_delete, sender="wagtailcore.Site", dispatch_uid="page_cache.site_deleted")
def forget_cached_pages_after_access_change(sender, **kwargs) -> None:
    """The cache is read before Wagtail's routing and privacy checks: a page made private, or a site
    pointed at another root, must not still be answered from a copy stored when it was open."""
    forget_cached_pages_on_commit()
