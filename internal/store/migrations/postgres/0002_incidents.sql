-- Incidents: the incident record, its immutable staged reports
-- (submissions), its timeline, the latest obligation snapshot, the job queue
-- and notifications.
-- Times are TIMESTAMPTZ (microsecond resolution; the store writes UTC).
-- Keep tables and columns identical to migrations/sqlite/0002_incidents.sql.

-- One row per reference scope ("NL-2026"): the last number handed out.
-- The store increments it in the transaction that creates the incident, so
-- numbers are unique, and a rolled-back creation leaves no gap.
CREATE TABLE reference_counters (
	scope      TEXT PRIMARY KEY,
	last_value BIGINT NOT NULL CHECK (last_value > 0)
);

CREATE TABLE incidents (
	id               TEXT PRIMARY KEY,
	organisation_id  TEXT NOT NULL REFERENCES organisations (id),
	reference        TEXT NOT NULL UNIQUE, -- e.g. NL-2026-000042
	kind             TEXT NOT NULL CHECK (kind IN ('incident', 'near_miss', 'cyber_threat')),
	title            TEXT NOT NULL,
	state            TEXT NOT NULL CHECK (state IN ('received', 'triaged', 'in_progress', 'closed')),
	facts            TEXT NOT NULL DEFAULT '{}', -- JSON, opaque to the store
	sectors          TEXT NOT NULL DEFAULT '',   -- space-separated codes
	regimes          TEXT NOT NULL DEFAULT '',   -- space-separated codes
	assigned_user_id TEXT REFERENCES users (id),
	assigned_team_id TEXT REFERENCES teams (id),
	rsit             TEXT NOT NULL DEFAULT '', -- "class/type" or ''
	tlp              TEXT NOT NULL DEFAULT 'TLP:AMBER+STRICT',
	impact_severity  TEXT NOT NULL DEFAULT '' CHECK (impact_severity IN ('', 'red', 'yellow', 'green', 'white')),
	impact_outlook   TEXT NOT NULL DEFAULT '' CHECK (impact_outlook IN ('', 'improving', 'stable', 'worsening')),
	created_at       TIMESTAMPTZ NOT NULL,
	updated_at       TIMESTAMPTZ NOT NULL,
	closed_at        TIMESTAMPTZ,
	version          INTEGER NOT NULL DEFAULT 1 CHECK (version > 0),
	-- Lets submissions require that they belong to their incident's organisation.
	UNIQUE (id, organisation_id)
);
CREATE INDEX incidents_organisation ON incidents (organisation_id, created_at, id);
CREATE INDEX incidents_created ON incidents (created_at, id);
CREATE INDEX incidents_assigned_user ON incidents (assigned_user_id) WHERE assigned_user_id IS NOT NULL;
CREATE INDEX incidents_assigned_team ON incidents (assigned_team_id) WHERE assigned_team_id IS NOT NULL;

-- Staged reports, immutable once written (see the triggers below). Each
-- submission of an incident's report supersedes the previous one: the
-- unique supersedes_id and the partial index on the first submission keep
-- every (incident, report) history a single chain.
CREATE TABLE submissions (
	id              TEXT PRIMARY KEY,
	incident_id     TEXT NOT NULL,
	organisation_id TEXT NOT NULL REFERENCES organisations (id),
	report          TEXT NOT NULL CHECK (report <> ''), -- obligation id, e.g. nis2.early_warning
	body            TEXT NOT NULL,                      -- JSON, byte for byte as hashed
	sha256          TEXT NOT NULL,                      -- hex SHA-256 of body
	submitted_at    TIMESTAMPTZ NOT NULL,
	submitted_by    TEXT NOT NULL, -- user id or API token id
	due_at          TIMESTAMPTZ,
	on_time         BOOLEAN,
	supersedes_id   TEXT UNIQUE,
	idempotency_key TEXT,
	UNIQUE (organisation_id, idempotency_key),
	UNIQUE (id, incident_id, report),
	FOREIGN KEY (incident_id, organisation_id) REFERENCES incidents (id, organisation_id),
	FOREIGN KEY (supersedes_id, incident_id, report) REFERENCES submissions (id, incident_id, report)
);
CREATE INDEX submissions_incident ON submissions (incident_id, submitted_at, id);
CREATE UNIQUE INDEX submissions_first ON submissions (incident_id, report) WHERE supersedes_id IS NULL;

