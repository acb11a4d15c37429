-- Insights: every candidate of the company's mapped Workable jobs as the reconciliation last read
-- them (a page of 100 per call, then only what changed), so the page counts from stored rows and
-- never calls Workable. `furthest` only grows: 0 before interview, 1 interview, 2 offer, 3 hired —
-- a candidate disqualified after the interview still reached it.
CREATE TABLE ats_candidates (
    company_id     BIGINT NOT NULL REFERENCES companies(id),
    candidate_id   TEXT NOT NULL,
    job_shortcode  TEXT NOT NULL,
    source         TEXT NOT NULL,
    furthest       BIGINT NOT NULL,
    disqualified   BIGINT NOT NULL,
    created_at     BIGINT NOT NULL,
    hired_at       BIGINT,
    updated_at     BIGINT NOT NULL,
    PRIMARY KEY (company_id, candidate_id)
);
CREATE INDEX ats_candidates_job_idx ON ats_candidates (company_id, job_shortcode, created_at);

-- How far each mapped job has been read: Workable's `updated_at` (ms) up to which its candidates
-- are stored, and when the last full pass over the job ended (0: none yet). A job mapped later
-- starts from 0. A pass the rate limit interrupted resumes at `next_page` (Workable's `next`
-- address), with the newest `updated_at` it had seen so far.
CREATE TABLE ats_job_reads (
    company_id     BIGINT NOT NULL REFERENCES companies(id),
    job_shortcode  TEXT NOT NULL,
    watermark      BIGINT,
    read_at        BIGINT NOT NULL,
    next_page      TEXT,
    pass_watermark BIGINT,
    PRIMARY KEY (company_id, job_shortcode)
);

-- Hires by source over every mapped job, kept as candidates are stored: how many entered on a
-- day from a source, by days to their hire (-1: not hired) and how far they got (0 before
-- interview, 1 interview, 2 offer, 3 hired), so the page sums a few thousand rows instead of
-- reading every candidate. A job no longer mapped leaves both tables.
CREATE TABLE ats_source_days (
    company_id   BIGINT NOT NULL REFERENCES companies(id),
    created_day  BIGINT NOT NULL,
    source       TEXT NOT NULL,
    hire_days    BIGINT NOT NULL,
    furthest     BIGINT NOT NULL,
    candidates   BIGINT NOT NULL,
    PRIMARY KEY (company_id, created_day, source, hire_days, furthest)
);

-- The marketplace funnel reads a company's requests sent in a date range and their moves.
CREATE INDEX requests_sent_idx ON requests (company_id, sent_at);
CREATE INDEX stage_moves_company_idx ON stage_moves (company_id, request_id);
