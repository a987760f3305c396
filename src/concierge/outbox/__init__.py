"""The transactional outbox: emails and webhook calls written with the change that causes them
(``writer``), sent by a worker in every ``concierge serve`` process (``worker``)."""
