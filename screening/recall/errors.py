"""Why a deferral or a cease was refused."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from common.errors import ApplicationError


class DeferralNotAllowed(ApplicationError):
    code = "deferral_not_allowed"
    status = 400

    def default_detail(self) -> str | Promise:
        return _("A deferral is 6, 12 or 18 months.")
