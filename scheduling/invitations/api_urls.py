from django.urls import path

from scheduling.invitations import apis

urlpatterns = [
    path(
        "reports/invitation-batches/",
        apis.InvitationBatchCountsApi.as_view(),
        name="api-invitation-batch-counts",
    ),
]
