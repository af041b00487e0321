"""The channels messages go out on (SMS gateways, WeChat, voice): their
accounts and endpoints, and when messages go out. Kept apart from base so
each room of settings stays readable; base imports every name."""

from config.env import env_bool, env_choice, env_int, env_str, env_time

# --- SMS gateways (DOMAIN §3). Empty by default: a backend that needs a value and
# is selected without it stops start-up naming the variable.
SMS_SIGN_NAME = env_str("SMS_SIGN_NAME", "")
SMS_SEND_TIMEOUT_SECONDS = env_int("SMS_SEND_TIMEOUT_SECONDS", 10, minimum=1)
ALIYUN_ACCESS_KEY_ID = env_str("ALIYUN_ACCESS_KEY_ID", "")
ALIYUN_ACCESS_KEY_SECRET = env_str("ALIYUN_ACCESS_KEY_SECRET", "")
ALIYUN_SMS_ENDPOINT = env_str("ALIYUN_SMS_ENDPOINT", "dysmsapi.aliyuncs.com")
TENCENT_SECRET_ID = env_str("TENCENT_SECRET_ID", "")
TENCENT_SECRET_KEY = env_str("TENCENT_SECRET_KEY", "")
TENCENT_SMS_APP_ID = env_str("TENCENT_SMS_APP_ID", "")
TENCENT_SMS_REGION = env_str("TENCENT_SMS_REGION", "ap-guangzhou")
SMS_HTTP_URL = env_str("SMS_HTTP_URL", "")
SMS_HTTP_SECRET = env_str("SMS_HTTP_SECRET", "")
# The secret path segment of the delivery-receipt endpoints; empty turns them off.
SMS_RECEIPT_TOKEN = env_str("SMS_RECEIPT_TOKEN", "")

# --- Reaching every woman (SPEC §8.5): WeChat and voice beside SMS. Empty turns
# a channel off; a woman's chain (WeChat → SMS → voice by default) skips it.
WECHAT_BACKEND = env_choice("WECHAT_BACKEND", "", ("", "console", "locmem", "wechat"))
WECHAT_APP_ID = env_str("WECHAT_APP_ID", "")
WECHAT_APP_SECRET = env_str("WECHAT_APP_SECRET", "")
WECHAT_API_BASE = env_str("WECHAT_API_BASE", "https://api.weixin.qq.com")
WECHAT_AUTHORIZE_URL = env_str(
    "WECHAT_AUTHORIZE_URL", "https://open.weixin.qq.com/connect/oauth2/authorize"
)
# The official account's subscribe notice (订阅通知); a mini program's is
# cgi-bin/message/subscribe/send.
WECHAT_SUBSCRIBE_PATH = env_str(
    "WECHAT_SUBSCRIBE_PATH", "cgi-bin/message/subscribe/bizsend"
)
# The Token set in the account's server configuration: signs the event pushes
# (delivery of subscribe messages). Empty turns the event endpoint off.
WECHAT_EVENT_TOKEN = env_str("WECHAT_EVENT_TOKEN", "")
WECHAT_TIMEOUT_SECONDS = env_int("WECHAT_TIMEOUT_SECONDS", 10, minimum=1)
VOICE_BACKEND = env_choice("VOICE_BACKEND", "", ("", "console", "locmem", "aliyun"))
VOICE_ENDPOINT = env_str("VOICE_ENDPOINT", "https://dyvmsapi.aliyuncs.com")
VOICE_SHOW_NUMBER = env_str("VOICE_SHOW_NUMBER", "")
# A message sent on a channel that reports delivery and still unreported after
# this long goes on down her chain.
CHAIN_RECEIPT_WAIT_MINUTES = env_int("CHAIN_RECEIPT_WAIT_MINUTES", 30, minimum=1)

# --- When messages go out (SPEC §5; docs/adr/0005). Times are HH:MM in the
# recipient's zone. Quiet hours move a reminder to their end, never past the visit.
REMINDER_DAY_BEFORE_AT = env_time("REMINDER_DAY_BEFORE_AT", "18:00")
REMINDER_SAME_DAY_AT = env_time("REMINDER_SAME_DAY_AT", "07:30")
QUIET_HOURS_START = env_time("QUIET_HOURS_START", "21:00")
QUIET_HOURS_END = env_time("QUIET_HOURS_END", "08:00")
# How long a place given back is held for the first woman on the waitlist.
WAITLIST_HOLD_MINUTES = env_int("WAITLIST_HOLD_MINUTES", 120, minimum=1)
# Tencent's default is 10 a number a day (DOMAIN §3.4); sign-in codes are limited
# upstream (OTP_LIMIT_*) and not counted here.
SMS_LIMIT_PER_PHONE_DAY = env_int("SMS_LIMIT_PER_PHONE_DAY", 10, minimum=1)
# Ids per send task: one task per message costs more in the broker than the send.
OUTBOX_SEND_BATCH_SIZE = env_int("OUTBOX_SEND_BATCH_SIZE", 50, minimum=1)
# Answers due at once (a booking's confirmation, a sign-in code) share one send
# task while it waits to run, instead of one task each: during a booking surge the
# publish cost each request about a millisecond and the worker one task per
# booking (docs/adr/0008). Needs a cache every process shares (Redis).
OUTBOX_COALESCE_IMMEDIATE = env_bool("OUTBOX_COALESCE_IMMEDIATE", True)
# The shared task starts this long after the first answer asks for it, so that a
# surge's answers go a few dozen to a task; far less than an SMS takes to arrive.
OUTBOX_IMMEDIATE_LINGER_MS = env_int("OUTBOX_IMMEDIATE_LINGER_MS", 200)
# A process that knows when the shared task starts skips the cache until this long
# before it: more than the clocks of the web and worker machines may differ by.
OUTBOX_IMMEDIATE_CLOCK_MARGIN_MS = env_int(
    "OUTBOX_IMMEDIATE_CLOCK_MARGIN_MS", 50, minimum=0
)
# A kick whose task was lost stops holding back the next one after this long.
OUTBOX_IMMEDIATE_KICK_SECONDS = env_int("OUTBOX_IMMEDIATE_KICK_SECONDS", 5, minimum=1)
