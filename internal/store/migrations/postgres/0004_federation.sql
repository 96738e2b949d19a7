-- Federation: TAXII 2.1 collections and the STIX objects in them, the
-- status of TAXII POSTs, the node's secret keys, incidents shared with
-- audiences, indicators of incidents, the outbox of deliveries to peers and
-- the checkpoints of pulls from peers.
-- Times are TIMESTAMPTZ (microsecond resolution; the store writes UTC).
-- Keep tables and columns identical to migrations/sqlite/0004_federation.sql.

-- One TAXII collection per audience: a single peer ('peer', audience_ref =
-- the peer's name), the EU CSIRTs network ('network'), a named sharing group
-- ('group', audience_ref = the group's name), the public ('public'), and the
-- inbox that peers write to ('inbox').
CREATE TABLE taxii_collections (
	id           TEXT PRIMARY KEY, -- UUIDv4
	alias        TEXT NOT NULL UNIQUE,
	title        TEXT NOT NULL,
	description  TEXT NOT NULL DEFAULT '',
	audience     TEXT NOT NULL CHECK (audience IN ('peer', 'network', 'group', 'public', 'inbox')),
	audience_ref TEXT NOT NULL DEFAULT '',
	created_at   TIMESTAMPTZ NOT NULL,
	UNIQUE (audience, audience_ref)
);

-- One row per version of a STIX object in a collection. seq orders the
-- rows of a collection exactly as date_added does: the store assigns
-- date_added strictly increasing per collection while it holds the
-- collection's lock.
CREATE TABLE stix_objects (
	seq            BIGSERIAL PRIMARY KEY,
	collection_id  TEXT NOT NULL REFERENCES taxii_collections (id),
	stix_id        TEXT NOT NULL,
	type           TEXT NOT NULL,
	spec_version   TEXT NOT NULL,
	version        TEXT NOT NULL, -- modified, or created for unversioned objects, as the object gives it
	version_at     TIMESTAMPTZ NOT NULL, -- the same instant, normalised, for ordering and matching
	date_added     TIMESTAMPTZ NOT NULL,
	tlp            TEXT NOT NULL DEFAULT '', -- TLP 2.0 label of the object's markings; '' unmarked
	revoked        BOOLEAN NOT NULL DEFAULT FALSE,
	origin         TEXT NOT NULL DEFAULT '', -- the peer it was received from; '' made on this node
	created_by_ref TEXT NOT NULL DEFAULT '',
	body           TEXT NOT NULL, -- the object's JSON, as stored and served
	UNIQUE (collection_id, stix_id, version_at)
);
CREATE INDEX stix_objects_collection ON stix_objects (collection_id, seq);
CREATE INDEX stix_objects_added ON stix_objects (collection_id, date_added);

-- The status resource of each TAXII POST, kept at least 24 hours.
CREATE TABLE taxii_statuses (
	id                TEXT PRIMARY KEY, -- UUIDv4
	collection_id     TEXT NOT NULL REFERENCES taxii_collections (id),
	caller            TEXT NOT NULL, -- who posted: 'peer:<name>' or a user or token id
	request_timestamp TIMESTAMPTZ NOT NULL,
	total_count       INTEGER NOT NULL CHECK (total_count >= 0),
	success_count     INTEGER NOT NULL CHECK (success_count >= 0),
	failure_count     INTEGER NOT NULL CHECK (failure_count >= 0),
	pending_count     INTEGER NOT NULL CHECK (pending_count >= 0),
	details           TEXT NOT NULL DEFAULT '{}', -- JSON: successes, failures, pendings
	created_at        TIMESTAMPTZ NOT NULL
);
CREATE INDEX taxii_statuses_created ON taxii_statuses (created_at);

-- Secret keys of the node (e.g. the MAC key of TAXII cursors), made on
-- first use. secret is hex.
CREATE TABLE node_keys (
	name       TEXT PRIMARY KEY,
	secret     TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL
);

-- An incident shared with an audience: an explicit act of the authority.
-- audience is 'network', 'public', 'group:<name>' or 'peer:<name>'.
-- synced_at is the latest change of the incident (or of its reports, notes
-- and indicators) that its STIX objects in the collection reflect.
CREATE TABLE incident_shares (
	incident_id   TEXT NOT NULL REFERENCES incidents (id),
	audience      TEXT NOT NULL CHECK (audience <> ''),
	collection_id TEXT NOT NULL REFERENCES taxii_collections (id),
	shared_by     TEXT NOT NULL,
	shared_at     TIMESTAMPTZ NOT NULL,
	revoked_by    TEXT,
	revoked_at    TIMESTAMPTZ,
	synced_at     TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (incident_id, audience)
);

-- Indicators of compromise attached to an incident.
CREATE TABLE incident_indicators (
	id           TEXT PRIMARY KEY,
	incident_id  TEXT NOT NULL REFERENCES incidents (id),
	name         TEXT NOT NULL DEFAULT '',
	pattern      TEXT NOT NULL CHECK (pattern <> ''),
	pattern_type TEXT NOT NULL DEFAULT 'stix',
	valid_from   TIMESTAMPTZ NOT NULL,
	created_by   TEXT NOT NULL,
	created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX incident_indicators_incident ON incident_indicators (incident_id, created_at, id);

-- The outbox: one row per object version to push to a peer. A delivery is
-- claimed with a lease (locked_by, locked_until) so that several replicas
-- share the work; a failed push sets next_attempt_at with backoff.
-- 'rejected' is final: the peer refused the object and said why.
CREATE TABLE deliveries (
	id              BIGSERIAL PRIMARY KEY,
	peer            TEXT NOT NULL,
	seq             BIGINT NOT NULL REFERENCES stix_objects (seq) ON DELETE CASCADE,
	state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'rejected')),
	attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
	next_attempt_at TIMESTAMPTZ NOT NULL,
	locked_by       TEXT,
	locked_until    TIMESTAMPTZ,
	last_error      TEXT NOT NULL DEFAULT '',
	created_at      TIMESTAMPTZ NOT NULL,
	delivered_at    TIMESTAMPTZ,
	UNIQUE (peer, seq)
);
CREATE INDEX deliveries_pending ON deliveries (peer, next_attempt_at, id) WHERE state = 'pending';
CREATE INDEX deliveries_seq ON deliveries (seq);

-- How far this node has pulled each readable collection of each peer.
-- added_after is the X-TAXII-Date-Added-Last of the last page stored, as
-- the peer wrote it; '' before the first pull.
CREATE TABLE pull_checkpoints (
	peer        TEXT NOT NULL,
	collection  TEXT NOT NULL, -- the peer's collection id
	added_after TEXT NOT NULL DEFAULT '',
	objects     BIGINT NOT NULL DEFAULT 0 CHECK (objects >= 0), -- objects stored from it so far
	pulled_at   TIMESTAMPTZ, -- the last pull that succeeded
	last_error  TEXT NOT NULL DEFAULT '', -- of the last pull; '' when it succeeded
	PRIMARY KEY (peer, collection)
);
