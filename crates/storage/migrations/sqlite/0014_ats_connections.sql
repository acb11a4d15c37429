-- A company connects one ATS (Workable or Lever), so its connection is the ATS's, not Workable's:
-- the table is renamed and says which ATS. The account columns keep their meaning for each:
-- `subdomain` is the account's key in the ATS (Workable's subdomain; for Lever, which names no
-- account to an API key, the empty string), `member_id` / `member_name` the user every write acts
-- as (Workable's member; Lever's `perform_as` user).
ALTER TABLE workable_connections RENAME TO ats_connections;
ALTER TABLE pending_workable_connections RENAME TO pending_ats_connections;
ALTER TABLE ats_connections ADD COLUMN ats TEXT NOT NULL DEFAULT 'workable' CHECK (ats IN ('workable', 'lever'));
