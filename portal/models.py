"""The ``portal`` app's models module: Django registers an app's models by importing this one module.

The models live on their floors (portal/core, portal/guidance, portal/site) and keep the ``portal``
label and their tables.  Only Django imports this module: code imports each model from its floor.
"""
from portal.core.models import AuditEvent, AuditEventQuerySet, AuditTrailIsReadOnly, OutboxTask, SentEmail, User  # noqa: F401
from portal.guidance.models import (  # noqa: F401
    Audience,
    GuidanceIndexPage,
    GuidancePage,
    GuidancePageQuerySet,
    Link,
    NewsletterArchivePage,
    NewsletterDelivery,
    NewsletterIssuePage,
    NewsletterSubscription,
    TwoEditorApprovalTask,
)
from portal.site.models import HomePage, StandardPage  # noqa: F401
