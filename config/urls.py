from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from common.favicon import favicon
from config.health import healthz
from notifications.wechat.events import wechat_events
from specimens.failsafe import urls as failsafe_urls

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema"),
        name="api-docs",
    ),
    path("api/v1/", include("config.api_urls")),
    path("sms/receipts/", include("notifications.urls")),
    path("wechat/events/", wechat_events, name="wechat_events"),
    path("", include("reach.urls")),
    path("", include("accounts.urls")),
    path("desk/specimens/", include("specimens.failsafe.urls")),
    path("desk/specimens/", include("specimens.urls")),
    path("my/history/", include("specimens.history.urls")),
    path("", include(failsafe_urls.union_urlpatterns)),
    path("", include("stations.urls")),
    path("desk/", include("scheduling.desk.urls")),
    path("", include("screening.urls")),
    path("", include("screening.recall.urls")),
    path("", include("scheduling.urls")),
    path("", include("scheduling.waitlist.urls")),
    path("", include("scheduling.reports.urls")),
    path("", include("indicators.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.STATIC_URL)
