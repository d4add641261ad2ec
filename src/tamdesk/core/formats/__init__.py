"""How dates and times are written, per language (``FORMAT_MODULE_PATH``): one set for every page
and message. Templates name a format (``|date:"SHORT_DATETIME_FORMAT"``), never spell one out;
machine-read values (``datetime=``, ``data-`` attributes, inputs) stay ISO 8601.

English writes ISO-like dates, unambiguous for any reader (``2026-07-25 14:05``); Russian writes
its own (``25.07.2026 14:05``). Times are 24-hour in both. Formats not set here are Django's own
for the language (month names, input formats)."""
