"""Change history of the SLA domain, recorded by auditlog: policies, their versions and targets,
and the words of incidents (everything else about an incident is its timeline of events)."""

from auditlog.registry import auditlog

from tamdesk.sla.models import Incident, SLAPolicy, SLAPolicyVersion, SLATarget

auditlog.register(SLAPolicy)
auditlog.register(SLAPolicyVersion)
auditlog.register(SLATarget)
auditlog.register(Incident, include_fields=["title", "description"])
