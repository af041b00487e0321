from django.urls import path

from screening import privacy_views

urlpatterns = [
    path("data/", privacy_views.my_data, name="my_data"),
    path("data.json", privacy_views.my_data_download, name="my_data_download"),
    path("data/withdraw/", privacy_views.withdraw_consent, name="my_data_withdraw"),
    path("data/consent/", privacy_views.consent_again, name="my_data_consent"),
    path("data/delete/", privacy_views.delete_data, name="my_data_delete"),
]
