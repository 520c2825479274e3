"""Notifications to complainants and staff (issue 7): outbox, deadline alerts."""
