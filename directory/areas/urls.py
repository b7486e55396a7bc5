from django.urls import path

from directory.areas import views

app_name = "areas"
urlpatterns = [
    path("", views.index, name="index"),
    path("following/", views.following, name="following"),
    path("following/<slug:slug>/follow/", views.follow, name="follow"),
    path("following/<slug:slug>/stop/", views.stop, name="stop"),
    path("expertise/", views.expertise, name="expertise"),
]
