"""Django's JSON-lines serializer, keeping times to the microsecond (for ``manage.py backup``).

``DjangoJSONEncoder`` cuts datetimes and times to milliseconds (ECMA-262
style), so a backup made with the stock ``jsonl`` format would come back with
every timestamp slightly changed.  Reading needs nothing special: each
field's ``to_python`` parses the full ISO 8601 text.
"""
from __future__ import annotations

import datetime

from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.jsonl import Deserializer  # noqa: F401 - the format's reader
from django.core.serializers.jsonl import Serializer as JSONLSerializer


class ExactJSONEncoder(DjangoJSONEncoder):
    def default(self, o):
        if isinstance(o, (datetime.datetime, datetime.time)):
            return o.isoformat()
        return super().default(o)


class Serializer(JSONLSerializer):
    def _init_options(self):
        super()._init_options()
        self.json_kwargs["cls"] = ExactJSONEncoder
