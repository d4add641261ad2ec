"""Russian wording that read wrong: the same English word in two senses, a title from a model's
lower-case name."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from tests.changes.factories import at, chain, change, task

pytestmark = pytest.mark.django_db


def test_the_task_tables_predecessors_read_after_not_the_historys_after(
    client, users, tam_client, department
):
    with time_machine.travel(at(1), tick=False):
        made = change(tam_client, by=users.tam)
        first = task(made, department, by=users.tam, title="VLAN")
        second = task(made, department, by=users.tam, title="VMs")
        chain(first, second, by=users.tam)
        client.force_login(users.tam)

        content = client.get(
            reverse("changes:change_detail", args=[made.pk]), HTTP_ACCEPT_LANGUAGE="ru"
        ).content.decode()

    assert "После: VLAN" in content
    assert "Стало: VLAN" not in content


def test_the_sla_policies_title_starts_with_a_capital(client, users):
    client.force_login(users.administrator)

    content = client.get(reverse("sla:policy_list"), HTTP_ACCEPT_LANGUAGE="ru").content.decode()

    assert "<title>Политики SLA · tamdesk</title>" in content
