"""Change history of the SLA domain, recorded by auditlog: policies, their versions and targets,
the words of incidents (everything else about an incident is its timeline of events), and the
live incident sources (a token rotation shows as a new prefix; the digest is left out)."""

from auditlog.registry import auditlog

from tamdesk.sla.models import Incident, IncidentSource, SLAPolicy, SLAPolicyVersion, SLATarget

auditlog.register(SLAPolicy)
auditlog.register(SLAPolicyVersion)
auditlog.register(SLATarget)
auditlog.register(Incident, include_fields=["title", "description"])
auditlog.register(IncidentSource, exclude_fields=["token_digest", "updated_at"])
