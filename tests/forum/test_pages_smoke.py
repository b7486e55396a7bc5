import pytest

def test_pages_render(client_for, member, thread, moderator):
    from forum.services import post_reply
    r = post_reply(moderator, thread, body="Not yet, *soon*.")
    c = client_for(member)
    for url in ["/forum/", thread.board.get_absolute_url(), thread.get_absolute_url(), f"/forum/boards/{thread.board.slug}/new/", "/forum/notifications/"]:
        resp = c.get(url)
        assert resp.status_code == 200, (url, resp.content[:3000])
    c = client_for(moderator)
    assert c.get("/forum/moderation/").status_code == 200
    assert c.get(thread.get_absolute_url()).status_code == 200
