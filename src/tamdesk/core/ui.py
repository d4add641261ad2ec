"""Generic views of the HTML UI, parameterised per model by the domains.

Every view requires a login and asks ``user.has_perm("<app>.<verb>_<model>", obj)`` (the rules
predicates of the domain decide); a refusal is a 403. Rows are read through the model's
``visible_to(user)`` (``get_queryset``, ``tamdesk.core.scoping``): a record the user may not read
is a 404. List views filter, sort and paginate with the domain's FilterSet and answer an htmx
request with the table fragment only. Form views turn a ``DomainError`` raised by a service into
a form error on its ``field``; delete views turn it into a message and delete nothing. Edit views
lock the record and refuse a stale save (``VersionedEditMixin``, see ``tamdesk.core.concurrency``).
URL names follow ``<route>_<action>`` (``directory:client_list``).
"""

from __future__ import annotations

import abc
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models, transaction
from django.forms import BaseForm, NullBooleanSelect
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django_htmx.http import HttpResponseClientRedirect

from tamdesk.core import concurrency, scoping
from tamdesk.core.concurrency import StaleEdit
from tamdesk.core.exceptions import DomainError
from tamdesk.core.forms import VersionedFormMixin

PAGE_SIZE = 25
VERBS = ("view", "add", "change", "delete")


def permission_name(model: type[models.Model], verb: str) -> str:
    """``directory.change_client`` for ``(Client, "change")``."""
    return f"{model._meta.app_label}.{verb}_{model._meta.model_name}"


def require_perm(user, model: type[models.Model], verb: str, obj=None) -> None:
    """Raise ``PermissionDenied`` (403) unless ``user`` may ``verb`` the model (or ``obj``)."""
    if not user.has_perm(permission_name(model, verb), obj):
        raise PermissionDenied


def safe_next(request, default: str) -> str:
    """The ``next`` parameter when it points into this site, else ``default``."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def wants_fragment(request) -> bool:
    """An htmx request that swaps a fragment (not a boosted page or a history restore)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def add_domain_error(form: BaseForm, error: DomainError) -> None:
    """Show a service's refusal on the form field it names (or on the whole form). A form whose
    fields are not named as the service's arguments translates the name with its
    ``field_for(service_field)`` method."""
    field = form.field_for(error.field) if hasattr(form, "field_for") else error.field
    form.add_error(field if field in form.fields else None, error.message)


def _resolve(value, result):
    return value(result) if callable(value) else value


def run_service(
    request,
    form: BaseForm,
    call: Callable[[], Any],
    *,
    redirect_to: str | Callable[[Any], str],
    success_message: str | Callable[[Any], str] = "",
) -> HttpResponse | None:
    """The pages' form → service → refusal runner. When ``form`` is valid, ``call()`` (the
    permission check under the lock and the service call) runs in one transaction; then the
    success message (a text, or a function of what ``call`` returned) is shown and the answer is
    a redirect to ``redirect_to`` (a URL, or a function of the result). A refusal — a service's
    ``DomainError``, or a stale edit — goes onto the form (``add_domain_error``,
    ``refuse_stale``), nothing is written, and the answer is None: the view renders the form
    again. An invalid form is None as well."""
    if not form.is_valid():
        return None
    try:
        with transaction.atomic():
            result = call()
    except StaleEdit as stale:
        form.refuse_stale(stale)
        return None
    except DomainError as error:
        add_domain_error(form, error)
        return None
    message = _resolve(success_message, result)
    if message:
        messages.success(request, message)
    return redirect(_resolve(redirect_to, result))


def run_action(
    request,
    call: Callable[[], Any],
    *,
    success_message: str | Callable[[Any], str] = "",
    flash: bool = True,
) -> str:
    """``run_service`` for a button without a form to show again (a task action, a retry, a
    removal): ``call()`` runs in one transaction; its refusal is shown as an error message, its
    success as ``success_message`` (``flash=False``: neither, e.g. when the answer is an htmx
    fragment that shows them). Returns the refusal's message, "" when the action was done."""
    try:
        with transaction.atomic():
            result = call()
    except DomainError as error:
        if flash:
            messages.error(request, error.message)
        return error.message
    message = _resolve(success_message, result)
    if message and flash:
        messages.success(request, message)
    return ""


