-- Two-way stage sync, Workable → marketplace: webhooks, reconciliation, and what Workable last
-- showed of each exported candidate (so our own moves are recognised when they come back).

-- The connection's webhook endpoint (an unguessable path part), the subscriptions we made at
-- Workable, and the reconciliation's watermark and last run.
ALTER TABLE workable_connections ADD COLUMN webhook_token TEXT;
ALTER TABLE workable_connections ADD COLUMN webhook_subscriptions TEXT;
ALTER TABLE workable_connections ADD COLUMN webhook_error TEXT;
ALTER TABLE workable_connections ADD COLUMN reconciled_at BIGINT;
ALTER TABLE workable_connections ADD COLUMN reconcile_watermark BIGINT;
ALTER TABLE workable_connections ADD COLUMN reconcile_corrections BIGINT;
ALTER TABLE workable_connections ADD COLUMN reconcile_error TEXT;
CREATE UNIQUE INDEX workable_connections_webhook_token_key ON workable_connections (webhook_token);

-- exports.workable_stage (the stage name) and workable_disqualified already say where the
-- candidate is in Workable as far as we know; add "withdrew" and Workable's updated_at.
ALTER TABLE exports ADD COLUMN workable_withdrew BIGINT NOT NULL DEFAULT 0;
ALTER TABLE exports ADD COLUMN workable_updated_at BIGINT;
-- A marketplace move being pushed to Workable (set before the first write, cleared when done):
-- Workable may show a state in between meanwhile, which is not a Workable change.
ALTER TABLE exports ADD COLUMN pushing_stage TEXT;
CREATE INDEX exports_workable_candidate_idx ON exports (company_id, workable_candidate_id);

-- Every webhook delivery, accepted or not; never its body. An accepted body is recorded once
-- per connection: the same delivery again is a replay.
CREATE TABLE webhook_deliveries (
    id                     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    company_id             BIGINT REFERENCES companies(id),
    received_at            BIGINT NOT NULL,
    outcome                TEXT NOT NULL CHECK (outcome IN ('accepted', 'replayed', 'ignored', 'unsigned', 'forged', 'malformed', 'oversized', 'unknown_connection')),
    body_sha256            TEXT,
    event                  TEXT,
    workable_candidate_id  TEXT,
    detail                 TEXT
);
CREATE UNIQUE INDEX webhook_deliveries_once ON webhook_deliveries (company_id, body_sha256) WHERE outcome = 'accepted';
CREATE INDEX webhook_deliveries_company_idx ON webhook_deliveries (company_id, received_at);

-- Interviews scheduled on the marketplace; each change is posted to the Workable timeline.
CREATE TABLE interviews (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    company_id        BIGINT NOT NULL REFERENCES companies(id),
    request_id        BIGINT NOT NULL REFERENCES requests(id),
    kind              TEXT NOT NULL CHECK (kind IN ('phone_screen', 'technical', 'onsite', 'final')),
    starts_at         BIGINT NOT NULL,
    duration_minutes  BIGINT NOT NULL,
    interviewer       TEXT NOT NULL,
    scheduled_by      BIGINT REFERENCES users(id),
    version           BIGINT NOT NULL DEFAULT 1,
    synced_version    BIGINT NOT NULL DEFAULT 0,
    synced_starts_at  BIGINT,
    cancelled_at      BIGINT,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE INDEX interviews_request_idx ON interviews (company_id, request_id);
