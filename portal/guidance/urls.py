"""The one URL guidance needs outside its pages: RFC 8058 one-click unsubscribe.

Mail programs (Gmail, Apple Mail) unsubscribe by POSTing
``List-Unsubscribe=One-Click`` to the ``List-Unsubscribe`` address, without
a CSRF token, so this view is CSRF-exempt; the signed token is the
credential.  Wire it in portal/site/urls.py with
``path("mail/", include("portal.guidance.urls"))``; until then e-mails carry
only the ordinary unsubscribe link (a page under /newsletter/).
"""
from django.urls import path

from portal.guidance.views import one_click_unsubscribe

app_name = "guidance"

urlpatterns = [
    path("newsletter/unsubscribe/<str:token>/", one_click_unsubscribe, name="one_click_unsubscribe"),
]
