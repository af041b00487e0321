import pytest


@pytest.fixture
def admin_client_logged_in(client, django_user_model):
    """A program admin signed in to the admin site."""
    user = django_user_model.objects.create_superuser(
        username="root-admin", password="a-long-password-1"
    )
    client.force_login(user)
    return client
