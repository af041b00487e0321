"""Tencent Cloud SMS (API 2021-01-11) through the official SDK.

The request is built and the answer classified in plain functions, so both can be
checked against the SDK's own objects without a network.
"""

from datetime import datetime, timedelta
from functools import lru_cache

from django.conf import settings
from django.utils import timezone
from tencentcloud.common.credential import Credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import (
    TencentCloudSDKException,
)
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.sms.v20210111 import models
from tencentcloud.sms.v20210111.sms_client import SmsClient

from notifications.backends.base import (
    DeliveryStatus,
    MessageNotSendable,
    OutgoingMessage,
    SendResult,
    e164_number,
    ordered_params,
    required_setting,
)
from notifications.models import MessageTemplate

NAME = "tencent"

# Named, because anything not listed here is treated as permanent.
TRANSIENT_PREFIXES = (
    # Frequency limits per number (30 s, an hour) pass within the backoff.
    "LimitExceeded.",
    "RequestLimitExceeded",
    "InternalError",
    # Raised by the SDK itself: a refused connection or a timeout, and a non-200
    # answer from the API gateway.
    "ClientNetworkError",
    "ServerNetworkError",
)
# Under the prefixes above but a fault of the request or the account, which no
# retry mends.
PERMANENT_CODES = frozenset(
    {
        "LimitExceeded.PhoneNumberCountLimit",
        "LimitExceeded.AppCountryOrRegionInBlacklist",
        "InternalError.SigFieldMissing",
        "InternalError.SigVerificationFail",
        "InternalError.RestApiInterfaceNotExist",
    }
)

# Receipts are only kept for seven days; a send older than that cannot be checked.
_PULL_WINDOW = timedelta(days=7)
_PULL_LIMIT = 100


def build_send_request(
    message: OutgoingMessage, template: MessageTemplate | None
) -> models.SendSmsRequest:
    """The SendSms request for one message; MessageNotSendable when it cannot go."""
    if template is None or not template.tencent_template_id:
        raise MessageNotSendable("template_missing")
    request = models.SendSmsRequest()
    request.PhoneNumberSet = [e164_number(message.phone)]
    request.SmsSdkAppId = settings.TENCENT_SMS_APP_ID
    request.SignName = settings.SMS_SIGN_NAME
    request.TemplateId = template.tencent_template_id
    # Tencent templates number their variables {1}, {2}…: order is the contract.
    request.TemplateParamSet = ordered_params(message, template.param_names or [])
    # Returned as is in the answer and the receipt: our correlation id.
    request.SessionContext = message.correlation_id
    return request


def error_is_transient(code: str) -> bool:
    return code.startswith(TRANSIENT_PREFIXES) and code not in PERMANENT_CODES


def classify_response(response: models.SendSmsResponse) -> SendResult:
    """The request went through; the one number's own status says whether it was
    taken."""
    statuses = response.SendStatusSet or []
    if not statuses:
        # Nothing to go on: it may have been taken, so the retry asks first.
        return SendResult(accepted=False, error=f"{NAME}:no_status", transient=True)
    status = statuses[0]
    code = status.Code or ""
    if code == "Ok":
        return SendResult(accepted=True, provider_message_id=status.SerialNo or "")
    return SendResult(
        accepted=False,
        error=f"{NAME}:{code or 'no_code'}",
        transient=error_is_transient(code),
    )


def classify_error(exc: TencentCloudSDKException) -> SendResult:
    """A request-level error from the API, or the SDK's own network error."""
    code = str(exc.get_code() or "")
    return SendResult(
        accepted=False,
        error=f"{NAME}:{code or 'error'}",
        transient=error_is_transient(code),
    )


def build_status_request(
    *, phone: str, sent_at: datetime | None
) -> models.PullSmsSendStatusByPhoneNumberRequest:
    now = timezone.now()
    earliest = now - _PULL_WINDOW
    begin = max(sent_at, earliest) if sent_at else earliest
    request = models.PullSmsSendStatusByPhoneNumberRequest()
    request.PhoneNumber = e164_number(phone)
    request.SmsSdkAppId = settings.TENCENT_SMS_APP_ID
    # A minute of slack either side: the gateway's clock is not ours.
    request.BeginTime = int((begin - timedelta(minutes=1)).timestamp())
    request.EndTime = int((now + timedelta(minutes=1)).timestamp())
    request.Offset = 0
    request.Limit = _PULL_LIMIT
    return request


def status_from_pull(
    response: models.PullSmsSendStatusByPhoneNumberResponse,
    *,
    correlation_id: str,
    provider_message_id: str = "",
) -> DeliveryStatus:
    """Tencent lists receipts, not sends: a message taken but not yet reported is
    absent, so absence is "unknown", never "not_found"."""
    ours = [
        item
        for item in response.PullSmsSendStatusSet or []
        if (provider_message_id and item.SerialNo == provider_message_id)
        or (correlation_id and item.SessionContext == correlation_id)
    ]
    reports = {item.ReportStatus for item in ours}
    if "SUCCESS" in reports:
        return "delivered"
    if reports == {"FAIL"}:
        return "failed"
    return "unknown"


@lru_cache(maxsize=4)
def _client(secret_id: str, secret_key: str, region: str, timeout: int) -> SmsClient:
    profile = ClientProfile(httpProfile=HttpProfile(reqTimeout=timeout))
    return SmsClient(Credential(secret_id, secret_key), region, profile)


class TencentBackend:
    name = NAME

    def __init__(self, *, client: SmsClient | None = None) -> None:
        # `client` stands in for the one built from settings, e.g. one that talks
        # plain HTTP to a local stand-in of the API.
        self.client = client
        self.secret_id = required_setting("TENCENT_SECRET_ID", NAME)
        self.secret_key = required_setting("TENCENT_SECRET_KEY", NAME)
        self.region = required_setting("TENCENT_SMS_REGION", NAME)
        required_setting("TENCENT_SMS_APP_ID", NAME)
        required_setting("SMS_SIGN_NAME", NAME)

    def _sdk(self) -> SmsClient:
        if self.client is not None:
            return self.client
        return _client(
            self.secret_id,
            self.secret_key,
            self.region,
            settings.SMS_SEND_TIMEOUT_SECONDS,
        )

    def send(self, message: OutgoingMessage) -> SendResult:
        template = MessageTemplate.objects.filter(kind=message.kind).first()
        try:
            request = build_send_request(message, template)
        except MessageNotSendable as exc:
            return SendResult(accepted=False, error=f"{NAME}:{exc.code}")
        try:
            response = self._sdk().SendSms(request)
        except TencentCloudSDKException as exc:
            return classify_error(exc)
        return classify_response(response)

    def query_status(
        self,
        correlation_id: str,
        provider_message_id: str = "",
        *,
        phone: str = "",
        sent_at: datetime | None = None,
    ) -> DeliveryStatus:
        """Ask PullSmsSendStatusByPhoneNumber for this number's receipts since
        `sent_at`. Only a receipt settles it; otherwise the answer is "unknown"."""
        if not phone:
            return "unknown"
        try:
            request = build_status_request(phone=phone, sent_at=sent_at)
            response = self._sdk().PullSmsSendStatusByPhoneNumber(request)
        except (MessageNotSendable, TencentCloudSDKException):
            return "unknown"
        return status_from_pull(
            response,
            correlation_id=correlation_id,
            provider_message_id=provider_message_id,
        )
