"""Portal settings with the channel layer's Redis socket timeout switched off (``--fixed-layer``).

redis-py 8 gives every connection a 5-second socket timeout, and channels-redis
waits on BZPOPMIN for 5 seconds, so an idle worker's receive loop can time out
and take every websocket on it down (redis/redis-py#4091).  Passing
``socket_timeout: None`` for the layer's host, as redis-py 7 did by default,
is the fix this module tries; portal/settings.py is the lead's to change.
"""
from portal.settings import *  # noqa: F401,F403
from portal.settings import CHANNEL_LAYERS, REDIS_URL

if REDIS_URL:
    CHANNEL_LAYERS["default"]["CONFIG"]["hosts"] = [{"address": REDIS_URL, "socket_timeout": None}]
