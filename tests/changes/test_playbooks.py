"""The shipped playbooks: sound as data, loaded by the migration, the loader safe to rerun."""

from __future__ import annotations

import pytest

from tamdesk.changes import engine
from tamdesk.changes.models import ChangeTemplate, TemplateDependency, TemplateTask
from tamdesk.changes.playbooks import PLAYBOOKS, load_playbooks
from tamdesk.demo.data import DEPARTMENTS

DEMO_CODES = {d.code for d in DEPARTMENTS}


@pytest.mark.parametrize("playbook", PLAYBOOKS, ids=lambda p: p.code)
def test_a_playbook_is_sound(playbook):
    keys = [t.key for t in playbook.tasks]
    assert len(keys) == len(set(keys))
    assert {t.department for t in playbook.tasks} <= DEMO_CODES
    index = {key: i for i, key in enumerate(keys)}
    pairs = [(index[d.predecessor], index[d.successor]) for d in playbook.dependencies]
    assert len(pairs) == len(set(pairs))
    assert engine.find_cycle(len(keys), [p for p, _ in pairs], [s for _, s in pairs]) is None
    assert all(float(t.estimate_hours) > 0 and t.description for t in playbook.tasks)
    # Every task is connected to the rest.
    linked = {p for p, _ in pairs} | {s for _, s in pairs}
    assert linked == set(range(len(keys)))


@pytest.mark.django_db
def test_the_migration_loaded_them_and_the_loader_keeps_edits():
    assert set(ChangeTemplate.objects.values_list("name", flat=True)) == {
        "New web project landscape",
        "Database migration",
        "DDoS protection onboarding",
        "Backup onboarding",
    }
    web = ChangeTemplate.objects.get(code="web-project-landscape")
    assert web.tasks.count() == 7
    assert web.dependencies.count() == 7
    web.tasks.filter(key="php").update(estimate_hours=9)

    written = load_playbooks(ChangeTemplate, TemplateTask, TemplateDependency)

    assert written == 0
    assert web.tasks.get(key="php").estimate_hours == 9
    assert load_playbooks(ChangeTemplate, TemplateTask, TemplateDependency, replace=True) == 4
    assert web.tasks.get(key="php").estimate_hours == 6
    assert TemplateTask.objects.filter(template=web).count() == 7
