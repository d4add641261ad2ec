import pytest

from tamdesk.directory.models import Client

pytestmark = pytest.mark.django_db


def test_managed_by_lists_current_tam_clients(users, tam_client):
    assert list(Client.objects.managed_by(users.tam)) == [tam_client]
    assert list(Client.objects.managed_by(users.other_tam)) == []


def test_tam_may_change_own_client_only(users, tam_client):
    assert users.tam.has_perm("directory.change_client", tam_client)
    assert not users.other_tam.has_perm("directory.change_client", tam_client)
    assert users.engineer.has_perm("directory.view_client")
    assert not users.norole.has_perm("directory.view_client")
