"""``core.models.EvergreenMixin``: owner, review interval, next review — on a test-only model
made in an isolated app registry (no migration in src). Its table is created for the
database tests and dropped after them."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.test.utils import isolate_apps
from django.utils import timezone

from tamdesk.core import ranges
from tamdesk.core.models import EvergreenMixin, EvergreenQuerySet
from tests.directory.factories import UserFactory

MOSCOW = "Europe/Moscow"


@pytest.fixture(scope="module")
def Page():
    with isolate_apps("tamdesk.core") as apps:
        user = get_user_model()
        apps.register_model(user._meta.app_label, user)  # the real users, for the foreign keys

        class Page(EvergreenMixin):
            title = models.CharField(max_length=50)

            class Meta(EvergreenMixin.Meta):
                app_label = "core"

        yield Page


@pytest.fixture
def page_table(Page, transactional_db):
    """The table of ``Page`` (DDL needs a transactional test on SQLite)."""
    with connection.schema_editor() as editor:
        editor.create_model(Page)
    yield Page
    with connection.schema_editor() as editor:
        editor.delete_model(Page)


def test_the_mixin_gives_its_fields_manager_and_constraint(Page):
    assert isinstance(Page.objects.all(), EvergreenQuerySet)
    owner = Page._meta.get_field("owner")
    assert owner.null and owner.remote_field.on_delete is models.PROTECT
    assert owner.related_model is get_user_model()
    reviewer = Page._meta.get_field("last_reviewed_by")
    assert reviewer.remote_field.on_delete is models.SET_NULL
    (constraint,) = Page._meta.constraints
    assert constraint.name == "core_page_review_interval_range"


# --- the predicate and the next review ------------------------------------------------------


def test_a_review_is_due_on_its_date_and_after_it(Page):
    page = Page(review_interval_days=30, next_review_on=dt.date(2025, 6, 10))
    assert not page.is_review_due(dt.date(2025, 6, 9))
    assert page.is_review_due(dt.date(2025, 6, 10))
    assert page.is_review_due(dt.date(2025, 7, 1))


def test_without_a_date_the_review_is_due_at_once(Page):
    assert Page(review_interval_days=30).is_review_due(dt.date(1970, 1, 1))


def test_mark_reviewed_counts_calendar_days_from_the_day_of_the_review(Page):
    reviewer = UserFactory.build(pk=7)
    page = Page(review_interval_days=30, next_review_on=dt.date(2025, 5, 1))
    at = dt.datetime(2025, 6, 10, 22, 30, tzinfo=dt.UTC)  # already 11 June in Moscow

    with timezone.override(MOSCOW):
        fields = page.mark_reviewed(by=reviewer, at=at)

    assert fields == ("last_reviewed_at", "last_reviewed_by", "next_review_on")
    assert page.next_review_on == dt.date(2025, 7, 11)  # weekends and holidays count
    assert page.last_reviewed_at == at
    assert page.last_reviewed_by is reviewer
    assert not page.is_review_due(dt.date(2025, 7, 10))
    assert page.is_review_due(dt.date(2025, 7, 11))


def test_a_next_review_past_the_supported_range_is_refused(Page):
    page = Page(review_interval_days=ranges.MAX_REVIEW_DAYS)
    at = dt.datetime(2195, 1, 1, 12, tzinfo=dt.UTC)
    with pytest.raises(ranges.OutOfSupportedRange) as error:
        page.mark_reviewed(by=None, at=at)
    assert error.value.code == "out_of_supported_range"
    assert "2200-12-31" in error.value.message
    assert page.next_review_on is None and page.last_reviewed_at is None  # nothing was set


@pytest.mark.parametrize("days", [0, 36500, None])
def test_mark_reviewed_refuses_an_interval_outside_the_range(Page, days):
    page = Page(review_interval_days=days)
    with pytest.raises(ranges.OutOfSupportedRange) as error:
        page.mark_reviewed(by=None, at=dt.datetime(2025, 6, 10, tzinfo=dt.UTC))
    assert error.value.field == "review_interval_days"
    assert page.last_reviewed_at is None


# --- the range of the interval ---------------------------------------------------------------


@pytest.mark.parametrize("days", [0, 3651, 36500])  # none, just past ten years, a century
def test_a_review_interval_outside_the_range_is_refused_with_the_ranges_error(Page, days):
    page = Page(title="Runbook", review_interval_days=days)
    with pytest.raises(ValidationError) as error:
        page.full_clean(exclude=["owner", "last_reviewed_by"])
    (problem,) = error.value.error_dict["review_interval_days"]
    assert problem.code == "out_of_range"
    assert problem.messages == ["A review interval is from 1 to 3650 days."]


@pytest.mark.django_db  # full_clean checks the constraint with a query
@pytest.mark.parametrize("days", [ranges.MIN_REVIEW_DAYS, 90, ranges.MAX_REVIEW_DAYS])
def test_a_review_interval_inside_the_range_is_taken(Page, days):
    Page(title="Runbook", review_interval_days=days).full_clean(
        exclude=["owner", "last_reviewed_by"]
    )


def test_a_model_form_shows_the_ranges_error_on_the_field(Page):
    class PageForm(forms.ModelForm):
        class Meta:
            model = Page
            fields = ["title", "review_interval_days"]

    form = PageForm({"title": "Runbook", "review_interval_days": "36500"})

    assert not form.is_valid()
    assert form.errors["review_interval_days"] == ["A review interval is from 1 to 3650 days."]


# --- the database ----------------------------------------------------------------------------


def test_the_database_refuses_an_interval_outside_the_range(page_table):
    for days in (0, 36500):
        with pytest.raises(IntegrityError), transaction.atomic():
            page_table.objects.create(title="Runbook", review_interval_days=days)
    assert not page_table.objects.exists()


def test_due_for_review_reads_the_rows_the_predicate_calls_due(page_table):
    today = dt.date(2025, 6, 10)
    dates = {
        "yesterday": today - dt.timedelta(days=1),
        "today": today,
        "tomorrow": today + dt.timedelta(days=1),
        "never": None,
    }
    for title, next_review_on in dates.items():
        page_table.objects.create(
            title=title, review_interval_days=30, next_review_on=next_review_on
        )

    due = page_table.objects.due_for_review(today)

    assert sorted(due.values_list("title", flat=True)) == ["never", "today", "yesterday"]
    assert {p.title for p in page_table.objects.all() if p.is_review_due(today)} == set(
        due.values_list("title", flat=True)
    )


def test_the_caller_saves_a_review_with_the_fields_it_set(page_table):
    # (PROTECT and SET_NULL are checked on the fields above: Django's deletion collector reads
    # the global registry, which does not know this test-only model.)
    owner, reviewer = UserFactory(), UserFactory()
    page = page_table.objects.create(title="Runbook", review_interval_days=7, owner=owner)

    fields = page.mark_reviewed(by=reviewer, at=dt.datetime(2025, 6, 10, 9, tzinfo=dt.UTC))
    page.save(update_fields=fields)

    stored = page_table.objects.get(pk=page.pk)
    assert stored.next_review_on == dt.date(2025, 6, 17)
    assert stored.last_reviewed_at == dt.datetime(2025, 6, 10, 9, tzinfo=dt.UTC)
    assert (stored.last_reviewed_by, stored.owner) == (reviewer, owner)
    assert not page_table.objects.due_for_review(dt.date(2025, 6, 16)).exists()
    assert list(page_table.objects.due_for_review(dt.date(2025, 6, 17))) == [stored]
