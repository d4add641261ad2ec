"""The API's request body parser: JSON only, with the limits every endpoint shares.

Bodies are JSON, as the schema says: form and multipart bodies are refused (415
``unsupported_media_type``), so a form's lenient reading (an empty field taken as "use the
default", ``0`` as false) cannot accept what the schema refuses.

- A body larger than Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE`` is refused before it is read
  (``RequestDataTooBig``, answered 413 ``request_too_large``): DRF reads JSON from the stream, and
  Django's limit would not apply.
- JSON nested deeper than ``MAX_JSON_DEPTH`` levels is refused (400 ``parse_error``): no request
  field is nested that deep, and a deeper body would exhaust the interpreter's recursion limit in
  the decoder or in the code that walks the data (a 500).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.utils.translation import gettext
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json

MAX_JSON_DEPTH = 32


def _too_big() -> RequestDataTooBig:
    return RequestDataTooBig(
        gettext("The request body is larger than %(limit)d bytes.")
        % {"limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE}
    )


def check_content_length(meta: dict) -> None:
    """Refuse a body whose declared length is over the limit (no limit when it is None)."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    try:
        length = int(meta.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if limit is not None and length > limit:
        raise _too_big()


def read_limited(stream) -> bytes:
    """The whole body, refused when it turns out longer than the limit."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    body = stream.read() if limit is None else stream.read(limit + 1)
    if limit is not None and len(body) > limit:
        raise _too_big()
    return body


def json_depth(value) -> int:
    """How deeply lists and objects nest in ``value`` (a scalar is 0), without recursion."""
    deepest, pending = 0, [(value, 1)]
    while pending:
        item, depth = pending.pop()
        children = item.values() if isinstance(item, dict) else item
        if isinstance(item, (dict, list)):
            deepest = max(deepest, depth)
            pending.extend((child, depth + 1) for child in children)
    return deepest


def _meta(parser_context: dict | None) -> dict:
    request = (parser_context or {}).get("request")
    return request.META if request is not None else {}


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        check_content_length(_meta(parser_context))
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = read_limited(stream).decode(encoding)
            data = json.loads(text, parse_constant=json.strict_constant if self.strict else None)
        except RecursionError:
            raise ParseError(_nested_too_deeply()) from None
        except ValueError as exc:
            raise ParseError(gettext("JSON parse error - %(error)s") % {"error": exc}) from None
        if json_depth(data) > MAX_JSON_DEPTH:
            raise ParseError(_nested_too_deeply())
        return data


def _nested_too_deeply() -> str:
    return gettext("The JSON body is nested more than %(depth)d levels deep.") % {
        "depth": MAX_JSON_DEPTH
    }
