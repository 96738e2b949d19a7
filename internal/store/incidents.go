package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// IncidentKind is what an entity reported (NIS2 Art 6(5), 6(6), 6(8)).
type IncidentKind string

const (
	KindIncident    IncidentKind = "incident"     // an incident (Art 6(6))
	KindNearMiss    IncidentKind = "near_miss"    // a near miss (Art 6(5))
	KindCyberThreat IncidentKind = "cyber_threat" // a significant cyber threat (Art 6(8), 6(11))
)

// IncidentState is where an incident is in the authority's handling.
type IncidentState string

const (
	StateReceived   IncidentState = "received"    // reported, not yet looked at
	StateTriaged    IncidentState = "triaged"     // classified and prioritised
	StateInProgress IncidentState = "in_progress" // being handled
	StateClosed     IncidentState = "closed"      // handling ended; sets ClosedAt
)

// DefaultTLP is the Traffic Light Protocol label of a new incident.
const DefaultTLP = "TLP:AMBER+STRICT"

// Incident is an incident, near miss or cyber threat reported by an entity.
type Incident struct {
	ID             string
	OrganisationID string // the reporting entity
	// Reference is the human reference, e.g. "NL-2026-000042": the node's
	// Member State, the UTC year of creation and a counter. Set by
	// CreateIncident; never changes.
	Reference string
	Kind      IncidentKind
	Title     string
	State     IncidentState
	// Facts is the entity-supplied facts document (a rules.Facts without
	// now and events) as JSON, stored as given. ListIncidents leaves it nil.
	Facts json.RawMessage
	// Sectors and Regimes are codes the caller extracts (from the facts and
	// the assessment) for filtering; codes contain no white space.
	Sectors        []string
	Regimes        []string
	AssignedUserID string // empty: unassigned
	AssignedTeamID string // empty: unassigned
	RSIT           string // "class/type" of the RSIT taxonomy, or empty
	TLP            string // empty on create means DefaultTLP
	ImpactSeverity string // "", "red", "yellow", "green" or "white"
	ImpactOutlook  string // "", "improving", "stable" or "worsening"
	CreatedAt      time.Time
	UpdatedAt      time.Time
	ClosedAt       time.Time // zero unless State is StateClosed
	// Version counts the incident's writes. UpdateIncident takes the version
	// the caller read and fails with ErrConflict if the incident changed
	// since.
	Version int64
}

