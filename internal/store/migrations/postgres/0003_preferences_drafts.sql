-- Users' preferences (UI language and time zone) and entities' unfinished
-- staged reports (drafts).
-- Keep tables and columns identical to migrations/sqlite/0003_preferences_drafts.sql.

-- '' means the node's default.
ALTER TABLE users ADD COLUMN locale TEXT NOT NULL DEFAULT '';    -- e.g. 'nl'
ALTER TABLE users ADD COLUMN time_zone TEXT NOT NULL DEFAULT ''; -- IANA name, e.g. 'Europe/Amsterdam'

-- One draft per incident and report id, replaced on every save and deleted
-- when the report is submitted. Drafts are the entity's own: the authority
-- never sees them.
CREATE TABLE report_drafts (
	incident_id     TEXT NOT NULL,
	organisation_id TEXT NOT NULL,
	report          TEXT NOT NULL CHECK (report <> ''), -- report id, e.g. nis2.early_warning
	body            TEXT NOT NULL,                      -- a JSON object, as saved; not validated
	updated_at      TIMESTAMPTZ NOT NULL,
	updated_by      TEXT NOT NULL,                      -- user id or API token id
	PRIMARY KEY (incident_id, report),
	FOREIGN KEY (incident_id, organisation_id) REFERENCES incidents (id, organisation_id)
);
