from django.urls import path

from redesign import views

app_name = "redesign"
urlpatterns = [
    path("", views.matrix, name="matrix"),
    path("entries/", views.entry_list, name="entries"),
    path("entries/export.csv", views.entry_export, name="entries_export"),
    path("entries/print/", views.entry_print, name="entries_print"),
    path("entries/new/", views.entry_start, name="entry_new"),
    path("entries/new/details/", views.entry_create, name="entry_new_details"),
    path("entries/import/", views.import_entries, name="import"),
    path("entries/<int:pk>/", views.entry_detail, name="entry"),
    path("entries/<int:pk>/edit/", views.entry_edit, name="entry_edit"),
    path("entries/<int:pk>/stage/", views.entry_stage, name="entry_stage"),
    path("entries/<int:pk>/documents/", views.entry_attach, name="entry_attach"),
    path("entries/<int:pk>/business-case.docx", views.entry_business_case, name="entry_business_case"),
    path("links/", views.link, name="link"),
    path("templates/", views.template_list, name="templates"),
    path("templates/new/", views.template_create, name="template_new"),
    path("templates/<int:pk>/", views.template_detail, name="template"),
    path("templates/<int:pk>/versions/", views.template_add_version, name="template_add_version"),
    path("templates/<int:pk>/versions/<int:number>/adapt/", views.template_adapt, name="template_adapt"),
    path("templates/<int:pk>/versions/<int:number>/download/", views.template_download, name="template_download"),
]
