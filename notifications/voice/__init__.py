"""Voice calls that read a message out (text to speech) as an outbox channel."""
