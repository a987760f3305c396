"""Webhooks: subscriptions per user or admin-wide, signed deliveries through the outbox, a
delivery log, redelivery, test pings, secret rotation and automatic disabling."""
