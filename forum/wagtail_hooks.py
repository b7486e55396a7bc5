"""Administrators edit subsections and boards in the Wagtail admin, as snippets."""
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from forum.models import Board, Subsection


class SubsectionViewSet(SnippetViewSet):
    model = Subsection
    icon = "folder-open-inverse"
    menu_label = "Subsections"
    list_display = ["name", "position"]
    search_fields = ["name"]


class BoardViewSet(SnippetViewSet):
    model = Board
    icon = "comment"
    menu_label = "Boards"
    list_display = ["name", "subsection", "audience", "is_sha_board", "position"]
    list_filter = ["subsection", "audience"]
    search_fields = ["name", "description"]


class ForumViewSetGroup(SnippetViewSetGroup):
    items = (SubsectionViewSet, BoardViewSet)
    menu_label = "Message boards"
    menu_icon = "comment"
    add_to_admin_menu = True


register_snippet(ForumViewSetGroup)