// CreateIncident stores a new incident and returns it with ID, Reference,
// timestamps and Version set. memberState is the node's Member State (two
// capital letters), the first part of the reference. An empty Kind is
// KindIncident, an empty State StateReceived, an empty TLP DefaultTLP and
// empty Facts {}. An unknown organisation, user or team is ErrNotFound; a
// value outside its allowed set ErrInvalid.
//
// References are numbered per Member State and year in the creating
// transaction: concurrent creations wait for each other's commit, so numbers
// are unique and a rolled-back creation leaves no gap.
func (tx *Tx) CreateIncident(ctx context.Context, memberState string, in Incident) (Incident, error) {
	if len(memberState) != 2 || !isUpper(memberState[0]) || !isUpper(memberState[1]) {
		return Incident{}, fmt.Errorf("store: create incident: member state %q: want two capital letters: %w", memberState, ErrInvalid)
	}
	if in.Kind == "" {
		in.Kind = KindIncident
	}
	if in.State == "" {
		in.State = StateReceived
	}
	if in.TLP == "" {
		in.TLP = DefaultTLP
	}
	if len(in.Facts) == 0 {
		in.Facts = json.RawMessage("{}")
	}
	sectors, regimes, err := incidentCodes(in)
	if err != nil {
		return Incident{}, fmt.Errorf("store: create incident: %w", err)
	}
	if !validJSON(in.Facts) {
		return Incident{}, fmt.Errorf("store: create incident: facts are not valid JSON: %w", ErrInvalid)
	}
	in.ID = newID()
	in.CreatedAt = now()
	in.UpdatedAt = in.CreatedAt
	in.ClosedAt = time.Time{}
	if in.State == StateClosed {
		in.ClosedAt = in.CreatedAt
	}
	in.Version = 1
	in.Sectors, in.Regimes = splitCodes(sectors), splitCodes(regimes)

	scope := memberState + "-" + strconv.Itoa(in.CreatedAt.Year())
	var n int64
	err = tx.queryRow(ctx, `
		INSERT INTO reference_counters (scope, last_value) VALUES (?, 1)
		ON CONFLICT (scope) DO UPDATE SET last_value = reference_counters.last_value + 1
		RETURNING last_value`, scope).Scan(&n)
	if err != nil {
		return Incident{}, fmt.Errorf("store: create incident: reference: %w", err)
	}
	in.Reference = fmt.Sprintf("%s-%06d", scope, n)

	_, err = tx.exec(ctx, `
		INSERT INTO incidents (id, organisation_id, reference, kind, title, state, facts, sectors, regimes,
			assigned_user_id, assigned_team_id, rsit, tlp, impact_severity, impact_outlook,
			created_at, updated_at, closed_at, version)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		in.ID, in.OrganisationID, in.Reference, string(in.Kind), in.Title, string(in.State), string(in.Facts),
		sectors, regimes, nullString(in.AssignedUserID), nullString(in.AssignedTeamID), in.RSIT, in.TLP,
		in.ImpactSeverity, in.ImpactOutlook, in.CreatedAt, in.UpdatedAt, nullTime(in.ClosedAt), in.Version)
	if err != nil {
		return Incident{}, fmt.Errorf("store: create incident: %w", classify(err))
	}
	return in, nil
}

// CreateIncident stores a new incident in its own transaction; see
// (*Tx).CreateIncident.
func (db *DB) CreateIncident(ctx context.Context, memberState string, in Incident) (Incident, error) {
	return transact(ctx, db, func(tx *Tx) (Incident, error) { return tx.CreateIncident(ctx, memberState, in) })
}

// UpdateIncident writes in over the stored incident with the same ID and
// OrganisationID, if the stored Version still equals in.Version, and
// returns the incident as stored, with Version incremented. Reference and
// CreatedAt never change. Moving to StateClosed sets ClosedAt (once);
// leaving it clears ClosedAt.
//
// An incident that does not exist or belongs to another organisation is
// ErrNotFound; one changed since in.Version was read is ErrConflict. Facts
// must be given (a partial Incident, such as a list item, would erase
// them): empty Facts are ErrInvalid.
func (tx *Tx) UpdateIncident(ctx context.Context, in Incident) (Incident, error) {
	if len(in.Facts) == 0 || !validJSON(in.Facts) {
		return Incident{}, fmt.Errorf("store: update incident %s: facts are missing or not valid JSON: %w", in.ID, ErrInvalid)
	}
	sectors, regimes, err := incidentCodes(in)
	if err != nil {
		return Incident{}, fmt.Errorf("store: update incident %s: %w", in.ID, err)
	}
	if in.TLP == "" {
		in.TLP = DefaultTLP
	}
	ts := now()
	row := tx.queryRow(ctx, `
		UPDATE incidents SET kind = ?, title = ?, state = ?, facts = ?, sectors = ?, regimes = ?,
			assigned_user_id = ?, assigned_team_id = ?, rsit = ?, tlp = ?,
			impact_severity = ?, impact_outlook = ?, updated_at = ?,
			closed_at = CASE WHEN ? THEN coalesce(closed_at, ?) ELSE NULL END,
			version = version + 1
		WHERE id = ? AND organisation_id = ? AND version = ?
		RETURNING `+incidentColumns+`, facts`,
		string(in.Kind), in.Title, string(in.State), string(in.Facts), sectors, regimes,
		nullString(in.AssignedUserID), nullString(in.AssignedTeamID), in.RSIT, in.TLP,
		in.ImpactSeverity, in.ImpactOutlook, ts,
		in.State == StateClosed, ts,
		in.ID, in.OrganisationID, in.Version)
	var facts string
	out, err := scanIncident(row, &facts)
	if errors.Is(err, sql.ErrNoRows) {
		var v int64
		err = tx.queryRow(ctx, `SELECT version FROM incidents WHERE id = ? AND organisation_id = ?`,
			in.ID, in.OrganisationID).Scan(&v)
		if err == nil {
			err = fmt.Errorf("%w: incident is at version %d, not %d", ErrConflict, v, in.Version)
		}
	}
	if err != nil {
		return Incident{}, fmt.Errorf("store: update incident %s: %w", in.ID, classify(notFound(err)))
	}
	out.Facts = json.RawMessage(facts)
	return out, nil
}

// UpdateIncident updates an incident in its own transaction; see
// (*Tx).UpdateIncident.
func (db *DB) UpdateIncident(ctx context.Context, in Incident) (Incident, error) {
	return transact(ctx, db, func(tx *Tx) (Incident, error) { return tx.UpdateIncident(ctx, in) })
}

// incidentColumns are the columns scanIncident reads, facts excepted.
const incidentColumns = `id, organisation_id, reference, kind, title, state, sectors, regimes,
	assigned_user_id, assigned_team_id, rsit, tlp, impact_severity, impact_outlook,
	created_at, updated_at, closed_at, version`

// scanIncident scans incidentColumns followed by extra.
func scanIncident(row scanner, extra ...any) (Incident, error) {
	var (
		in                     Incident
		kind, state            string
		sectors, regimes       string
		assignedUser, assigned sql.NullString
	)
	dest := []any{&in.ID, &in.OrganisationID, &in.Reference, &kind, &in.Title, &state, &sectors, &regimes,
		&assignedUser, &assigned, &in.RSIT, &in.TLP, &in.ImpactSeverity, &in.ImpactOutlook,
		scanTime(&in.CreatedAt), scanTime(&in.UpdatedAt), scanTime(&in.ClosedAt), &in.Version}
	if err := row.Scan(append(dest, extra...)...); err != nil {
		return Incident{}, err
	}
	in.Kind, in.State = IncidentKind(kind), IncidentState(state)
	in.Sectors, in.Regimes = splitCodes(sectors), splitCodes(regimes)
	in.AssignedUserID, in.AssignedTeamID = assignedUser.String, assigned.String
	return in, nil
}

func getIncident(ctx context.Context, c conn, orgID, id string, scoped bool) (Incident, error) {
	q := `SELECT ` + incidentColumns + `, facts FROM incidents WHERE id = ?`
	args := []any{id}
	if scoped {
		q += ` AND organisation_id = ?`
		args = append(args, orgID)
	}
	var facts string
	in, err := scanIncident(c.queryRow(ctx, q, args...), &facts)
	if err != nil {
		return Incident{}, fmt.Errorf("store: get incident %s: %w", id, notFound(err))
	}
	in.Facts = json.RawMessage(facts)
	return in, nil
}

// GetIncident returns the incident with the given id, whichever
// organisation reported it — for the authority. Use GetIncidentForOrg on
// behalf of an entity.
func (db *DB) GetIncident(ctx context.Context, id string) (Incident, error) {
	return getIncident(ctx, db.reader(), "", id, false)
}

// GetIncidentForOrg returns the incident with the given id if orgID
// reported it. Another organisation's incident is ErrNotFound, like one
// that does not exist.
func (db *DB) GetIncidentForOrg(ctx context.Context, orgID, id string) (Incident, error) {
	return getIncident(ctx, db.reader(), orgID, id, true)
}

// GetIncident is (*DB).GetIncident inside the transaction.
func (tx *Tx) GetIncident(ctx context.Context, id string) (Incident, error) {
	return getIncident(ctx, tx.conn, "", id, false)
}

// GetIncidentForOrg is (*DB).GetIncidentForOrg inside the transaction.
func (tx *Tx) GetIncidentForOrg(ctx context.Context, orgID, id string) (Incident, error) {
	return getIncident(ctx, tx.conn, orgID, id, true)
}

// GetIncidentForUpdate is GetIncidentForOrg that also locks the incident
// (see LockIncident).
func (tx *Tx) GetIncidentForUpdate(ctx context.Context, orgID, id string) (Incident, error) {
	if err := tx.LockIncident(ctx, id); err != nil {
		return Incident{}, err
	}
	return getIncident(ctx, tx.conn, orgID, id, true)
}

// LockIncident locks the incident until tx ends, on PostgreSQL, so that
// the transactions that change an incident (its row, its submissions,
// timeline, assessment or reminders) queue up one behind the other. Each
// of them takes this lock before any other row lock: then none waits for
// another while holding a lock that one needs (a deadlock). On SQLite it
// does nothing: the write transaction holds the whole database. An
// unknown incident is ErrNotFound on PostgreSQL.
func (tx *Tx) LockIncident(ctx context.Context, id string) error {
	if !tx.d.postgres() {
		return nil
	}
	var got string
	if err := tx.queryRow(ctx, `SELECT id FROM incidents WHERE id = ? FOR UPDATE`, id).Scan(&got); err != nil {
		return fmt.Errorf("store: lock incident %s: %w", id, notFound(err))
	}
	return nil
}

// IncidentFilter selects the incidents ListIncidents returns. The zero
// value selects every incident.
type IncidentFilter struct {
	OrganisationID string          // the reporting entity; empty: every organisation
	States         []IncidentState // any of these; empty: any state
	Kinds          []IncidentKind  // any of these; empty: any kind
	AssignedUserID string
	AssignedTeamID string
	Sector         string // a code in Sectors
	Regime         string // a code in Regimes
	// Overdue keeps only incidents whose latest assessment found an overdue
	// obligation of the entity, or whose next due instant has passed by Now.
	Overdue bool
	Now     time.Time // for Overdue; zero: the store's clock
	// After is the cursor ListIncidents returned with the previous page:
	// the list continues after that page's last incident.
	After string
}

// IncidentListItem is an incident in a list, with the due instants of its
// latest assessment. Its Facts are not loaded.
type IncidentListItem struct {
	Incident
	NextDueAt          time.Time // zero: no open obligation of the entity, or not assessed
	Overdue            bool
	AuthorityNextDueAt time.Time
}

// ListIncidents returns the incidents f selects, those with the earliest
// next due instant first, then those without one, each group oldest first.
// At most p.Limit incidents (at most MaxPageSize) are returned, after
// skipping p.Offset of them. When more follow, next is the cursor to pass in
// f.After for the next page; at the end it is empty. A malformed cursor is
// ErrInvalid.
func (db *DB) ListIncidents(ctx context.Context, f IncidentFilter, p Page) (items []IncidentListItem, next string, err error) {
	limit, offset := p.bounds()
	for _, code := range []string{f.Sector, f.Regime} {
		if strings.ContainsFunc(code, unicode.IsSpace) {
			return nil, "", fmt.Errorf("store: list incidents: code %q: %w", code, ErrInvalid)
		}
	}
	var (
		where []string
		args  []any
	)
	cond := func(c string, a ...any) {
		where = append(where, c)
		args = append(args, a...)
	}
	if f.OrganisationID != "" {
		cond(`i.organisation_id = ?`, f.OrganisationID)
	}
	if len(f.States) > 0 {
		cond(`i.state IN (`+placeholders(len(f.States))+`)`, anySlice(f.States)...)
	}
	if len(f.Kinds) > 0 {
		cond(`i.kind IN (`+placeholders(len(f.Kinds))+`)`, anySlice(f.Kinds)...)
	}
	if f.AssignedUserID != "" {
		cond(`i.assigned_user_id = ?`, f.AssignedUserID)
	}
	if f.AssignedTeamID != "" {
		cond(`i.assigned_team_id = ?`, f.AssignedTeamID)
	}
	// Codes are stored space-separated; padding both sides with spaces
	// matches whole codes only.
	if f.Sector != "" {
		cond(db.d.contains(`' ' || i.sectors || ' '`, `?`), " "+f.Sector+" ")
	}
	if f.Regime != "" {
		cond(db.d.contains(`' ' || i.regimes || ' '`, `?`), " "+f.Regime+" ")
	}
	if f.Overdue {
		at := f.Now
		if at.IsZero() {
			at = now()
		}
		cond(overdueCondition, true, at)
	}
	if f.After != "" {
		c, err := parseIncidentCursor(f.After)
		if err != nil {
			return nil, "", fmt.Errorf("store: list incidents: %w", err)
		}
		// The position after c in the order (next_due_at NULLS LAST,
		// created_at, id).
		if c.due.IsZero() {
			cond(`(a.next_due_at IS NULL AND (i.created_at > ? OR (i.created_at = ? AND i.id > ?)))`,
				c.created, c.created, c.id)
		} else {
			cond(`(a.next_due_at > ? OR a.next_due_at IS NULL OR
				(a.next_due_at = ? AND (i.created_at > ? OR (i.created_at = ? AND i.id > ?))))`,
				c.due, c.due, c.created, c.created, c.id)
		}
	}
	q := `SELECT ` + qualify("i", incidentColumns) + `, a.next_due_at, a.overdue, a.authority_next_due_at
		FROM incidents i LEFT JOIN incident_assessments a ON a.incident_id = i.id`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	q += ` ORDER BY a.next_due_at NULLS LAST, i.created_at, i.id` + db.d.limitOffset()
	args = append(args, limit+1, offset)
	items, err = queryAll(ctx, db.reader(), scanIncidentListItem, q, args...)
	if err != nil {
		return nil, "", fmt.Errorf("store: list incidents: %w", err)
	}
	if len(items) > limit {
		items = items[:limit]
		last := items[limit-1]
		next = incidentCursor{due: last.NextDueAt, created: last.CreatedAt, id: last.ID}.String()
	}
	return items, next, nil
}

func scanIncidentListItem(row scanner) (IncidentListItem, error) {
	var (
		it      IncidentListItem
		overdue sql.NullBool
	)
	in, err := scanIncident(row, scanTime(&it.NextDueAt), &overdue, scanTime(&it.AuthorityNextDueAt))
	it.Incident = in
	it.Overdue = overdue.Bool
	return it, err
}

// incidentCursor is a position in ListIncidents' order.
type incidentCursor struct {
	due     time.Time // zero: NULL
	created time.Time
	id      string
}

// String encodes c as an opaque, URL-safe token.
func (c incidentCursor) String() string {
	due := ""
	if !c.due.IsZero() {
		due = storedTime(c.due).Format(timeLayout)
	}
	s := "i1|" + due + "|" + storedTime(c.created).Format(timeLayout) + "|" + c.id
	return base64.RawURLEncoding.EncodeToString([]byte(s))
}

func parseIncidentCursor(s string) (incidentCursor, error) {
	bad := fmt.Errorf("malformed cursor: %w", ErrInvalid)
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return incidentCursor{}, bad
	}
	parts := strings.Split(string(b), "|")
	if len(parts) != 4 || parts[0] != "i1" || parts[3] == "" {
		return incidentCursor{}, bad
	}
	var c incidentCursor
	if parts[1] != "" {
		if c.due, err = time.Parse(timeLayout, parts[1]); err != nil {
			return incidentCursor{}, bad
		}
	}
	if c.created, err = time.Parse(timeLayout, parts[2]); err != nil {
		return incidentCursor{}, bad
	}
	c.id = parts[3]
	return c, nil
}

// incidentCodes checks in's Kind, State, Sectors and Regimes and returns the
// codes as stored.
func incidentCodes(in Incident) (sectors, regimes string, err error) {
	switch in.Kind {
	case KindIncident, KindNearMiss, KindCyberThreat:
	default:
		return "", "", fmt.Errorf("kind %q: %w", in.Kind, ErrInvalid)
	}
	switch in.State {
	case StateReceived, StateTriaged, StateInProgress, StateClosed:
	default:
		return "", "", fmt.Errorf("state %q: %w", in.State, ErrInvalid)
	}
	if sectors, err = joinCodes("sector", in.Sectors); err != nil {
		return "", "", err
	}
	if regimes, err = joinCodes("regime", in.Regimes); err != nil {
		return "", "", err
	}
	return sectors, regimes, nil
}

// joinCodes joins codes with single spaces, dropping repeats. A code that is
// empty or contains white space is ErrInvalid.
func joinCodes(what string, codes []string) (string, error) {
	seen := make(map[string]bool, len(codes))
	out := make([]string, 0, len(codes))
	for _, c := range codes {
		if c == "" || strings.ContainsFunc(c, unicode.IsSpace) {
			return "", fmt.Errorf("%s code %q: %w", what, c, ErrInvalid)
		}
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return strings.Join(out, " "), nil
}

// splitCodes is the inverse of joinCodes; no codes is nil.
func splitCodes(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Fields(s)
}

func isUpper(c byte) bool { return 'A' <= c && c <= 'Z' }

// nullString maps the empty string to SQL NULL.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// placeholders returns n comma-separated question marks.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// anySlice converts a slice of string-like values to query arguments.
func anySlice[S ~string](vs []S) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// qualify prefixes each column of a comma-separated list with alias.
func qualify(alias, columns string) string {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = alias + "." + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}
