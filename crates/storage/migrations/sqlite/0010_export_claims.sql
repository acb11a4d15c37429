-- One export at a time puts a candidate into a Workable job: two acceptances of one person for two
-- roles mapped to the same job would otherwise both create them, and only Workable's own
-- duplicate check (unverified) would stop the second. The holder's row lasts until it is done
-- with the create (or `until`, should its worker die); the other export waits and then links.
CREATE TABLE export_claims (
    company_id    BIGINT NOT NULL,
    subdomain     TEXT NOT NULL,
    job_shortcode TEXT NOT NULL,
    candidate_id  BIGINT NOT NULL,
    export_id     BIGINT NOT NULL,
    until         BIGINT NOT NULL,
    PRIMARY KEY (company_id, subdomain, job_shortcode, candidate_id)
);
