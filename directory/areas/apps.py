from django.apps import AppConfig


class AreasConfig(AppConfig):
    """Service-area watches and expertise.  The apps whose work moves (re-design work, the forum) register
    who may see it and their evidence here, from their own ``ready`` (``redesign.service_areas``,
    ``forum.service_areas``): this app imports neither."""

    name = "directory.areas"
    label = "areas"
    verbose_name = "Service-area watches and expertise"