def label_filter_choices(form: BaseForm) -> None:
    """Filter selects start with "Any" (not "---------", not "Unknown")."""
    for field in form.fields.values():
        if isinstance(field.widget, NullBooleanSelect):
            field.widget.choices = [("unknown", _("Any")), ("true", _("Yes")), ("false", _("No"))]
        elif hasattr(field, "empty_label"):
            field.empty_label = _("Any")
            field.widget.choices = field.choices  # the widget may hold the base field's iterator


class ModelView(LoginRequiredMixin, View):
    """Base of the generic views: the model, its URL route and the permission check."""

    model: type[models.Model]
    route = ""  # "directory:client" gives "directory:client_list", "directory:client_detail", ...
    title = ""
    template_name = ""

    def handle_no_permission(self):
        """Anonymous htmx requests: send the whole page to the login form, not the fragment."""
        response = super().handle_no_permission()
        if self.request.user.is_authenticated or not wants_fragment(self.request):
            return response
        return HttpResponseClientRedirect(response.url)

    def url(self, action: str, obj: models.Model | None = None) -> str:
        return reverse(f"{self.route}_{action}", args=[obj.pk] if obj is not None else [])

    def check(self, verb: str, obj: models.Model | None = None) -> None:
        require_perm(self.request.user, self.model, verb, obj)

    def all_rows(self) -> models.QuerySet:
        """Every row of the model, before scoping (a view whose model's manager is not ours,
        like Django's ``User``, returns a queryset that has ``visible_to``)."""
        return self.model._default_manager.all()

    def get_queryset(self) -> models.QuerySet:
        """The rows the user may read (``tamdesk.core.scoping``): a view adds its joins and
        annotations with ``super().get_queryset()``; a record outside is a 404."""
        return scoping.restrict(self.all_rows(), self.request.user)

    def get_object(self) -> models.Model:
        """The record, if the user reads it. Someone who may not read the model at all (no
        role) is refused (403) before the lookup; a record outside their rows is a 404."""
        self.check("view")
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def base_context(self) -> dict:
        return {
            "title": self.title,
            "model_meta": self.model._meta,
            "perm_names": {verb: permission_name(self.model, verb) for verb in VERBS},
            "list_url": self.url("list"),
            "create_url": self.url("create"),
        }

    def render(self, context: dict, template: str | None = None, status: int = 200):
        return TemplateResponse(
            self.request, template or self.template_name, context, status=status
        )


class ObjectListView(ModelView):
    """Search, filters and sorting from ``filterset_class``, 25 rows a page. The full page, or
    with htmx only ``table_template`` (``partials/_<model>_table.html``)."""

    filterset_class = None
    table_template = ""
    template_name = "components/list_page.html"
    paginate_by = PAGE_SIZE

    def get(self, request, *args, **kwargs) -> HttpResponse:
        self.check("view")
        filterset = self.filterset_class(
            request.GET or None, queryset=self.get_queryset(), request=request
        )
        page = Paginator(filterset.qs, self.paginate_by).get_page(request.GET.get("page"))
        form = filterset.form
        label_filter_choices(form)
        context = {
            **self.base_context(),
            "filter": filterset,
            "search_field": form["q"] if "q" in form.fields else None,
            "filter_fields": [form[name] for name in form.fields if name not in ("q", "ordering")],
            "ordering": request.GET.get("ordering", ""),
            "page_obj": page,
            "object_list": page.object_list,
            "table_template": self.table_template,
        }
        template = self.table_template if wants_fragment(request) else self.template_name
        response = self.render(context, template)
        patch_vary_headers(response, ["HX-Request"])
        return response


