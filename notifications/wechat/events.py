"""WeChat's event pushes to the official account's server URL: what became of
each subscribe message (`subscribe_msg_sent_event`), applied as a receipt.

WeChat signs each push: `signature` is the SHA-1 of the sorted token,
`timestamp` and `nonce`. A GET with `echostr` is the check WeChat makes when
the URL is configured, answered with the echostr itself.
"""

import hashlib
import logging
import secrets
import xml.etree.ElementTree as ET

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from notifications.receipts import Receipt, receipts_apply

logger = logging.getLogger(__name__)

_MAX_BODY = 64 * 1024


def signature_valid(token: str, *, timestamp: str, nonce: str, signature: str) -> bool:
    # WeChat's own scheme, not ours to choose; it proves the sender, nothing more.
    expected = hashlib.sha1(
        "".join(sorted([token, timestamp, nonce])).encode(), usedforsecurity=False
    ).hexdigest()
    return secrets.compare_digest(expected, signature)


def parse_sent_events(body: bytes) -> list[Receipt]:
    """The receipts in one `subscribe_msg_sent_event` push; [] for any other
    event. ValueError when the body is not XML we accept."""
    if b"<!DOCTYPE" in body.upper() or b"<!ENTITY" in body.upper():
        raise ValueError("declarations are refused")
    try:
        root = ET.fromstring(body)  # noqa: S314 # nosec B314 - no DTD, no entities (checked above)
    except ET.ParseError:
        raise ValueError("not XML") from None
    if (root.findtext("Event") or "") != "subscribe_msg_sent_event":
        return []
    receipts = []
    for item in root.iter("List"):
        status = (item.findtext("ErrorStatus") or "").strip()
        delivered = status == "success"
        receipts.append(
            Receipt(
                provider="wechat",
                provider_message_id=(item.findtext("MsgID") or "").strip(),
                correlation_id="",
                delivered=delivered,
                error_code="" if delivered else f"wechat:{status or 'failed'}",
                reported_at=None,
            )
        )
    return receipts


@csrf_exempt
@require_http_methods(["GET", "POST"])
def wechat_events(request: HttpRequest) -> HttpResponse:
    token = settings.WECHAT_EVENT_TOKEN
    if not token:
        raise Http404
    if not signature_valid(
        token,
        timestamp=request.GET.get("timestamp", ""),
        nonce=request.GET.get("nonce", ""),
        signature=request.GET.get("signature", ""),
    ):
        return HttpResponse("bad signature", status=403, content_type="text/plain")
    if request.method == "GET":
        return HttpResponse(request.GET.get("echostr", ""), content_type="text/plain")
    body = request.body[:_MAX_BODY]
    try:
        receipts = parse_sent_events(body)
    except ValueError:
        return HttpResponse("bad body", status=400, content_type="text/plain")
    changed = receipts_apply(receipts)
    logger.info("wechat.events receipts=%s changed=%s", len(receipts), changed)
    # WeChat wants "success" (or an empty body), else it pushes again.
    return HttpResponse("success", content_type="text/plain")
