"""StreamField blocks shared by the portal's pages: NHS.UK components first."""
from wagtail import blocks
from wagtailnhsukfrontend.blocks import (
    ActionLinkBlock,
    CareCardBlock,
    DetailsBlock,
    InsetTextBlock,
    WarningCalloutBlock,
)


class ContentBlocks(blocks.StreamBlock):
    heading = blocks.CharBlock(form_classname="title", icon="title", template="blocks/heading.html")
    paragraph = blocks.RichTextBlock(features=["bold", "italic", "link", "ol", "ul", "document-link"])
    inset_text = InsetTextBlock()
    warning_callout = WarningCalloutBlock()
    care_card = CareCardBlock()
    details = DetailsBlock()
    action_link = ActionLinkBlock()