CREATE FUNCTION submissions_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'submissions are immutable';
END
$$;
CREATE TRIGGER submissions_immutable BEFORE UPDATE OR DELETE ON submissions
	FOR EACH ROW EXECUTE FUNCTION submissions_immutable();
CREATE TRIGGER submissions_no_truncate BEFORE TRUNCATE ON submissions
	FOR EACH STATEMENT EXECUTE FUNCTION submissions_immutable();

-- The timeline. 'authority' events are never shown to the entity; notes
-- are always 'authority'.
CREATE TABLE incident_events (
	id          TEXT PRIMARY KEY,
	incident_id TEXT NOT NULL REFERENCES incidents (id),
	at          TIMESTAMPTZ NOT NULL,
	actor       TEXT NOT NULL,
	kind        TEXT NOT NULL CHECK (kind IN ('message', 'note', 'state', 'assignment',
		'classification', 'request', 'feedback')),
	visibility  TEXT NOT NULL CHECK (visibility IN ('shared', 'authority')),
	body        TEXT NOT NULL DEFAULT '{}', -- JSON
	CHECK (kind <> 'note' OR visibility = 'authority')
);
CREATE INDEX incident_events_incident ON incident_events (incident_id, at, id);

-- The latest reportability assessment of each incident (a rules.Result as
-- JSON) and the instants derived from it that lists sort and filter on.
CREATE TABLE incident_assessments (
	incident_id           TEXT PRIMARY KEY REFERENCES incidents (id),
	result                TEXT NOT NULL,
	computed_at           TIMESTAMPTZ NOT NULL,
	next_due_at           TIMESTAMPTZ, -- earliest due instant of the entity's open or overdue obligations
	overdue               BOOLEAN NOT NULL DEFAULT FALSE,
	authority_next_due_at TIMESTAMPTZ
);
CREATE INDEX incident_assessments_next_due ON incident_assessments (next_due_at);

-- Background jobs. A job is claimed by setting locked_by and locked_until
-- (a lease); a job whose lease expired may be claimed again. attempts
-- counts claims, so a job that keeps crashing its worker also runs out.
CREATE TABLE jobs (
	id           BIGSERIAL PRIMARY KEY,
	kind         TEXT NOT NULL CHECK (kind <> ''),
	dedupe_key   TEXT UNIQUE, -- NULL: no deduplication
	state        TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'done', 'failed', 'cancelled')),
	run_at       TIMESTAMPTZ NOT NULL,
	payload      TEXT NOT NULL DEFAULT '{}', -- JSON
	attempts     INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
	max_attempts INTEGER NOT NULL CHECK (max_attempts > 0),
	locked_by    TEXT,
	locked_until TIMESTAMPTZ,
	done_at      TIMESTAMPTZ, -- when the job reached done, failed or cancelled
	last_error   TEXT NOT NULL DEFAULT '',
	created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX jobs_queued ON jobs (run_at, id) WHERE state = 'queued';

-- Notifications shown in the API and UI, and possibly e-mailed. dedupe_key
-- makes reminders idempotent: one per organisation, incident, obligation,
-- kind and due instant.
CREATE TABLE notifications (
	id              TEXT PRIMARY KEY,
	organisation_id TEXT NOT NULL REFERENCES organisations (id), -- the recipient
	incident_id     TEXT REFERENCES incidents (id),
	obligation      TEXT NOT NULL DEFAULT '', -- report id, e.g. nis2.notification
	kind            TEXT NOT NULL CHECK (kind IN ('due_soon', 'overdue', 'request', 'message')),
	message         TEXT NOT NULL,
	due_at          TIMESTAMPTZ,
	dedupe_key      TEXT UNIQUE, -- NULL: not deduplicated
	created_at      TIMESTAMPTZ NOT NULL,
	read_at         TIMESTAMPTZ,
	emailed_at      TIMESTAMPTZ
);
CREATE INDEX notifications_organisation ON notifications (organisation_id, created_at, id);
