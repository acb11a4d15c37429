-- Failed sign-ins per email typed, so guessing a password is cut off after a few tries: checked
-- before any password work, on every instance alike. Rows older than the window are pruned.
CREATE TABLE sign_in_failures (
    email           TEXT PRIMARY KEY,
    failures        BIGINT NOT NULL,
    first_failed_at BIGINT NOT NULL,
    locked_until    BIGINT
);
