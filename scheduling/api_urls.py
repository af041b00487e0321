from django.urls import path

from scheduling import apis

urlpatterns = [
    path("campaigns/", apis.CampaignListApi.as_view(), name="api-campaign-list"),
    path(
        "campaigns/<int:campaign_id>/slots/",
        apis.SlotListApi.as_view(),
        name="api-slot-list",
    ),
    path("sites/", apis.SiteListApi.as_view(), name="api-site-list"),
    path(
        "appointments/",
        apis.AppointmentCollectionApi.as_view(),
        name="api-appointment-list",
    ),
    path(
        "appointments/<int:appointment_id>/",
        apis.AppointmentDetailApi.as_view(),
        name="api-appointment-detail",
    ),
    path(
        "appointments/<int:appointment_id>/cancel/",
        apis.AppointmentCancelApi.as_view(),
        name="api-appointment-cancel",
    ),
    path(
        "appointments/<int:appointment_id>/reschedule/",
        apis.AppointmentRescheduleApi.as_view(),
        name="api-appointment-reschedule",
    ),
    path(
        "appointments/<int:appointment_id>/qr.svg",
        apis.AppointmentQrApi.as_view(),
        name="api-appointment-qr",
    ),
    path(
        "appointments/<int:appointment_id>/calendar.ics",
        apis.AppointmentCalendarApi.as_view(),
        name="api-appointment-calendar",
    ),
]
