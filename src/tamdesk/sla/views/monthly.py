"""The monthly client reports' pages: the list (per client and month, with their status), the
"generate now" form, the printable report with its PDF, and the TAM's "approve and send" and
"send again" buttons. The rules live in ``sla.monthly``; who may do what in
``sla.permissions``."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from tamdesk.core import ui
from tamdesk.core.permissions import is_administrator, is_service_manager
from tamdesk.directory.models import Client
from tamdesk.sla import monthly
from tamdesk.sla.filters import MonthlyReportFilter
from tamdesk.sla.models import MonthlyReport
from tamdesk.sla.views.common import ViewerTimeZoneMixin, viewer_time_zone

#: The months the "generate now" form offers: the last ones that are over.
MONTHS_OFFERED = 24


class MonthlyReportViews(ViewerTimeZoneMixin):
    model = MonthlyReport
    route = "sla:monthly_report"

    def all_rows(self):
        return MonthlyReport.objects.select_related("client")


class MonthlyReportList(MonthlyReportViews, ui.ObjectListView):
    title = gettext_lazy("Monthly client reports")
    filterset_class = MonthlyReportFilter
    table_template = "sla/partials/_monthly_report_table.html"


def month_choices(today: dt.date) -> list[tuple[str, str]]:
    last = monthly.add_months(today.replace(day=1), -1)
    months = [monthly.add_months(last, -i) for i in range(MONTHS_OFFERED)]
    return [(m.strftime("%Y-%m"), date_format(m, "YEAR_MONTH_FORMAT")) for m in months]


class GenerateForm(forms.Form):
    """Which client and which month (one that is over) to generate the report of."""

    client = forms.ModelChoiceField(Client.objects.none(), label=gettext_lazy("Client"))
    month = forms.ChoiceField(label=gettext_lazy("Month"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        clients = Client.objects.visible_to(user)
        if not (is_administrator(user) or is_service_manager(user)):
            clients = clients.managed_by(user)
        self.fields["client"].queryset = clients.order_by("name")
        self.fields["month"].choices = month_choices(timezone.localdate())

    def clean_month(self) -> dt.date:
        year, month = self.cleaned_data["month"].split("-")
        return dt.date(int(year), int(month), 1)


class MonthlyReportCreate(MonthlyReportViews, ui.ModelView):
    """Generate a client's report of a month now (a draft; generated again while a draft)."""

    title = gettext_lazy("Generate a monthly report")
    template_name = "components/form_page.html"

    def get(self, request, *args, **kwargs) -> HttpResponse:
        self.check("add")
        initial = {"client": request.GET.get("client")} if request.GET.get("client") else {}
        return self.render_form(GenerateForm(user=request.user, initial=initial))

    def post(self, request, *args, **kwargs) -> HttpResponse:
        self.check("add")
        form = GenerateForm(request.POST, user=request.user)

        def generate() -> MonthlyReport:
            client = form.cleaned_data["client"]
            self.check("add", client)
            return monthly.generate_report(
                client=client, month=form.cleaned_data["month"], by=request.user
            )

        response = ui.run_service(
            request,
            form,
            generate,
            redirect_to=lambda report: report.get_absolute_url(),
            success_message=lambda report: (
                _("Generated the report “%(report)s”.") % {"report": report}
            ),
        )
        return response or self.render_form(form)

    def render_form(self, form: GenerateForm) -> HttpResponse:
        context = {**self.base_context(), "form": form, "cancel_url": self.url("list")}
        return self.render(context)


class MonthlyReportDetail(MonthlyReportViews, ui.ModelView):
    template_name = "sla/monthly_report_detail.html"

    def get(self, request, *args, **kwargs) -> HttpResponse:
        report = self.get_object()
        self.check("view", report)
        user = request.user
        can_send = user.has_perm("sla.change_monthlyreport", report)
        context = {
            **self.base_context(),
            "title": _("SLA report of %(client)s for %(month)s")
            % {
                "client": report.client.name,
                "month": date_format(report.month, "YEAR_MONTH_FORMAT"),
            },
            "report": report,
            "object": report,
            "client": report.client,
            "can_generate": user.has_perm("sla.add_monthlyreport", report.client),
            "can_send": can_send,
            "will_receive": monthly.decision_makers(report.client) if can_send else [],
            "pdf_url": self.url("pdf", report),
            "generate_url": self.url("create"),
            "approve_url": self.url("approve", report),
            "resend_url": self.url("resend", report),
            **monthly.shown(report),
        }
        return self.render(context)


class MonthlyReportPdf(MonthlyReportViews, ui.ModelView):
    """The report as a PDF, in the viewer's language with times in their zone."""

    def get(self, request, *args, **kwargs) -> HttpResponse:
        report = self.get_object()
        self.check("view", report)
        body = monthly.render_pdf(
            report, language=get_language(), time_zone=viewer_time_zone(request.user)
        )
        response = HttpResponse(body, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{monthly.pdf_name(report)}"'
        return response


class MonthlyReportAction(MonthlyReportViews, ui.ModelView):
    """A button (POST only): the permission is checked on the report under its lock, the
    service refuses what the report's status does not allow; a refusal is a message."""

    http_method_names = ["post"]
    service = None
    done = ""

    def post(self, request, *args, **kwargs) -> HttpResponse:
        report = self.get_object()

        def act() -> MonthlyReport:
            self.check("change", report)
            return type(self).service(report, by=request.user)

        ui.run_action(
            request,
            act,
            success_message=lambda sent: (
                self.done % {"people": ", ".join(person["email"] for person in sent.recipients)}
            ),
        )
        return redirect(reverse("sla:monthly_report_detail", args=[report.pk]))


class MonthlyReportApprove(MonthlyReportAction):
    service = monthly.approve_and_send
    done = gettext_lazy("Approved; the report is on its way to %(people)s.")


class MonthlyReportResend(MonthlyReportAction):
    service = monthly.send_again
    done = gettext_lazy("The report is on its way again to %(people)s.")
