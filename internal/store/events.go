package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// EventKind is what an entry of an incident's timeline records.
type EventKind string

const (
	EventMessage        EventKind = "message"        // a message between entity and authority
	EventNote           EventKind = "note"           // an internal note of the authority; always VisibilityAuthority
	EventState          EventKind = "state"          // the incident's state changed
	EventAssignment     EventKind = "assignment"     // the incident was (un)assigned
	EventClassification EventKind = "classification" // RSIT, TLP or impact changed
	EventRequest        EventKind = "request"        // the authority asked for information or a report
	EventFeedback       EventKind = "feedback"       // the authority's feedback to the entity
)

// Visibility says who may see a timeline entry.
type Visibility string

const (
	// VisibilityShared entries are shown to the entity and the authority.
	VisibilityShared Visibility = "shared"
	// VisibilityAuthority entries are internal to the authority and never
	// shown to the entity.
	VisibilityAuthority Visibility = "authority"
)

// IncidentEvent is an entry of an incident's timeline.
type IncidentEvent struct {
	ID         string
	IncidentID string
	At         time.Time // set by the store
	Actor      string    // user id, API token id or "system"
	Kind       EventKind
	// Visibility defaults to VisibilityAuthority: an entry is shown to the
	// entity only when the caller says so.
	Visibility Visibility
	Body       json.RawMessage // JSON; empty means {}
}

// AddIncidentEvent appends e to its incident's timeline and returns it with
// ID and At set. An unknown incident is ErrNotFound; an unknown kind or
// visibility, a shared note or a Body that is not valid JSON ErrInvalid.
func (tx *Tx) AddIncidentEvent(ctx context.Context, e IncidentEvent) (IncidentEvent, error) {
	if e.Visibility == "" {
		e.Visibility = VisibilityAuthority
	}
	if len(e.Body) == 0 {
		e.Body = json.RawMessage("{}")
	}
	if !validJSON(e.Body) {
		return IncidentEvent{}, fmt.Errorf("store: add incident event: body is not valid JSON: %w", ErrInvalid)
	}
	if e.Actor == "" {
		return IncidentEvent{}, fmt.Errorf("store: add incident event: actor is required: %w", ErrInvalid)
	}
	// The incident first (see LockIncident).
	if err := tx.LockIncident(ctx, e.IncidentID); err != nil && !errors.Is(err, ErrNotFound) {
		return IncidentEvent{}, fmt.Errorf("store: add incident event: %w", err)
	}
	e.ID = newID()
	e.At = now()
	_, err := tx.exec(ctx, `
		INSERT INTO incident_events (id, incident_id, at, actor, kind, visibility, body)
		VALUES (?, ?, ?, ?, ?, ?, ?)`,
		e.ID, e.IncidentID, e.At, e.Actor, string(e.Kind), string(e.Visibility), string(e.Body))
	if err != nil {
		return IncidentEvent{}, fmt.Errorf("store: add incident event: %w", classify(err))
	}
	return e, nil
}

// AddIncidentEvent appends a timeline entry in its own transaction; see
// (*Tx).AddIncidentEvent.
func (db *DB) AddIncidentEvent(ctx context.Context, e IncidentEvent) (IncidentEvent, error) {
	return transact(ctx, db, func(tx *Tx) (IncidentEvent, error) { return tx.AddIncidentEvent(ctx, e) })
}

func scanIncidentEvent(row scanner) (IncidentEvent, error) {
	var (
		e                      IncidentEvent
		kind, visibility, body string
	)
	err := row.Scan(&e.ID, &e.IncidentID, scanTime(&e.At), &e.Actor, &kind, &visibility, &body)
	e.Kind, e.Visibility, e.Body = EventKind(kind), Visibility(visibility), json.RawMessage(body)
	return e, err
}

// ListIncidentEvents returns an incident's timeline, oldest first. Entries
// visible to the authority only are included only if includeAuthorityOnly
// is true: pass false on behalf of the entity.
func (db *DB) ListIncidentEvents(ctx context.Context, incidentID string, includeAuthorityOnly bool, p Page) ([]IncidentEvent, error) {
	return listIncidentEvents(ctx, db.reader(), incidentID, includeAuthorityOnly, p)
}

// ListIncidentEvents is the read inside a write transaction, for
// read-modify-write (it sees the transaction's own writes).
func (tx *Tx) ListIncidentEvents(ctx context.Context, incidentID string, includeAuthorityOnly bool, p Page) ([]IncidentEvent, error) {
	return listIncidentEvents(ctx, tx.conn, incidentID, includeAuthorityOnly, p)
}

func listIncidentEvents(ctx context.Context, c conn, incidentID string, includeAuthorityOnly bool, p Page) ([]IncidentEvent, error) {
	limit, offset := p.bounds()
	q := `SELECT id, incident_id, at, actor, kind, visibility, body FROM incident_events WHERE incident_id = ?`
	args := []any{incidentID}
	if !includeAuthorityOnly {
		q += ` AND visibility = ?`
		args = append(args, string(VisibilityShared))
	}
	q += ` ORDER BY at, id` + c.d.limitOffset()
	args = append(args, limit, offset)
	out, err := queryAll(ctx, c, scanIncidentEvent, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list incident events: %w", err)
	}
	return out, nil
}
