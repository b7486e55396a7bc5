"""The fan-out bench's pieces that do not need 1,000 sockets: how it recognises a reply, how it runs its tasks."""
from __future__ import annotations

import json

from bench import forum_fanout
from forum.models import Board, Subsection, ThreadEvent
from forum.queries import thread_message
from forum.services import post_reply, post_thread


def _frame(event) -> str:
    return thread_message(event)["texts"]["member"]  # what a member's thread page receives, encoded once by the sender


def test_fanout_recognises_its_reply_in_the_frame_a_thread_page_receives(member):
    board = Board.objects.create(subsection=Subsection.objects.create(name="Bench"), name="Bench board")
    thread = post_thread(member, board, title="Fan-out", body="Watching.")

    post_reply(member, thread, body="Reply bench-17-end")

    event = ThreadEvent.objects.get(thread=thread, kind=ThreadEvent.Kind.REPLY_POSTED)
    assert forum_fanout.reply_number(_frame(event)) == 17


def test_fanout_ignores_frames_that_announce_no_reply(member):
    board = Board.objects.create(subsection=Subsection.objects.create(name="Bench"), name="Bench board")
    thread = post_thread(member, board, title="Fan-out bench-3-end", body="Watching bench-3-end.")

    event = ThreadEvent.objects.get(thread=thread, kind=ThreadEvent.Kind.THREAD_POSTED)
    assert forum_fanout.reply_number(_frame(event)) is None


def test_fanout_runs_production_mode_with_a_secret_key_production_accepts():
    env = forum_fanout.production_env()

    assert env["PORTAL_MODE"] == "production"
    assert len(env["SECRET_KEY"]) >= 50 and env["SECRET_KEY"] != forum_fanout.production_env()["SECRET_KEY"]
