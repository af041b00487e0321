from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from common.errors import ApplicationError


class InvalidGroupBy(ApplicationError):
    code = "invalid_group_by"
    status = 400

    def default_detail(self) -> str | Promise:
        return _("Group by one of: employment type, district, site, day, age band.")


class InvalidDateRange(ApplicationError):
    code = "invalid_date_range"
    status = 400

    def default_detail(self) -> str | Promise:
        return _(
            "Give dates as YYYY-MM-DD from 2000 to ten years ahead, with the start "
            "on or before the end."
        )
