-- Foundation: organisations, people, credentials and the audit trail.
-- Times are TEXT holding UTC RFC 3339 with six fractional digits
-- (2006-01-02T15:04:05.000000Z), fixed width so they sort as text.
-- Keep tables and columns identical to migrations/postgres/0001_foundation.sql.

CREATE TABLE organisations (
	id           TEXT PRIMARY KEY,
	kind         TEXT NOT NULL CHECK (kind IN ('authority', 'entity')),
	name         TEXT NOT NULL,
	member_state TEXT NOT NULL,
	profile      TEXT NOT NULL DEFAULT '{}', -- JSON: an entity's NIS2 profile
	created_at   TEXT NOT NULL
) STRICT;
CREATE INDEX organisations_created ON organisations (created_at, id);

CREATE TABLE teams (
	id              TEXT PRIMARY KEY,
	organisation_id TEXT NOT NULL REFERENCES organisations (id),
	name            TEXT NOT NULL,
	created_at      TEXT NOT NULL,
	UNIQUE (organisation_id, name)
) STRICT;

CREATE TABLE users (
	id              TEXT PRIMARY KEY,
	organisation_id TEXT NOT NULL REFERENCES organisations (id),
	email           TEXT NOT NULL UNIQUE, -- lower-cased by the store
	display_name    TEXT NOT NULL,
	role            TEXT NOT NULL CHECK (role IN ('entity_reporter', 'entity_admin',
		'authority_analyst', 'authority_supervisor', 'node_admin')),
	password_hash   TEXT NOT NULL, -- argon2id PHC string; '' = no password login
	disabled        INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
	created_at      TEXT NOT NULL
) STRICT;
CREATE INDEX users_organisation ON users (organisation_id, created_at, id);

CREATE TABLE team_members (
	team_id    TEXT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
	user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at TEXT NOT NULL,
	PRIMARY KEY (team_id, user_id)
) STRICT;
CREATE INDEX team_members_user ON team_members (user_id);

-- token_hash is the hex SHA-256 of the cookie's token; the token itself is
-- never stored.
CREATE TABLE sessions (
	token_hash   TEXT PRIMARY KEY,
	user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at   TEXT NOT NULL,
	expires_at   TEXT NOT NULL,
	last_seen_at TEXT NOT NULL
) STRICT;
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE api_tokens (
	id              TEXT PRIMARY KEY,
	token_hash      TEXT NOT NULL UNIQUE,
	organisation_id TEXT NOT NULL REFERENCES organisations (id),
	role            TEXT NOT NULL CHECK (role IN ('entity_reporter', 'entity_admin',
		'authority_analyst', 'authority_supervisor', 'node_admin')),
	name            TEXT NOT NULL,
	created_by      TEXT NOT NULL, -- actor: user id, token id or 'system'
	created_at      TEXT NOT NULL,
	expires_at      TEXT,          -- NULL: does not expire
	revoked_at      TEXT
) STRICT;
CREATE INDEX api_tokens_organisation ON api_tokens (organisation_id, created_at, id);

CREATE TABLE setup_tokens (
	token_hash TEXT PRIMARY KEY,
	created_at TEXT NOT NULL,
	used_at    TEXT
) STRICT;

-- Append-only, hash-chained. seq is assigned by the store (last + 1), never
-- by the database, so a rolled-back append leaves no gap. detail is kept as
-- the exact JSON text that was hashed.
CREATE TABLE audit_log (
	seq             INTEGER PRIMARY KEY CHECK (seq > 0),
	at              TEXT NOT NULL,
	actor           TEXT NOT NULL,
	organisation_id TEXT NOT NULL DEFAULT '',
	action          TEXT NOT NULL,
	object_type     TEXT NOT NULL DEFAULT '',
	object_id       TEXT NOT NULL DEFAULT '',
	detail          TEXT NOT NULL,
	prev_hash       TEXT NOT NULL,
	hash            TEXT NOT NULL
) STRICT;
CREATE INDEX audit_log_organisation ON audit_log (organisation_id, seq);
