-- A role's ATS configuration: the Workable job it feeds and, per marketplace stage, what happens
-- there. One active configuration per role; removing one keeps the row (removed_at), so the
-- history of earlier exports still names the job they went to. Editing updates it in place.
CREATE TABLE ats_configurations (
    id                  INTEGER PRIMARY KEY,
    company_id          BIGINT NOT NULL REFERENCES companies(id),
    role_id             BIGINT NOT NULL REFERENCES roles(id),
    subdomain           TEXT NOT NULL,
    job_shortcode       TEXT NOT NULL,
    job_title           TEXT NOT NULL,
    job_code            TEXT,
    job_department      TEXT,
    job_location        TEXT,
    job_state           TEXT NOT NULL,
    -- What changed in Workable since it was saved, one sentence per line; NULL when all is well.
    attention           TEXT,
    checked_at          BIGINT,
    created_by          BIGINT REFERENCES users(id),
    created_at          BIGINT NOT NULL,
    updated_by          BIGINT REFERENCES users(id),
    updated_at          BIGINT NOT NULL,
    removed_by          BIGINT REFERENCES users(id),
    removed_at          BIGINT
);
CREATE UNIQUE INDEX ats_configurations_one_active_per_role ON ats_configurations (role_id) WHERE removed_at IS NULL;
CREATE INDEX ats_configurations_company_idx ON ats_configurations (company_id);

CREATE TABLE ats_stage_mappings (
    configuration_id   BIGINT NOT NULL REFERENCES ats_configurations(id),
    marketplace_stage  TEXT NOT NULL,
    action             TEXT NOT NULL CHECK (action IN ('none', 'move', 'disqualify')),
    -- The Workable stage for 'move', and its name when it was mapped (to notice a rename).
    workable_slug      TEXT,
    workable_name      TEXT,
    PRIMARY KEY (configuration_id, marketplace_stage)
);