class ObjectDetailView(ModelView):
    """One record; ``get_extra_context`` adds what the page shows beside its fields.
    ``deletable = False`` for records that are deactivated instead (no delete page)."""

    deletable = True

    def get(self, request, *args, **kwargs) -> HttpResponse:
        obj = self.get_object()
        self.check("view", obj)
        context = {
            **self.base_context(),
            "title": str(obj),
            "object": obj,
            self.model._meta.model_name: obj,
            "update_url": self.url("update", obj),
            "delete_url": self.url("delete", obj) if self.deletable else "",
            **self.get_extra_context(obj),
        }
        return self.render(context)

    def get_extra_context(self, obj: models.Model) -> dict:
        return {}


class VersionedEditMixin(abc.ABC):
    """The edit pages' defence against lost updates (``tamdesk.core.concurrency``): inside the
    saving transaction, ``check_version`` locks the record's rows (``rows_to_lock``), re-reads
    the record, builds the form anew for it (``current_form``) and lets the submitted form
    compare; a stale save raises ``StaleEdit``, which the view shows on the form
    (``VersionedFormMixin.refuse_stale``). Every edit page of the URL conf uses it (a test walks
    them)."""

    def rows_to_lock(self, obj: models.Model) -> list[models.Model]:
        """The rows the edit writes, in locking order (a user before their engineer profile)."""
        return [obj]

    @abc.abstractmethod
    def current_form(self, obj: models.Model) -> BaseForm:
        """The unbound form for ``obj`` as it is now."""

    def check_version(self, form: BaseForm, obj: models.Model) -> None:
        if not isinstance(form, VersionedFormMixin):
            raise ImproperlyConfigured(f"{type(form).__name__} must use VersionedFormMixin")
        concurrency.lock(*self.rows_to_lock(obj))
        form.check_version(self.current_form(self.get_object()))


class ObjectFormView(ModelView):
    """Shared by create and update: validate, check the permission on the record as it will be
    saved, call ``save`` (a ModelForm save or a service) in a transaction, redirect."""

    form_class = None
    template_name = "components/form_page.html"

    def make_form(self, obj: models.Model | None = None, *, bound=True, **kwargs) -> BaseForm:
        if bound and self.request.method == "POST":
            kwargs.update(data=self.request.POST, files=self.request.FILES)
        form = self.form_class(instance=obj, **kwargs)
        scoping.restrict_choices(form, self.request.user)
        return form

    def save(self, form: BaseForm) -> models.Model:
        """Write the record; views that go through a service override this."""
        return form.save()

    def record_to_check(self, form: BaseForm) -> models.Model | None:
        """The record as it will be saved, for the permission check (None: model level)."""
        instance = getattr(form, "instance", None)
        return instance if isinstance(instance, models.Model) else None

    def check_version(self, form: BaseForm, obj: models.Model) -> None:
        """Refuse a stale edit of ``obj`` (``VersionedEditMixin``); creating checks nothing."""

    def process(self, form: BaseForm, verb: str, obj: models.Model | None, cancel_url: str):
        def save() -> models.Model:
            self.check(verb, self.record_to_check(form))
            if obj is not None:
                self.check_version(form, obj)
            return self.save(form)

        response = run_service(
            self.request,
            form,
            save,
            success_message=lambda saved: _("Saved “%(object)s”.") % {"object": saved},
            redirect_to=lambda saved: safe_next(self.request, saved.get_absolute_url()),
        )
        return response or self.render_form(form, obj, cancel_url)

    def render_form(self, form: BaseForm, obj: models.Model | None, cancel_url: str):
        context = {
            **self.base_context(),
            "form": form,
            "object": obj,
            "cancel_url": safe_next(self.request, cancel_url),
            "next": safe_next(self.request, ""),
        }
        if obj is not None:
            context["title"] = self.title or _("Edit “%(object)s”") % {"object": obj}
        return self.render(context)


