"""What waits in her session between WeChat's answer and her SMS code."""

# No dots: session keys are read in templates elsewhere the same way.
PENDING_OPENID_KEY = "ankang_pending_openid"
