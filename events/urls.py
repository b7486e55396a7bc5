from django.urls import path

from events import views

app_name = "events"
# Specific paths only: everything else under /events/ is served by Wagtail (the index and event pages).
urlpatterns = [
    path("<int:pk>/book/", views.book, name="book"),
    path("<int:pk>/event.ics", views.event_ics, name="ics"),
    path("bookings/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("bookings/<int:pk>/certificate.pdf", views.certificate, name="certificate"),
    path("feed.ics", views.public_feed, name="feed"),
    path("feeds/<str:token>/my-bookings.ics", views.my_feed, name="my-feed"),
    path("my-training/", views.training_record, name="training-record"),
    path("my-training/new-feed-address/", views.reset_feed, name="reset-feed"),
    path("manage/", views.manage_overview, name="manage-overview"),
    path("manage/<int:pk>/", views.manage, name="manage"),
    path("manage/<int:pk>/book/", views.manage_book_on_behalf, name="manage-book"),
    path("manage/<int:pk>/capacity/", views.manage_capacity, name="manage-capacity"),
    path("manage/<int:pk>/email/", views.manage_email, name="manage-email"),
    path("manage/<int:pk>/attendees.csv", views.attendees_csv, name="attendees-csv"),
    path("manage/bookings/<int:pk>/attendance/", views.manage_attendance, name="manage-attendance"),
]