class ObjectCreateView(ObjectFormView):
    """``parent_field`` (e.g. ``client``) is pre-selected from ``?client=<pk>``; the add
    permission is checked against the parent before the form is read (a TAM may add contacts to
    their own clients only) and again on the record as it will be saved. ``prefill_fields`` are
    other query parameters copied into the form's initial values (e.g. ``?kind=technical``)."""

    parent_field = ""
    prefill_fields: tuple[str, ...] = ()

    def get_parent(self) -> models.Model | None:
        """The parent named by the submitted form, else by the query string."""
        if not self.parent_field:
            return None
        value = self.request.POST.get(self.parent_field) or self.request.GET.get(self.parent_field)
        if not value:
            return None
        related = self.model._meta.get_field(self.parent_field).related_model
        try:
            parents = scoping.restrict(related._default_manager.all(), self.request.user)
            return parents.filter(pk=value).first()
        except (ValueError, ValidationError):
            return None

    def get_initial(self, parent: models.Model | None) -> dict:
        initial = {
            name: self.request.GET[name] for name in self.prefill_fields if name in self.request.GET
        }
        if parent is not None:
            initial[self.parent_field] = parent.pk
        return initial

    def dispatch_form(self) -> HttpResponse:
        parent = self.get_parent()
        self.check("add", parent)
        form = self.make_form(initial=self.get_initial(parent))
        cancel_url = parent.get_absolute_url() if parent is not None else self.url("list")
        if self.request.method == "POST":
            return self.process(form, "add", None, cancel_url)
        return self.render_form(form, None, cancel_url)

    def get(self, request, *args, **kwargs) -> HttpResponse:
        return self.dispatch_form()

    def post(self, request, *args, **kwargs) -> HttpResponse:
        return self.dispatch_form()


class ObjectUpdateView(VersionedEditMixin, ObjectFormView):
    """Edit a record; the change permission is checked on the record before and after the edit
    (moving a contact to a client one may not edit is refused), and a stale save is refused
    (``VersionedEditMixin``): the form class must use ``VersionedFormMixin``."""

    def current_form(self, obj: models.Model) -> BaseForm:
        return self.make_form(obj, bound=False)

    def dispatch_form(self) -> HttpResponse:
        obj = self.get_object()
        self.check("change", obj)
        form = self.make_form(obj)
        if self.request.method == "POST":
            return self.process(form, "change", obj, obj.get_absolute_url())
        return self.render_form(form, obj, obj.get_absolute_url())

    def get(self, request, *args, **kwargs) -> HttpResponse:
        return self.dispatch_form()

    def post(self, request, *args, **kwargs) -> HttpResponse:
        return self.dispatch_form()


class ObjectDeleteView(ModelView):
    """A confirmation page; POST deletes through ``perform_delete``. A refusal (a DomainError
    from the service, or a protected foreign key) is shown as a message and nothing is deleted."""

    template_name = "components/confirm_delete.html"

    def perform_delete(self, obj: models.Model) -> None:
        obj.delete()

    def get(self, request, *args, **kwargs) -> HttpResponse:
        obj = self.get_object()
        self.check("delete", obj)
        context = {
            **self.base_context(),
            "title": _("Delete “%(object)s”") % {"object": obj},
            "object": obj,
            "cancel_url": safe_next(request, obj.get_absolute_url()),
            "next": safe_next(request, ""),
        }
        return self.render(context)

    def post(self, request, *args, **kwargs) -> HttpResponse:
        obj = self.get_object()
        self.check("delete", obj)
        label = str(obj)
        try:
            with transaction.atomic():
                self.perform_delete(obj)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect(obj.get_absolute_url())
        except models.ProtectedError:
            messages.error(
                request,
                _("“%(object)s” is still referenced by other records and cannot be deleted.")
                % {"object": label},
            )
            return redirect(obj.get_absolute_url())
        messages.success(request, _("Deleted “%(object)s”.") % {"object": label})
        return redirect(safe_next(request, self.url("list")))
