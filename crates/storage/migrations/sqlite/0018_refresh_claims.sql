-- One refresh of a grant at a time across instances: Lever rotates the refresh token on every use
-- and ends the whole grant when a used one comes back, so two instances must never present the same
-- refresh token. The instance that refreshes claims the connection until this time (Unix ms); the
-- others wait for the token version to move on.
ALTER TABLE ats_connections ADD COLUMN refresh_claimed_until BIGINT;
