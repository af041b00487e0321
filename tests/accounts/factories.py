"""Factories for staff accounts and their authenticator apps."""

import factory
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

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


class TOTPDeviceFactory(factory.django.DjangoModelFactory):
    """A confirmed authenticator app of a staff account."""

    class Meta:
        model = TOTPDevice

    user = factory.SubFactory(UserFactory)
    name = "authenticator"
    confirmed = True


def current_code(device: TOTPDevice) -> str:
    """The code her phone shows now, computed from the device's key as the app does."""
    code = totp(
        device.bin_key,
        step=device.step,
        t0=device.t0,
        digits=device.digits,
        drift=device.drift,
    )
    return str(code).zfill(device.digits)


def sign_in_both_steps(client: Client, user: User) -> TOTPDevice:
    """A session signed in with password and code, as the verify page leaves it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDeviceFactory(user=user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def program_admin(username: str = "program-admin") -> User:
    """A program admin as `staff_create` makes one: the admin with the program
    admins' group, not a superuser."""
    from accounts.services import staff_create

    return staff_create(username=username, role=Role.ADMIN, password=STAFF_PASSWORD)
