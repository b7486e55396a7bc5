from django.urls import path

from directory import views

app_name = "directory"
urlpatterns = [
    path("pending/", views.pending_members, name="pending"),
    path("pending/<int:pk>/approve/", views.approve_member, name="approve"),
    path("pending/<int:pk>/decline/", views.decline_member, name="decline"),
    path("invite/", views.invite, name="invite"),
    path("invitations/<str:token>/", views.accept_invitation, name="accept-invitation"),
]
