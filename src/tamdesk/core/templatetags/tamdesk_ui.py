"""Template tags of the UI shell: permission checks for buttons, Bootstrap form widgets,
sortable table headers, pagination, navigation links and the change history of a record.

The server-side permission check in the view is what counts; ``perm`` only hides buttons."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import forms, template
from django.urls import reverse
from django.utils.formats import number_format

from tamdesk.core.history import history
from tamdesk.core.roles import Role

register = template.Library()

ORDERING_PARAM = "ordering"
PAGE_PARAM = "page"


@register.simple_tag(takes_context=True)
def perm(context, permission: str, obj=None) -> bool:
    """``{% perm "directory.change_client" client as can_edit %}``"""
    user = context.get("user") or getattr(context.get("request"), "user", None)
    return bool(user is not None and user.has_perm(permission, obj))


def _widget_class(widget: forms.Widget) -> str:
    if isinstance(widget, forms.CheckboxInput):
        return "form-check-input"
    if isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
        return "form-check-input"
    if isinstance(widget, forms.Select):
        return "form-select"
    return "form-control"


@register.simple_tag
def bs_widget(field: forms.BoundField, size: str = ""):
    """The field's widget with Bootstrap classes, ``is-invalid`` when it has errors (Django adds
    ``aria-invalid`` and ``aria-describedby``)."""
    widget = field.field.widget
    base = _widget_class(widget)
    classes = [widget.attrs.get("class", ""), base]
    if size and base in ("form-control", "form-select"):
        classes.append(f"{base}-{size}")
    if field.errors:
        classes.append("is-invalid")
    return field.as_widget(attrs={"class": " ".join(c for c in classes if c)})


@register.filter
def is_checkbox(field: forms.BoundField) -> bool:
    return isinstance(field.field.widget, forms.CheckboxInput)


@register.filter
def is_choice_list(field: forms.BoundField) -> bool:
    return isinstance(field.field.widget, (forms.RadioSelect, forms.CheckboxSelectMultiple))


def _query(request, **changes) -> str:
    params = request.GET.copy()
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.inclusion_tag("components/table_header_sort.html", takes_context=True)
def sort_header(context, key: str, label: str) -> dict:
    """A column header that sorts by ``key`` (an ``ordering`` value of the FilterSet): the
    first click sorts ascending, the next descending."""
    request = context["request"]
    current = request.GET.get(ORDERING_PARAM, "")
    if current == key:
        direction, next_value = "ascending", f"-{key}"
    elif current == f"-{key}":
        direction, next_value = "descending", key
    else:
        direction, next_value = "", key
    return {
        "label": label,
        "direction": direction,
        "href": request.path + _query(request, **{ORDERING_PARAM: next_value, PAGE_PARAM: None}),
    }


def _page_window(page, around: int = 2) -> list[int | None]:
    """Page numbers to show: the first, the last and ``around`` either side of the current
    one; ``None`` marks a gap."""
    last = page.paginator.num_pages
    wanted = {1, last, *range(page.number - around, page.number + around + 1)}
    numbers = sorted(n for n in wanted if 1 <= n <= last)
    window: list[int | None] = []
    for number in numbers:
        if window and number - window[-1] > 1:
            window.append(None)
        window.append(number)
    return window


@register.inclusion_tag("components/pagination.html", takes_context=True)
def pagination(context, page) -> dict:
    request = context["request"]

    def link(number: int) -> str:
        return request.path + _query(request, **{PAGE_PARAM: str(number)})

    pages = [
        {"number": n, "href": link(n) if n else "", "current": n == page.number}
        for n in _page_window(page)
    ]
    return {
        "page": page,
        "pages": pages,
        "previous": link(page.previous_page_number()) if page.has_previous() else "",
        "next": link(page.next_page_number()) if page.has_next() else "",
    }


@register.inclusion_tag("components/nav_link.html", takes_context=True)
def nav_link(context, url_name: str, label: str, icon: str, section: str = "") -> dict:
    """A navigation link, marked current when the page belongs to ``section`` (a URL-name
    prefix such as ``directory:client_``) or is ``url_name`` itself."""
    match = getattr(context.get("request"), "resolver_match", None)
    current_name = match.view_name if match else ""
    active = current_name == url_name or bool(section and current_name.startswith(section))
    return {"href": reverse(url_name), "label": label, "icon": icon, "active": active}


@register.inclusion_tag("components/history.html")
def change_history(obj, related=None) -> dict:
    """The change history of ``obj`` (and of the records in the ``related`` queryset)."""
    return {"entries": history(obj, related), "object": obj}


@register.filter
def form_sections(form: forms.BaseForm) -> list[dict]:
    """The form's fields grouped by its ``fieldsets`` attribute — ``[(legend, [names], options)]``
    where options may give ``help`` and ``columns`` — or one group of all fields."""
    fieldsets = getattr(form, "fieldsets", None)
    if not fieldsets:
        return [{"legend": None, "fields": list(form)}]
    sections = []
    for legend, names, *rest in fieldsets:
        options = rest[0] if rest else {}
        columns = options.get("columns", 1)
        sections.append(
            {
                "legend": legend,
                "help": options.get("help", ""),
                "fields": [form[name] for name in names if name in form.fields],
                "column_class": "col-12" if columns == 1 else f"col-12 col-md-{12 // columns}",
            }
        )
    return sections


MINUS = "\u2212"


@register.filter
def hhmm(seconds) -> str:
    """``5400`` → ``1:30``: a duration (working time, slack) in hours and minutes; negative
    (overdue) starts with a minus sign; hours may pass 24; "—" for none."""
    if seconds is None or seconds == "":
        return "—"
    seconds = int(seconds)
    sign = MINUS if seconds < 0 else ""
    minutes = abs(seconds) // 60
    return f"{sign}{minutes // 60}:{minutes % 60:02d}"


@register.filter
def hours(value) -> str:
    """A number of hours as people write it: ``40``, ``2.5``, ``0.25`` — no trailing zeros, at
    most two decimals, the language's decimal separator (``2,5`` in Russian); "—" for none."""
    if value is None or value == "":
        return "—"
    number = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return number_format(Decimal(format(number.normalize(), "f")))


@register.filter
def role_label(name: str) -> str:
    """A role's group name (a stable English identifier) as its translated label; a group that
    is not a role keeps its name."""
    try:
        return Role(name).label
    except ValueError:
        return name


@register.filter
def person(user) -> str:
    """A user by their full name, else their user name; "" for nobody."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()
