"""The directory's vocabularies and organisations in the Wagtail admin, for network administrators."""
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from directory.models import AllowedDomain, Organisation, ServiceArea


class ServiceAreaViewSet(SnippetViewSet):
    model = ServiceArea
    icon = "tag"
    menu_label = "Service areas"
    list_display = ["name", "slug", "description"]
    search_fields = ["name"]


class OrganisationViewSet(SnippetViewSet):
    model = Organisation
    icon = "group"
    menu_label = "Organisations"
    list_display = ["name", "kind", "parent", "locality"]
    list_filter = ["kind"]
    search_fields = ["name", "locality", "code"]


class AllowedDomainViewSet(SnippetViewSet):
    model = AllowedDomain
    icon = "mail"
    menu_label = "Approved e-mail domains"
    list_display = ["domain", "note"]


class DirectoryGroup(SnippetViewSetGroup):
    menu_label = "Directory"
    menu_icon = "group"
    menu_order = 300
    items = (ServiceAreaViewSet, OrganisationViewSet, AllowedDomainViewSet)


register_snippet(DirectoryGroup)
