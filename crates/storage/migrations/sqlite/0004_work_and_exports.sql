-- Durable work for the sync engine. Any instance claims due items under a lease; the Workable
-- call happens outside the claiming transaction and completion is a second one. One active item
-- per (kind, subject): queueing it again while it runs marks it to run once more. Finished items
-- are deleted: the ledger (export_events) keeps the history.
CREATE TABLE work_queue (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL,
    company_id   BIGINT NOT NULL REFERENCES companies(id),
    subject_id   BIGINT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('queued', 'running', 'paused', 'failed')),
    run_at       BIGINT NOT NULL,
    attempts     BIGINT NOT NULL DEFAULT 0,
    lease_owner  TEXT,
    lease_until  BIGINT,
    last_error   TEXT,
    -- Queued again while running: run once more when this run finishes.
    again        BIGINT NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE UNIQUE INDEX work_queue_one_per_subject ON work_queue (kind, subject_id);
CREATE INDEX work_queue_due_idx ON work_queue (state, run_at);
CREATE INDEX work_queue_company_idx ON work_queue (company_id, state);

-- One export per accepted request: the candidate into the role's mapped Workable job. Progress is
-- recorded step by step so a crash resumes at the step that did not finish.
CREATE TABLE exports (
    id                      INTEGER PRIMARY KEY,
    company_id              BIGINT NOT NULL REFERENCES companies(id),
    request_id              BIGINT NOT NULL REFERENCES requests(id),
    candidate_id            BIGINT NOT NULL REFERENCES candidates(id),
    role_id                 BIGINT NOT NULL REFERENCES roles(id),
    configuration_id        BIGINT REFERENCES ats_configurations(id),
    subdomain               TEXT,
    job_shortcode           TEXT,
    job_title               TEXT,
    state                   TEXT NOT NULL CHECK (state IN ('not_mapped', 'queued', 'waiting', 'paused', 'failed', 'done')),
    workable_candidate_id   TEXT,
    profile_url             TEXT,
    workable_stage          TEXT,
    linked_existing         BIGINT NOT NULL DEFAULT 0,
    created_in_workable_at  BIGINT,
    resume_confirmed_at     BIGINT,
    profile_attached_at     BIGINT,
    profile_confirmed_at    BIGINT,
    at_stage_at             BIGINT,
    attempts                BIGINT NOT NULL DEFAULT 0,
    last_error              TEXT,
    next_attempt_at         BIGINT,
    created_at              BIGINT NOT NULL,
    updated_at              BIGINT NOT NULL,
    CONSTRAINT exports_request_key UNIQUE (request_id)
);
CREATE INDEX exports_role_idx ON exports (company_id, role_id);
CREATE INDEX exports_identity_idx ON exports (candidate_id, subdomain, job_shortcode);

-- The export ledger: every step and every failure, in plain words.
CREATE TABLE export_events (
    id         INTEGER PRIMARY KEY,
    export_id  BIGINT NOT NULL REFERENCES exports(id),
    at         BIGINT NOT NULL,
    step       TEXT NOT NULL,
    detail     TEXT NOT NULL
);
CREATE INDEX export_events_export_idx ON export_events (export_id);
