from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from tamdesk.directory.choices import AccountRole, ComponentKind, ContactKind
from tamdesk.directory.models import (
    AccountTeamAssignment,
    Client,
    Competency,
    Component,
    Contact,
    Department,
    Engineer,
)

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"First{n}")
    last_name = factory.Sequence(lambda n: f"Last{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.set(Group.objects.filter(name__in=[str(r) for r in extracted]))


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    code = factory.Sequence(lambda n: f"dept{n}")
    name = factory.Sequence(lambda n: f"Department {n}")
    queue_email = factory.LazyAttribute(lambda o: f"{o.code}@example.com")


class EngineerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Engineer

    user = factory.SubFactory(UserFactory)
    department = factory.SubFactory(DepartmentFactory)
    position = "Engineer"


class CompetencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Competency

    engineer = factory.SubFactory(EngineerFactory)
    field = "network"
    level = 3


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    name = factory.Sequence(lambda n: f"Client {n}")
    code = factory.Sequence(lambda n: f"CL{n}")
    status = "active"


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    client = factory.SubFactory(ClientFactory)
    name = factory.Sequence(lambda n: f"Contact {n}")
    email = factory.Sequence(lambda n: f"contact{n}@client.example")
    kind = ContactKind.TECHNICAL


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccountTeamAssignment

    client = factory.SubFactory(ClientFactory)
    role = AccountRole.TAM
    user = factory.SubFactory(UserFactory)
    start_on = dt.date(2024, 1, 1)


class ComponentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Component

    client = factory.SubFactory(ClientFactory)
    kind = ComponentKind.NETWORK
    department = factory.SubFactory(DepartmentFactory)
    name = factory.Sequence(lambda n: f"component-{n}")
