"""Pages of the SLA domain under ``/sla/``; names ``sla:<model>_<action>``."""

from django.urls import path

from tamdesk.sla.views import incidents, monthly, policies, report

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
]
