"""A link from the Wagtail admin menu to the bookings overview, for people who may manage bookings."""
from django.urls import reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem


class BookingsMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("events.manage_bookings")


@hooks.register("register_admin_menu_item")
def register_bookings_menu_item():
    return BookingsMenuItem("Event bookings", reverse("events:manage-overview"), icon_name="date", order=350)
