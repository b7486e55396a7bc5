from django.apps import AppConfig


class RedesignConfig(AppConfig):
    name = "redesign"
    verbose_name = "Service re-design"
