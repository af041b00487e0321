"""The staff login: Django's own views, with a page a tablet can use."""

from django.contrib.auth import views as auth_views
from django.urls import NoReverseMatch, reverse

from accounts.models import Role


def _home_for(role: str) -> str:
    names: dict[str, str] = {
        Role.CLINIC: "desk",
        Role.ADMIN: "desk",
        Role.UNION: "dashboard",
    }
    try:
        return reverse(names.get(role, "desk"))
    except NoReverseMatch:
        return "/"


class StaffLoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        return _home_for(getattr(self.request.user, "role", ""))


class StaffLogoutView(auth_views.LogoutView):
    next_page = "staff-login"
