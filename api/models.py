"""REST API for integrations (issue 7): integration accounts, idempotency keys."""
