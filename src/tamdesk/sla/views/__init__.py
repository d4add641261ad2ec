"""Pages of the SLA domain under ``/sla/``: incidents with their live clocks and timelines, SLA
policies with their versions, and the SLA section of the client page."""
