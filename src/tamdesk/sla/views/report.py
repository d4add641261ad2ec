"""The SLA compliance report page (``sla:report``): the filters as a GET form, the grouped table
with its totals, a bar chart of compliance per month (SVG drawn here, no script), the violations
with links, the time per department (``sla.department_report``: the same groups per department,
with the OLA compliance; the department filter keeps that department's holds), and the same
report as CSV or XLSX (``?export=csv|xlsx``; ``&view=departments`` for the time per
department). Read-scoped like every
read: a TAM sees their clients' figures, a service manager all. Figures: ``sla.reports``."""

from __future__ import annotations

import io

from django import forms
from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from tamdesk.core import ranges, ui
from tamdesk.directory.models import Client, Department
from tamdesk.sla import department_report, report_export, reports
from tamdesk.sla.charts import compliance_chart
from tamdesk.sla.choices import Priority
from tamdesk.sla.models import Incident
from tamdesk.sla.views.common import ViewerTimeZoneMixin, viewer_time_zone

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
#: The violations listed on the page (the API and the XLSX export list them all).
VIOLATIONS_SHOWN = 100
GROUP_LABELS = {
    "client": _("Client"),
    "priority": _("Priority"),
    "department": _("Department"),
    "month": _("Month"),
}
EXPORTS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class ReportForm(forms.Form):
    """The report's filters (the API's parameters)."""

    group_by = forms.MultipleChoiceField(
        label=_("Group by"),
        choices=list(GROUP_LABELS.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    locals()["from"] = ranges.DayFormField(label=_("From"), required=False, widget=DATE_WIDGET)
    to = ranges.DayFormField(label=_("To"), required=False, widget=DATE_WIDGET)
    client = forms.ModelChoiceField(Client.objects.none(), label=_("Client"), required=False)
    priority = forms.ChoiceField(
        label=_("Priority"), choices=[("", _("Any")), *Priority.choices], required=False
    )
    department = forms.ModelChoiceField(
        Department.objects.all(), label=_("Department"), required=False
    )

    def __init__(self, *args, user, time_zone: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.time_zone = time_zone
        self.fields["client"].queryset = Client.objects.visible_to(user)
        for name in ("client", "department"):
            self.fields[name].empty_label = _("Any")

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        end = data.get("to") or timezone.localdate()
        start = data.get("from") or reports.default_start(end)
        try:
            reports.check_period(start, end)
        except reports.ReportError as exc:
            self.add_error(exc.field, exc.message)
            return data
        data["from"], data["to"] = start, end
        return data


class ComplianceReport(ViewerTimeZoneMixin, ui.ModelView):
    model = Incident
    route = "sla:incident"
    title = _("SLA compliance report")
    template_name = "sla/report.html"

    def get(self, request, *args, **kwargs) -> HttpResponse:
        self.check("view")
        time_zone = viewer_time_zone(request.user)
        form = ReportForm(request.GET, user=request.user, time_zone=time_zone)
        context = {**self.base_context(), "form": form, "time_zone": time_zone}
        if not form.is_valid():
            return self.render(context)
        data = form.cleaned_data
        group_by = reports.check_group_by(data["group_by"])
        incidents = reports.filtered(
            self.get_queryset(),
            client=data["client"].pk if data["client"] else None,
            priority=data["priority"],
            department=data["department"].pk if data["department"] else None,
        )
        period = {"start": data["from"], "end": data["to"], "time_zone": time_zone}
        held = department_report.report(
            reports.filtered(
                self.get_queryset(),
                client=data["client"].pk if data["client"] else None,
                priority=data["priority"],
            ),
            group_by=group_by,
            department=data["department"].pk if data["department"] else None,
            **period,
        )
        export = request.GET.get("export")
        if export in EXPORTS and request.GET.get("view") == "departments":
            return self.export_departments(export, held, period)
        result = reports.report(incidents, group_by=group_by, **period)
        if export in EXPORTS:
            return self.export(export, result, group_by, incidents, period)
        violations = reports.violations(incidents, **period)
        monthly = reports.report(incidents, group_by=["month"], **period).rows
        query = request.GET.copy()
        query.pop("export", None)
        query.pop("view", None)
        context |= {
            "group_by": group_by,
            "group_labels": [GROUP_LABELS[name] for name in group_by],
            "result": result,
            "start": data["from"],
            "end": data["to"],
            "chart": compliance_chart(monthly),
            "violations": violations[:VIOLATIONS_SHOWN],
            "violation_count": len(violations),
            "export_urls": {
                fmt: "?" + urlencode([*query.lists(), ("export", fmt)], doseq=True)
                for fmt in EXPORTS
            },
            "held": held,
            "held_groups": [name for name in held.group_by if name != "department"],
            "held_labels": [GROUP_LABELS[n] for n in held.group_by if n != "department"],
            "held_export_urls": {
                fmt: "?"
                + urlencode([*query.lists(), ("export", fmt), ("view", "departments")], doseq=True)
                for fmt in EXPORTS
            },
        }
        return self.render(context)

    def export(self, fmt: str, result, group_by, incidents, period) -> HttpResponse:
        name = f"sla-report-{period['start']:%Y%m%d}-{period['end']:%Y%m%d}.{fmt}"
        if fmt == "csv":
            text = io.StringIO()
            report_export.write_csv(text, result, group_by)
            body: bytes = text.getvalue().encode()
        else:
            stream = io.BytesIO()
            violations = reports.violations(incidents, **period)
            report_export.write_xlsx(stream, result, group_by, violations)
            body = stream.getvalue()
        response = HttpResponse(body, content_type=EXPORTS[fmt])
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    def export_departments(self, fmt: str, result, period) -> HttpResponse:
        name = f"sla-departments-{period['start']:%Y%m%d}-{period['end']:%Y%m%d}.{fmt}"
        if fmt == "csv":
            text = io.StringIO()
            department_report.write_csv(text, result)
            body: bytes = text.getvalue().encode()
        else:
            stream = io.BytesIO()
            department_report.write_xlsx(stream, result)
            body = stream.getvalue()
        response = HttpResponse(body, content_type=EXPORTS[fmt])
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
