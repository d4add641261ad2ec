"""Form pieces shared by the domains' forms and filters."""

from __future__ import annotations

from django import forms


class PersonLabelMixin:
    """Users shown by their full name, with the user name to tell namesakes apart."""

    def label_from_instance(self, obj) -> str:
        full_name = obj.get_full_name()
        return f"{full_name} ({obj.get_username()})" if full_name else obj.get_username()


class PersonChoiceField(PersonLabelMixin, forms.ModelChoiceField):
    """A choice of one user, labelled by name."""
