"""Receivers that keep accounts and member records in step, and anonymous visitors' cached pages current."""
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, post_page_move

from portal.page_cache import forget_cached_pages_on_commit

# Any page saved, going live, leaving, moving or going away can change the home page's lists and the
# guidance pages (a replacement, a superseded notice): forget every cached page.
page_published.connect(forget_cached_pages_on_commit, dispatch_uid="page_cache.published")
page_unpublished.connect(forget_cached_pages_on_commit, dispatch_uid="page_cache.unpublished")
post_page_move.connect(forget_cached_pages_on_commit, dispatch_uid="page_cache.moved")


@receiver(post_save, dispatch_uid="page_cache.page_saved")
@receiver(post_delete, dispatch_uid="page_cache.page_deleted")
def forget_cached_pages_after_page_change(sender, instance, **kwargs) -> None:
    if isinstance(instance, Page):
        forget_cached_pages_on_commit()


@receiver(post_save, sender="forum.Thread", dispatch_uid="page_cache.thread_saved")
@receiver(post_delete, sender="forum.Thread", dispatch_uid="page_cache.thread_deleted")
def forget_cached_pages_after_thread_change(sender, **kwargs) -> None:
    """The home page lists recent questions."""
    forget_cached_pages_on_commit()


@receiver(post_save, sender="wagtailcore.PageViewRestriction", dispatch_uid="page_cache.restriction_saved")
@receiver(post_delete, sender="wagtailcore.PageViewRestriction", dispatch_uid="page_cache.restriction_deleted")
@receiver(post_save, sender="wagtailcore.Site", dispatch_uid="page_cache.site_saved")
@receiver(post_delete, sender="wagtailcore.Site", dispatch_uid="page_cache.site_deleted")
def forget_cached_pages_after_access_change(sender, **kwargs) -> None:
    """The cache is read before Wagtail's routing and privacy checks: a page made private, or a site
    pointed at another root, must not still be answered from a copy stored when it was open."""
    forget_cached_pages_on_commit()
