-- The sync workers alive now: each process heartbeats its row, so a lease held by a process that
-- stopped heartbeating (killed, or its machine gone) is taken over without waiting out the lease.
-- A clean stop, or a restart on the same machine, marks the row gone at once (heartbeat_at = 0).
CREATE TABLE sync_workers (
    owner        TEXT PRIMARY KEY,
    host         TEXT NOT NULL,
    pid          BIGINT NOT NULL,
    started_at   BIGINT NOT NULL,
    heartbeat_at BIGINT NOT NULL
);
