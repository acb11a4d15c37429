-- The acceptance outbox (`events`) was never read by the product: the hand-off to the export
-- engine is the `work_queue` item queued in the acceptance's own transaction.
DROP TABLE events;
