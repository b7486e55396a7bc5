app_name = "redesign"
urlpatterns: list = []
