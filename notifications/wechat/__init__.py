"""WeChat official account: a thin client over its HTTPS API (web authorisation,
the access token, subscribe messages) and the message channel built on it."""
