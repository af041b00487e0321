"""Endpoints the SMS providers push delivery receipts to.

Guarded by a secret path segment (SMS_RECEIPT_TOKEN; empty turns them off), and
for the generic gateway also by its HMAC signature. A wrong token is a plain 404,
so the endpoints cannot be told from a missing page.
"""

import hmac
from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from notifications.backends.http import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    signature_valid,
)
from notifications.receipts import (
    Receipt,
    ReceiptMalformed,
    parse_aliyun,
    parse_http,
    parse_tencent,
    receipts_apply,
)

# What each provider expects back before it stops retrying the batch.
ALIYUN_REPLY = {"code": 0, "msg": "接收成功"}
TENCENT_REPLY = {"result": 0, "errmsg": "OK"}
HTTP_REPLY = {"code": "ok"}


def _token_matches(token: str) -> bool:
    expected = settings.SMS_RECEIPT_TOKEN
    if not expected:
        return False
    return hmac.compare_digest(token.encode(), expected.encode())


def _http_signed(request: HttpRequest) -> bool:
    return signature_valid(
        secret=settings.SMS_HTTP_SECRET,
        timestamp=request.headers.get(TIMESTAMP_HEADER, ""),
        body=request.body,
        signature=request.headers.get(SIGNATURE_HEADER, ""),
    )


def receive(
    request: HttpRequest,
    token: str,
    *,
    parse: Callable[[bytes], list[Receipt]],
    reply: dict,
    signed: Callable[[HttpRequest], bool] | None = None,
) -> HttpResponse:
    # The token first: nothing about the endpoint, not even its methods, shows
    # to someone without it.
    if not _token_matches(token):
        raise Http404
    if request.method != "POST":
        return JsonResponse(
            {"code": "method_not_allowed", "detail": "Use POST."},
            status=405,
            headers={"Allow": "POST"},
        )
    if signed is not None and not signed(request):
        return JsonResponse(
            {"code": "invalid_signature", "detail": "The signature does not match."},
            status=403,
        )
    try:
        receipts = parse(request.body)
    except ReceiptMalformed as exc:
        return JsonResponse({"code": "invalid_receipt", "detail": str(exc)}, status=400)
    receipts_apply(receipts)
    return JsonResponse(reply, json_dumps_params={"ensure_ascii": False})


@csrf_exempt
def aliyun_receipts(request: HttpRequest, token: str) -> HttpResponse:
    return receive(request, token, parse=parse_aliyun, reply=ALIYUN_REPLY)


@csrf_exempt
def tencent_receipts(request: HttpRequest, token: str) -> HttpResponse:
    return receive(request, token, parse=parse_tencent, reply=TENCENT_REPLY)


@csrf_exempt
def http_receipts(request: HttpRequest, token: str) -> HttpResponse:
    return receive(
        request, token, parse=parse_http, reply=HTTP_REPLY, signed=_http_signed
    )
