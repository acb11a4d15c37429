-- A pending connection says how its credential was obtained: Lever's OAuth grant and Lever's API
-- key both wait for the choice of the user to act as, and the connection they become differs
-- (an OAuth grant is refreshed, a key is not). Workable's pending connections are all OAuth.
ALTER TABLE pending_ats_connections ADD COLUMN auth_kind TEXT NOT NULL DEFAULT 'oauth' CHECK (auth_kind IN ('oauth', 'api_token'));
