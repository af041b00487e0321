from django.urls import path

from scheduling import apis

urlpatterns = [
    path("campaigns/", apis.CampaignListApi.as_view(), name="api-campaign-list"),
    path("sites/", apis.SiteListApi.as_view(), name="api-site-list"),
]
