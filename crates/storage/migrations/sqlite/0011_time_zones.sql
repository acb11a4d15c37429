-- Each person's time zone, an IANA name (NULL until their browser reports it on sign-in or they
-- choose one in Account settings; shown as UTC meanwhile), and the zone each interview was
-- scheduled in: its comment on the Workable timeline gives the time there and in UTC.
ALTER TABLE users ADD COLUMN time_zone TEXT;
ALTER TABLE interviews ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
