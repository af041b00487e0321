"""Factories for staff accounts."""

import factory

from accounts.models import Role, User

# Good enough for Django's password validators, so services accept it too.
STAFF_PASSWORD = "quiet-river-lantern-42"


class UserFactory(factory.django.DjangoModelFactory):
    """A staff account; `role` defaults to clinic staff."""

    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    role = Role.CLINIC
    password = factory.django.Password(STAFF_PASSWORD)
    is_active = True
