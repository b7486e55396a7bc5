"""The roof: URLs, ASGI and websocket routing, the home page, the demonstration region and the benchmark data.

The only place that imports every app; nothing below imports it.
"""
