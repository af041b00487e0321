"""Subscribe messages (订阅消息) as an outbox channel, and its development stand-ins.

A message is sent with the template an admin chose for its kind
(MessageTemplate.wechat_template_id), each template key filled from one of our
parameters (wechat_fields). What cannot be sent as it stands (no template, no
openid, she refused: 43101) fails for good, and the chain moves on to SMS.
"""

import logging

from notifications.backends.base import OutgoingMessage, SendResult
from notifications.models import MessageTemplate
from notifications.wechat.client import USER_REFUSED, WeChatClient, WeChatError

logger = logging.getLogger("notifications.wechat")

NAME = "wechat"
# WeChat's limits per key type: thing 20 characters, the others shorter.
_LIMITS = {"thing": 20, "phrase": 5, "name": 10, "character_string": 32, "time": 32}


def _fit(key: str, value: str) -> str:
    kind = key.rstrip("0123456789")
    return value[: _LIMITS.get(kind, 20)]


def template_data(message: OutgoingMessage) -> tuple[str, dict[str, str]] | str:
    """The template id and its filled keys, or the error code when the message
    cannot be sent as it stands."""
    template = MessageTemplate.objects.filter(kind=message.kind).first()
    if template is None or not template.wechat_template_id:
        return "no_template"
    data: dict[str, str] = {}
    for key, param in (template.wechat_fields or {}).items():
        if param not in message.params:
            return "template_param_missing"
        data[key] = _fit(key, str(message.params[param]))
    return template.wechat_template_id, data


class WeChatBackend:
    name = NAME
    # Nothing to ask about a message afterwards: its outcome is written at once.
    outcome_at_once = True

    def __init__(self) -> None:
        self.client = WeChatClient()

    def send(self, message: OutgoingMessage) -> SendResult:
        if not message.address:
            return SendResult(accepted=False, error=f"{NAME}:no_openid")
        prepared = template_data(message)
        if isinstance(prepared, str):
            return SendResult(accepted=False, error=f"{NAME}:{prepared}")
        template_id, data = prepared
        try:
            msgid = self.client.send_subscribe(
                openid=message.address, template_id=template_id, data=data
            )
        except WeChatError as error:
            if error.errcode == USER_REFUSED:
                code = f"{NAME}:{USER_REFUSED} refused"
            elif error.errcode is None:
                # Cut off on the way: it may have been taken (rules.maybe_taken).
                code = f"{NAME}:network {error.errmsg}"
            else:
                code = f"{NAME}:{error.errcode}"
            return SendResult(accepted=False, error=code, transient=error.transient)
        return SendResult(accepted=True, provider_message_id=msgid)


class WeChatConsoleBackend:
    """Logs each subscribe message, for `make run`; the openid is never shown."""

    name = "wechat_console"

    def send(self, message: OutgoingMessage) -> SendResult:
        logger.info("[WeChat] (%s) %s", message.kind, message.text)
        return SendResult(accepted=True, provider_message_id=message.correlation_id)


# The test suite reads what was "sent" here.
outbox: list[OutgoingMessage] = []


class WeChatLocmemBackend:
    name = "wechat_locmem"

    def send(self, message: OutgoingMessage) -> SendResult:
        outbox.append(message)
        return SendResult(accepted=True, provider_message_id=message.correlation_id)
