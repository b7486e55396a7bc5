from django.urls import path

from forum import views

app_name = "forum"
urlpatterns = [
    path("", views.index, name="index"),
    path("boards/<slug:slug>/", views.board, name="board"),
    path("boards/<slug:slug>/new/", views.new_thread, name="new_thread"),
    path("boards/<slug:slug>/watch/", views.watch_board, name="watch_board"),
    path("threads/<int:pk>/", views.thread, name="thread"),
    path("threads/<int:pk>/reply/", views.reply, name="reply"),
    path("threads/<int:pk>/edit/", views.edit_thread, name="edit_thread"),
    path("threads/<int:pk>/watch/", views.watch_thread, name="watch_thread"),
    path("threads/<int:pk>/report/", views.report, name="report_thread"),
    path("threads/<int:pk>/guidance/", views.draft_guidance, name="draft_guidance"),
    path("threads/<int:pk>/moderate/<str:action>/", views.moderate_thread, name="moderate_thread"),
    path("replies/<int:pk>/edit/", views.edit_reply, name="edit_reply"),
    path("replies/<int:pk>/accept/", views.accept, name="accept"),
    path("replies/<int:pk>/report/", views.report_reply, name="report_reply"),
    path("replies/<int:pk>/hide/", views.hide_reply, name="hide_reply"),
    path("replies/<int:pk>/unhide/", views.unhide_reply, name="unhide_reply"),
    path("revisions/<int:pk>/redact/", views.redact_revision, name="redact_revision"),
    path("posts/<str:kind>/<int:pk>/history/", views.history, name="history"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("moderation/", views.queue, name="queue"),
    path("moderation/reports/<int:pk>/dismiss/", views.dismiss, name="dismiss_report"),
    path("notifications/", views.notifications, name="notifications"),
    path("reports/time-to-answer/", views.answer_report, name="answer_report"),
    path("reports/time-to-answer.csv", views.answer_report_csv, name="answer_report_csv"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
