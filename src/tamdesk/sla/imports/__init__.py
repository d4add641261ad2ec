"""Incidents in from other helpdesks: every source (a file preset, a mapping, a webhook) is read
into the records of ``records.py``, and one writer puts them in through the SLA services."""
