"""The one list of what goes on the pages that show several domains: the client page, the daily
digest, the background jobs page, the sidebar and the home page of every role.

The domains write the content — a context function and a template each, in their own views
modules (``<domain>/views/client_section.py``, ``<domain>/views/home_section(s).py``, their
digest builders) — and this module puts it on the pages, in order. A new domain adds its
sections here; nothing is registered at start-up, and the order is the order of the lists.

Who reads which list:
- ``CLIENT_SECTIONS``: the client page (``directory.views.clients.ClientDetail``), through the
  setting ``CLIENT_PAGE_SECTIONS`` that names it (the directory cannot import this layer);
- ``DIGEST_SECTIONS``: the daily digest job (``workspace.tasks``), which hands it to
  ``notifications.digest.send_daily_digests``;
- ``JOBS_PAGE_SECTIONS``: the jobs page (``workspace.urls``);
- ``SIDEBAR``: the navigation (``workspace.context_processors.sidebar``); a person sees the
  entries whose permission they hold;
- ``HOME_SECTIONS``: the home page (``workspace.views.home``); a person sees the sections of
  every role they hold, each once, in this order.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tamdesk.changes.views import home_section as changes_home
from tamdesk.changes.views.client_section import changes_section_context
from tamdesk.core.roles import Role
from tamdesk.directory.views import client_page
from tamdesk.directory.views.home_sections import overview_context
from tamdesk.notifications import digest
from tamdesk.notifications.digest import DigestSection
from tamdesk.notifications.views.jobs import outbox_health
from tamdesk.sla import notifications as sla_notifications
from tamdesk.sla.views import home_sections as sla_home
from tamdesk.sla.views.client_section import sla_section_context
from tamdesk.workspace import composition
from tamdesk.workspace.composition import EVERYONE, HomeSection, NavEntry, NavGroup

ClientSection = client_page.ClientSection

# --- the client page -------------------------------------------------------------------------

CLIENT_SECTIONS: list[ClientSection] = [
    ClientSection(
        "account-team",
        _("Account team"),
        "people",
        "directory/client/_account_team.html",
        client_page.account_team_context,
    ),
    ClientSection("sla", _("SLA"), "stopwatch", "sla/client/_sla.html", sla_section_context),
    ClientSection(
        "changes", _("Changes"), "kanban", "changes/client/_changes.html", changes_section_context
    ),
    ClientSection(
        "contacts",
        _("Contacts"),
        "person-lines-fill",
        "directory/client/_contacts.html",
        client_page.contacts_context,
    ),
    ClientSection(
        "components",
        _("Landscape"),
        "hdd-network",
        "directory/client/_components.html",
        client_page.components_context,
    ),
]

# --- the daily digest ------------------------------------------------------------------------

DIGEST_SECTIONS: list[DigestSection] = [
    DigestSection("sla_risks", _("SLA risks"), sla_notifications.sla_risks),
    DigestSection(
        "clients_missing_contacts",
        _("Clients without a key contact"),
        digest.clients_missing_contacts,
    ),
    DigestSection("unread_notifications", _("Unread notifications"), digest.unread_notifications),
]

# --- the background jobs page ----------------------------------------------------------------

JOBS_PAGE_SECTIONS = [outbox_health]

# --- the sidebar -----------------------------------------------------------------------------

SIDEBAR: list[NavGroup] = [
    NavGroup(
        "main",
        None,
        (
            NavEntry("home", _("Home"), "house-door"),
            NavEntry(
                "notifications:inbox",
                _("Notifications"),
                "bell",
                "notifications:inbox",
                "notifications.view_inbox",
            ),
        ),
    ),
    NavGroup(
        "clients",
        _("Clients"),
        (
            NavEntry(
                "directory:client_list",
                _("Clients"),
                "buildings",
                "directory:client_",
                "directory.view_client",
            ),
            NavEntry(
                "directory:contact_list",
                _("Contacts"),
                "person-lines-fill",
                "directory:contact_",
                "directory.view_contact",
            ),
            NavEntry(
                "directory:component_list",
                _("Components"),
                "hdd-network",
                "directory:component_",
                "directory.view_component",
            ),
            NavEntry(
                "directory:assignment_list",
                _("Account teams"),
                "people",
                "directory:assignment_",
                "directory.view_accountteamassignment",
            ),
        ),
    ),
    NavGroup(
        "sla",
        _("Service levels"),
        (
            NavEntry(
                "sla:incident_list",
                _("Incidents"),
                "exclamation-diamond",
                "sla:incident_",
                "sla.view_incident",
            ),
            NavEntry(
                "sla:report",
                _("SLA report"),
                "bar-chart",
                "sla:report",
                "sla.view_incident",
            ),
            NavEntry(
                "sla:import_list",
                _("Incident imports"),
                "upload",
                "sla:import_",
                "sla.add_incidentimport",
            ),
            NavEntry(
                "sla:policy_list",
                _("SLA policies"),
                "stopwatch",
                "sla:policy_",
                "sla.view_slapolicy",
            ),
            NavEntry(
                "sla:source_list",
                _("Live incident sources"),
                "broadcast-pin",
                "sla:source_",
                "sla.view_incidentsource",
            ),
            NavEntry(
                "sla:ola_list",
                _("OLA targets"),
                "bullseye",
                "sla:ola_",
                "sla.view_olatarget",
            ),
        ),
    ),
    NavGroup(
        "changes",
        _("Changes"),
        (
            NavEntry(
                "changes:change_list",
                _("Changes"),
                "list-task",
                "changes:change_",
                "changes.view_changerequest",
            ),
            NavEntry(
                "changes:board",
                _("Change board"),
                "kanban",
                "changes:board",
                "changes.view_changerequest",
            ),
            NavEntry(
                "changes:department_queue_index",
                _("Department queues"),
                "inboxes",
                "changes:department_queue",
                "changes.view_departmenttask",
            ),
        ),
    ),
    NavGroup(
        "organisation",
        _("Organisation"),
        (
            NavEntry(
                "directory:department_list",
                _("Departments"),
                "diagram-3",
                "directory:department_",
                "directory.view_department",
            ),
            NavEntry(
                "directory:engineer_list",
                _("Engineers"),
                "person-badge",
                "directory:engineer_",
                "directory.view_engineer",
            ),
            NavEntry(
                "calendars:calendar_list",
                _("Calendars"),
                "calendar3",
                "calendars:",
                "calendars.view_calendar",
            ),
            NavEntry(
                "directory:user_list",
                _("User accounts"),
                "person-gear",
                "directory:user_",
                "auth.view_user",
            ),
        ),
    ),
    NavGroup(
        "administration",
        _("Administration"),
        (
            NavEntry(
                "notifications:outbox",
                _("Outbox"),
                "send",
                "notifications:outbox",
                "notifications.view_notification",
            ),
            NavEntry(
                "notifications:webhook_list",
                _("Webhooks"),
                "broadcast",
                "notifications:webhook_",
                "notifications.view_webhooksubscription",
            ),
            NavEntry(
                "jobs", _("Background jobs"), "gear-wide-connected", permission="core.view_jobrun"
            ),
        ),
    ),
    NavGroup("tools", _("Integration"), (NavEntry("api-docs", _("API docs"), "braces"),)),
]

# --- the home page ---------------------------------------------------------------------------

ACCOUNT_TEAM_ROLES = frozenset({Role.TAM, Role.SERVICE_MANAGER, Role.ARCHITECT})

HOME_SECTIONS: list[HomeSection] = [
    # TAM, service manager, architect: the clients whose account team they are on.
    HomeSection(
        "my-clients",
        _("My clients"),
        "buildings",
        "workspace/home/_my_clients.html",
        composition.my_clients_context,
        ACCOUNT_TEAM_ROLES,
    ),
    # TAM: what needs them on their clients.
    HomeSection(
        "client-incidents",
        _("Open incidents of my clients"),
        "exclamation-diamond",
        "sla/home/_client_incidents.html",
        sla_home.tam_incidents_context,
        frozenset({Role.TAM}),
    ),
    HomeSection(
        "changes-at-risk",
        _("Changes at risk or late"),
        "calendar-x",
        "changes/home/_changes_at_risk.html",
        changes_home.changes_at_risk_context,
        frozenset({Role.TAM}),
    ),
    HomeSection(
        "tasks-waiting",
        _("Tasks waiting for you"),
        "sign-stop",
        "changes/home/_tasks_waiting.html",
        changes_home.tasks_waiting_context,
        frozenset({Role.TAM}),
    ),
    # (Reviews and investigations that await a TAM come here with the quality domain.)
    # Service manager: the SLA across the clients they manage.
    HomeSection(
        "sla-state",
        _("SLA across my clients"),
        "stopwatch",
        "sla/home/_sla_state.html",
        sla_home.sla_state_context,
        frozenset({Role.SERVICE_MANAGER}),
    ),
    # Department lead: the department's queue, load and overdue work.
    HomeSection(
        "department",
        _("My department"),
        "diagram-3",
        "changes/home/_department.html",
        changes_home.department_lead_context,
        frozenset({Role.DEPARTMENT_LEAD}),
    ),
    # Whoever works in or leads a department, has tasks or owns changes.
    HomeSection(
        "my-work",
        _("My work"),
        "list-task",
        "changes/home/_my_work.html",
        changes_home.my_work_context,
        EVERYONE,
    ),
    # Engineers: the incidents assigned to them and their department's unassigned ones.
    HomeSection(
        "my-incidents",
        _("My incidents"),
        "exclamation-diamond",
        "sla/home/_my_incidents.html",
        sla_home.my_incidents_context,
        frozenset({Role.ENGINEER, Role.DEPARTMENT_LEAD}),
    ),
    # Programme lead: the TAMs and their clients.
    HomeSection(
        "tams",
        _("TAMs and their clients"),
        "person-badge",
        "workspace/home/_tams.html",
        composition.tams_context,
        frozenset({Role.PROGRAMME_LEAD}),
    ),
    # Administrators: the directory at a glance and the health of the background jobs.
    HomeSection(
        "jobs-health",
        _("Background jobs"),
        "gear-wide-connected",
        "workspace/home/_jobs_health.html",
        composition.jobs_health_context,
        frozenset({Role.ADMINISTRATOR}),
    ),
    HomeSection(
        "overview",
        _("The directory at a glance"),
        "buildings",
        "directory/home/_overview.html",
        overview_context,
        frozenset({Role.ADMINISTRATOR}),
    ),
]
