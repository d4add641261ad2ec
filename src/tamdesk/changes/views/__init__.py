"""Pages of the changes domain under ``/changes/``: the change list, the change page with its
task table, Gantt chart, timeline and comments, the department queues, and the Changes section
of the client page."""
