"""Program admins draft, review and approve batches in the admin.

Saving a new batch drafts it (the service); its page shows the counts to invite
and the counts left out per reason, never the women themselves; the action
"approve" approves drafts. Each step is audited by the services.
"""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from scheduling.invitations.models import InvitationBatch
from scheduling.invitations.selectors import batch_counts
from scheduling.invitations.services import batch_approve, batch_draft


@admin.register(InvitationBatch)
class InvitationBatchAdmin(admin.ModelAdmin):
    list_display = ("__str__", "status", "due_by", "created_at", "approved_at")
    list_filter = ("status",)
    fields = ("campaign", "due_by", "never_screened", "non_responders", "counts")
    readonly_fields = ("counts",)
    actions = ["approve"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ("counts",)
        return ("campaign", "due_by", "never_screened", "non_responders", "counts")

    @admin.display(description=_("Women"))
    def counts(self, obj: InvitationBatch) -> str:
        if obj.pk is None:
            return "-"
        rows = sorted(batch_counts(batch=obj).items())
        return format_html_join("", "<div>{}: {}</div>", rows)

    def save_model(
        self, request: HttpRequest, obj: InvitationBatch, form: Any, change: bool
    ) -> None:
        if change:
            return
        drafted = batch_draft(
            campaign=obj.campaign,
            by=request.user,
            due_by=obj.due_by,
            never_screened=obj.never_screened,
            non_responders=obj.non_responders,
        )
        obj.pk = drafted.pk
        obj.created_at = drafted.created_at

    @admin.action(description=_("Approve and send the selected drafts"))
    def approve(self, request: HttpRequest, queryset: QuerySet) -> None:
        done = sum(batch_approve(batch=b, by=request.user) for b in queryset)
        self.message_user(
            request,
            gettext("%(n)s batches approved.") % {"n": done},
            messages.SUCCESS,
        )
