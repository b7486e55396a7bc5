from django.urls import path

from directory import views

app_name = "directory"
urlpatterns = [
    path("", views.directory_list, name="list"),
    path("export.csv", views.export_csv, name="export"),
    path("me/", views.my_profile, name="me"),
    path("me/data.json", views.my_data, name="my-data"),
    path("members/<int:pk>/", views.member_detail, name="member"),
    path("members/<int:pk>/vcard/", views.member_vcard_view, name="vcard"),
    path("members/<int:pk>/deactivate/", views.deactivate_member, name="deactivate"),
    path("members/<int:pk>/reactivate/", views.reactivate_member, name="reactivate"),
    path("members/<int:pk>/erase/", views.erase_member, name="erase"),
    path("organisations/", views.organisation_list, name="organisations"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation"),
    path("areas/<slug:slug>/", views.service_area, name="area"),
    path("import/", views.import_csv, name="import"),
    path("pending/", views.pending_members, name="pending"),
    path("pending/<int:pk>/approve/", views.approve_member, name="approve"),
    path("pending/<int:pk>/decline/", views.decline_member, name="decline"),
    path("invite/", views.invite, name="invite"),
    # Public on purpose: the person invited has no account yet.
    path("invitations/<str:token>/", views.accept_invitation, name="accept-invitation"),
]
