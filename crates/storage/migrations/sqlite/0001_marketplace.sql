-- The marketplace side: companies, their people, roles, candidates, requests and the pipeline.
-- Times are Unix milliseconds (BIGINT) so that SQLite and PostgreSQL store them alike.

CREATE TABLE companies (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE users (
    id             INTEGER PRIMARY KEY,
    company_id     BIGINT NOT NULL REFERENCES companies(id),
    email          TEXT NOT NULL,
    name           TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('master', 'member')),
    password_hash  TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    CONSTRAINT users_email_key UNIQUE (email)
);

CREATE TABLE roles (
    id            INTEGER PRIMARY KEY,
    company_id    BIGINT NOT NULL REFERENCES companies(id),
    title         TEXT NOT NULL,
    location      TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('draft', 'live', 'closed')),
    created_at    BIGINT NOT NULL,
    published_at  BIGINT
);
CREATE INDEX roles_company_idx ON roles (company_id);

CREATE TABLE candidates (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL,
    email         TEXT NOT NULL,
    phone         TEXT,
    headline      TEXT NOT NULL,
    summary       TEXT NOT NULL,
    profile_json  TEXT NOT NULL,
    cv_filename   TEXT,
    cv_pdf        BLOB,
    created_at    BIGINT NOT NULL,
    CONSTRAINT candidates_email_key UNIQUE (email)
);

CREATE TABLE requests (
    id            INTEGER PRIMARY KEY,
    company_id    BIGINT NOT NULL REFERENCES companies(id),
    role_id       BIGINT NOT NULL REFERENCES roles(id),
    candidate_id  BIGINT NOT NULL REFERENCES candidates(id),
    status        TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'declined')),
    stage         TEXT CHECK (stage IN ('accepted', 'screening', 'technical_interview', 'final_interview', 'offer', 'hired', 'rejected', 'withdrawn')),
    sent_by       BIGINT REFERENCES users(id),
    sent_at       BIGINT NOT NULL,
    answered_at   BIGINT,
    CONSTRAINT requests_role_candidate_key UNIQUE (role_id, candidate_id),
    CONSTRAINT requests_stage_only_when_accepted CHECK ((status = 'accepted') = (stage IS NOT NULL))
);
CREATE INDEX requests_company_role_idx ON requests (company_id, role_id);

CREATE TABLE stage_moves (
    id           INTEGER PRIMARY KEY,
    request_id   BIGINT NOT NULL REFERENCES requests(id),
    company_id   BIGINT NOT NULL REFERENCES companies(id),
    from_stage   TEXT,
    to_stage     TEXT NOT NULL,
    moved_by     BIGINT REFERENCES users(id),
    origin       TEXT NOT NULL CHECK (origin IN ('candidate', 'marketplace', 'workable')),
    moved_at     BIGINT NOT NULL
);
CREATE INDEX stage_moves_request_idx ON stage_moves (request_id);

-- Domain events written in the same transaction as the change they describe (an outbox):
-- the export engine consumes `request_accepted`.
CREATE TABLE events (
    id          INTEGER PRIMARY KEY,
    company_id  BIGINT NOT NULL REFERENCES companies(id),
    kind        TEXT NOT NULL,
    request_id  BIGINT REFERENCES requests(id),
    created_at  BIGINT NOT NULL
);

CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,
    data         TEXT NOT NULL,
    expires_at   BIGINT NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expires_at);
