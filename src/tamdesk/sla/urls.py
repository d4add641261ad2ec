"""Pages of the SLA domain under ``/sla/``; names ``sla:<model>_<action>``."""

from django.urls import path

from tamdesk.sla.views import imports, incidents, monthly, ola, policies, report, sources

app_name = "sla"
urlpatterns = [
    path("incidents/", incidents.IncidentList.as_view(), name="incident_list"),
    path("incidents/new/", incidents.IncidentCreate.as_view(), name="incident_create"),
    path("incidents/<int:pk>/", incidents.IncidentDetail.as_view(), name="incident_detail"),
    path("incidents/<int:pk>/edit/", incidents.IncidentUpdate.as_view(), name="incident_update"),
    path("incidents/<int:pk>/clocks/", incidents.IncidentClocks.as_view(), name="incident_clocks"),
    path(
        "incidents/<int:pk>/events/new/",
        incidents.IncidentEventCreate.as_view(),
        name="incident_event_create",
    ),
    path("report/", report.ComplianceReport.as_view(), name="report"),
    path("imports/", imports.ImportList.as_view(), name="import_list"),
    path("imports/new/", imports.ImportCreate.as_view(), name="import_create"),
    path("imports/<int:pk>/", imports.ImportDetail.as_view(), name="import_detail"),
    path("imports/<int:pk>/start/", imports.ImportStart.as_view(), name="import_start"),
    path("imports/<int:pk>/cancel/", imports.ImportCancel.as_view(), name="import_cancel"),
    path("imports/<int:pk>/resume/", imports.ImportResume.as_view(), name="import_resume"),
    path("imports/<int:pk>/rejects.csv", imports.ImportRejects.as_view(), name="import_rejects"),
    path("monthly-reports/", monthly.MonthlyReportList.as_view(), name="monthly_report_list"),
    path(
        "monthly-reports/new/", monthly.MonthlyReportCreate.as_view(), name="monthly_report_create"
    ),
    path(
        "monthly-reports/<int:pk>/",
        monthly.MonthlyReportDetail.as_view(),
        name="monthly_report_detail",
    ),
    path(
        "monthly-reports/<int:pk>/pdf/",
        monthly.MonthlyReportPdf.as_view(),
        name="monthly_report_pdf",
    ),
    path(
        "monthly-reports/<int:pk>/approve/",
        monthly.MonthlyReportApprove.as_view(),
        name="monthly_report_approve",
    ),
    path(
        "monthly-reports/<int:pk>/send-again/",
        monthly.MonthlyReportResend.as_view(),
        name="monthly_report_resend",
    ),
    path("policies/", policies.PolicyList.as_view(), name="policy_list"),
    path("policies/new/", policies.PolicyCreate.as_view(), name="policy_create"),
    path("policies/<int:pk>/", policies.PolicyDetail.as_view(), name="policy_detail"),
    path("policies/<int:pk>/edit/", policies.PolicyUpdate.as_view(), name="policy_update"),
    path(
        "policies/<int:pk>/versions/new/",
        policies.PolicyVersionCreate.as_view(),
        name="policy_version_create",
    ),
    path("policies/<int:pk>/delete/", policies.PolicyDelete.as_view(), name="policy_delete"),
    path("sources/", sources.SourceList.as_view(), name="source_list"),
    path("sources/new/", sources.SourceCreate.as_view(), name="source_create"),
    path("sources/<int:pk>/", sources.SourceDetail.as_view(), name="source_detail"),
    path("sources/<int:pk>/edit/", sources.SourceUpdate.as_view(), name="source_update"),
    path(
        "sources/<int:pk>/rotate-token/",
        sources.SourceRotateToken.as_view(),
        name="source_rotate_token",
    ),
    path("ola-targets/", ola.OLAList.as_view(), name="ola_list"),
    path("ola-targets/new/", ola.OLACreate.as_view(), name="ola_create"),
    path("ola-targets/<int:pk>/edit/", ola.OLAUpdate.as_view(), name="ola_update"),
    path("ola-targets/<int:pk>/delete/", ola.OLADelete.as_view(), name="ola_delete"),
]
