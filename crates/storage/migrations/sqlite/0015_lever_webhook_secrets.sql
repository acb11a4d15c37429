-- Lever signs each webhook's deliveries with that webhook's own token, which only the answer to
-- its creation carries: the connection keeps them sealed (AEAD, like its access token) to verify
-- deliveries with. Workable connections leave it empty.
ALTER TABLE ats_connections ADD COLUMN webhook_secrets_enc BLOB;
