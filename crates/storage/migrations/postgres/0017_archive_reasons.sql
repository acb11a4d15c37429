-- A stage may archive with one of the account's outcome reasons (Lever's archive reasons):
-- *Rejected* and *Withdrawn* with a chosen not-hired reason, *Hired* with a hired one. The table
-- is rebuilt because SQLite cannot change a CHECK in place; its ATS columns lose the Workable name
-- they were born with: `ats_ref` is the stage's slug for 'move' and the reason's id for 'archive',
-- `ats_name` their name when mapped (to notice a rename).
CREATE TABLE ats_stage_mappings_v2 (
    configuration_id   BIGINT NOT NULL REFERENCES ats_configurations(id),
    marketplace_stage  TEXT NOT NULL,
    action             TEXT NOT NULL CHECK (action IN ('none', 'move', 'disqualify', 'archive')),
    ats_ref            TEXT,
    ats_name           TEXT,
    PRIMARY KEY (configuration_id, marketplace_stage)
);
INSERT INTO ats_stage_mappings_v2 (configuration_id, marketplace_stage, action, ats_ref, ats_name)
    SELECT configuration_id, marketplace_stage, action, workable_slug, workable_name FROM ats_stage_mappings;
DROP TABLE ats_stage_mappings;
ALTER TABLE ats_stage_mappings_v2 RENAME TO ats_stage_mappings;

-- What the ATS shows of an exported candidate includes the outcome reason they were taken out
-- with (Lever's archive reason id): a change of reason alone is a change (archived as hired after
-- an archive as declined), and a mapping may say which marketplace stage a reason is.
ALTER TABLE exports ADD COLUMN ats_reason TEXT;
