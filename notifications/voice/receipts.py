"""Alibaba Cloud voice call reports (VoiceReport), pushed over HTTP like the SMS
receipts: a JSON array of {call_id, out_id, status_code, status_msg,
start_time, end_time, duration}. 200000 means she picked up and the message
was played to the end; any other code is a call that did not reach her."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from notifications.receipt_views import ALIYUN_REPLY, receive
from notifications.receipts import Receipt, items_of, text_of

HEARD = "200000"


def parse_aliyun_voice(body: bytes) -> list[Receipt]:
    receipts = []
    for item in items_of(body):
        code = text_of(item.get("status_code"))
        heard = code == HEARD
        receipts.append(
            Receipt(
                provider="aliyun_voice",
                provider_message_id=text_of(item.get("call_id")),
                correlation_id=text_of(item.get("out_id")),
                delivered=heard,
                error_code="" if heard else f"aliyun_voice:{code or 'unanswered'}",
                reported_at=None,
            )
        )
    return receipts


@csrf_exempt
def aliyun_voice_receipts(request: HttpRequest, token: str) -> HttpResponse:
    return receive(request, token, parse=parse_aliyun_voice, reply=ALIYUN_REPLY)
