-- Two-way stage sync: what the export last applied to the Workable candidate, so a move is only
-- sent when the marketplace stage differs, and Workable's echo of our own move is recognised.
ALTER TABLE exports ADD COLUMN synced_stage TEXT;
ALTER TABLE exports ADD COLUMN workable_disqualified BIGINT NOT NULL DEFAULT 0;
