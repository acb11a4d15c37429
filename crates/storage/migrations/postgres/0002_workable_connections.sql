-- A company's connection to Workable: one per company. Tokens are stored encrypted (AEAD) by
-- the integrations crate; this table never sees them in clear. A reconnect updates the row in
-- place, so whatever refers to the connection (mappings, queued work) stays attached.
CREATE TABLE workable_connections (
    id                    BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    company_id            BIGINT NOT NULL REFERENCES companies(id),
    auth_kind             TEXT NOT NULL CHECK (auth_kind IN ('oauth', 'api_token')),
    subdomain             TEXT NOT NULL,
    account_name          TEXT NOT NULL,
    member_id             TEXT NOT NULL,
    member_name           TEXT NOT NULL,
    connected_by          BIGINT REFERENCES users(id),
    connected_at          BIGINT NOT NULL,
    status                TEXT NOT NULL CHECK (status IN ('connected', 'reconnect_needed', 'disconnected')),
    access_token_enc      BYTEA,
    refresh_token_enc     BYTEA,
    token_expires_at      BIGINT,
    token_version         BIGINT NOT NULL DEFAULT 0,
    scopes                TEXT NOT NULL,
    last_success_at       BIGINT,
    last_webhook_at       BIGINT,
    last_error            TEXT,
    last_error_at         BIGINT,
    rate_limit_limit      BIGINT,
    rate_limit_remaining  BIGINT,
    rate_limit_reset_at   BIGINT,
    updated_at            BIGINT NOT NULL,
    CONSTRAINT workable_connections_company_key UNIQUE (company_id)
);

-- Tokens waiting for the user to choose which of several Workable accounts to connect.
CREATE TABLE pending_workable_connections (
    id                 TEXT PRIMARY KEY,
    company_id         BIGINT NOT NULL REFERENCES companies(id),
    user_id            BIGINT NOT NULL REFERENCES users(id),
    access_token_enc   BYTEA NOT NULL,
    refresh_token_enc  BYTEA,
    token_expires_at   BIGINT,
    scopes             TEXT NOT NULL,
    accounts_json      TEXT NOT NULL,
    expires_at         BIGINT NOT NULL
);
