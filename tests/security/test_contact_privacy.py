"""An administrators-only e-mail address never reaches a plain member, whatever the door (issue 21, finding 3).

The probe found addresses set to "administrators only" in the re-design matrix's leads list, CSV export
and print view.  This test plants one address (and telephone number) that only administrators may see,
on a member who shares an organisation with the viewer and is as visible as a member can be — a lead of
re-design work, the author of a thread and a reply, the owner of a template — and then walks every
output a plain member can reach: pages, CSV, print, JSON, vCard, the business-case draft, e-mail,
search and the live websocket.  It also checks that the address is really there to leak: an
administrator sees it on the same pages.
"""
from __future__ import annotations

import io
import zipfile

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator
from django.core import mail
from django.test import Client

from portal.core.roles import Role

pytestmark = pytest.mark.django_db(transaction=True)

HIDDEN_EMAIL = "hidden.lead@example.nhs.uk"
HIDDEN_PHONE = "01206 555 0142"
SECRETS = (HIDDEN_EMAIL, HIDDEN_EMAIL.replace("@", "%40"), HIDDEN_PHONE)


def leaked(text: str) -> list[str]:
    return [secret for secret in SECRETS if secret in text]


def docx_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist() if name.endswith(".xml"))


@pytest.fixture
def world(make_member, region, service_areas, roles):
    """The hidden lead, a plain member of the same cluster, and everything the lead is part of."""
    from forum.models import Board, Subsection
    from forum.services import post_reply, post_thread, subscribe
    from redesign.models import MatrixEntry
    from redesign.services import create_template
    from tests.security.world import docx_upload

    lead = make_member(first_name="Hester", last_name="Quill", email=HIDDEN_EMAIL, phone=HIDDEN_PHONE,
                       email_visibility="admins", phone_visibility="admins", roles=[Role.MEMBER, Role.CLUSTER_LEAD],
                       organisations=[region["cluster"]])
    viewer = make_member(first_name="Pat", last_name="Plain", organisations=[region["cluster"]])
    admin = make_member(first_name="Ada", last_name="Admin", roles=[Role.MEMBER, Role.NETWORK_ADMIN],
                        organisations=[region["sha"]], mfa=True, job_role="sha_staff")
    entry = MatrixEntry.objects.create(organisation=region["cluster"], service_area=service_areas["Dermatology"],
                                       title="Community dermatology service", summary="GPwSI clinics in two practices.")
    entry.leads.set([lead])
    board = Board.objects.create(subsection=Subsection.objects.create(name="Clinical", position=1), name="Clinical pathways")
    subscribe(viewer, board=board)
    thread = post_thread(lead, board, title="Dermatology GPwSI accreditation", body="Who has been through it?")
    post_reply(lead, thread, body="We used the PCT's process.")
    template = create_template(actor=admin.user, title="Dermatology business case", kind="business_case",
                               upload=docx_upload(), organisation=region["cluster"], audience="members")
    return {"lead": lead, "viewer": viewer, "admin": admin, "entry": entry, "board": board, "thread": thread,
            "template": template, "region": region, "area": service_areas["Dermatology"]}


def http_outputs(world) -> dict[str, str]:
    """Every page, export and document a member reaches where the lead appears, by name."""
    lead, entry, region = world["lead"], world["entry"], world["region"]
    new_entry = f"/redesign/entries/new/details/?service_area={world['area'].slug}&organisation={region['cluster'].slug}"
    return {
        "directory list": "/directory/",
        "directory search": "/directory/?q=Quill",
        "profile": f"/directory/members/{lead.pk}/",
        "vCard": f"/directory/members/{lead.pk}/vcard/",
        "directory CSV": "/directory/export.csv",
        "organisation page": f"/directory/organisations/{region['cluster'].slug}/",
        "service area page": f"/directory/areas/{world['area'].slug}/",
        "own data (JSON)": "/directory/me/data.json",
        "matrix": "/redesign/",
        "entry list": "/redesign/entries/",
        "entry record": entry.get_absolute_url(),
        "entry form (edit)": f"/redesign/entries/{entry.pk}/edit/",
        "entry form (new)": new_entry,
        "matrix CSV": "/redesign/entries/export.csv",
        "matrix print": "/redesign/entries/print/",
        "business case (DOCX)": f"/redesign/entries/{entry.pk}/business-case.docx",
        "template library": "/redesign/templates/",
        "template": f"/redesign/templates/{world['template'].pk}/",
        "board": world["board"].get_absolute_url(),
        "thread": world["thread"].get_absolute_url(),
        "search by name": "/search/?q=Quill",
        "similar work (JSON)": "/search/similar.json?text=Community+dermatology+service",
        "home": "/",
    }


def read(client: Client, address: str) -> tuple[int, str]:
    response = client.get(address)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if address.endswith(".docx") and response.status_code == 200:
        return response.status_code, docx_text(body)
    return response.status_code, body.decode("utf-8", "replace")


async def websocket_messages(viewer_client: Client, world) -> str:
    """What the viewer's open thread and notification sockets receive while the lead posts again."""
    from forum.services import post_reply
    from portal.site.asgi import application

    cookie = f"sessionid={viewer_client.cookies['sessionid'].value}".encode()
    headers = [(b"origin", b"http://localhost"), (b"cookie", cookie), (b"host", b"localhost")]
    sockets = [WebsocketCommunicator(application, path, headers=headers)
               for path in (f"/ws/forum/threads/{world['thread'].pk}/", "/ws/notifications/", f"/ws/forum/boards/{world['board'].slug}/")]
    for socket in sockets:
        connected, _code = await socket.connect(timeout=5)
        assert connected
    await sync_to_async(post_reply)(world["lead"], world["thread"], body="Happy to share our accreditation papers.")
    received = []
    for socket in sockets:
        while not await socket.receive_nothing(timeout=1):
            received.append(await socket.receive_from(timeout=2))
        await socket.disconnect()
    assert any("accreditation papers" in message for message in received), "the thread socket heard nothing"
    return "\n".join(received)


def test_administrators_only_address_reaches_no_plain_member_through_any_output(world):
    viewer_client, admin_client = Client(), Client()
    viewer_client.force_login(world["viewer"].user)
    admin_client.force_login(world["admin"].user)
    leaks = {}

    for name, address in http_outputs(world).items():
        status, text = read(viewer_client, address)
        assert status in (200, 403), f"{name} ({address}) answered {status}"
        if found := leaked(text):
            leaks[name] = found

    # Searching for the address itself echoes it back; what must not come back is whose address it is.
    status, text = read(viewer_client, f"/search/?q={HIDDEN_EMAIL}")
    assert status == 200
    if "Quill" in text:
        leaks["search by address"] = ["finds Hester Quill"]

    sent_to_viewer = [message for message in mail.outbox if world["viewer"].user.email in message.to]
    assert sent_to_viewer, "the viewer was sent no e-mail to check"
    for message in sent_to_viewer:
        text = message.subject + message.body + "".join(content for content, _type in getattr(message, "alternatives", []))
        if found := leaked(text):
            leaks[f"e-mail {message.subject!r}"] = found

    if found := leaked(async_to_sync(websocket_messages)(viewer_client, world)):
        leaks["websocket"] = found

    assert leaks == {}
    # The address is there to leak: an administrator sees it on the profile and in the matrix export.
    assert HIDDEN_EMAIL in read(admin_client, f"/directory/members/{world['lead'].pk}/")[1]
    assert HIDDEN_EMAIL in read(admin_client, "/redesign/entries/export.csv")[1]
