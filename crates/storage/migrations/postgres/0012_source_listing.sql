-- Source lists a company's roles live first, then drafts, then closed, newest first: this index
-- holds them in that order, so a page of 50 is read from the index's start instead of sorting
-- every role; the second counts a company's roles by status without reading them.
CREATE INDEX roles_listing_idx ON roles (company_id, (CASE status WHEN 'live' THEN 0 WHEN 'draft' THEN 1 ELSE 2 END), id DESC);
CREATE INDEX roles_status_idx ON roles (company_id, status);
