

def test_busiest_threads_are_ordered_by_replies_this_month(member, other_org_member, board):
    from forum.home import busiest_items
    from forum.services import post_reply, post_thread

    quiet = post_thread(member, board, title="Fair shares: who has a formula?", body="Any formula?")
    busy = post_thread(member, board, title="Urgent care centre tender", body="Who has tendered?")
    post_thread(member, board, title="Nobody has answered this", body="Hello?")
    post_reply(other_org_member, quiet, body="We use the PCT's weighted capitation.")
    for text in ("We tendered in 2007.", "So did we.", "Ours went to a GP company."):
        post_reply(other_org_member, busy, body=text)

    items = busiest_items(member.user, limit=5)

    assert [item.title for item in items] == ["Urgent care centre tender", "Fair shares: who has a formula?"]
    assert "3 replies" in items[0].meta
