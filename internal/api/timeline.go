package api

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"strings"
	"time"

	"github.com/nisnet-eu/nisnet/internal/incident"
	"github.com/nisnet-eu/nisnet/internal/rules"
	"github.com/nisnet-eu/nisnet/internal/store"
)

// An incident's timeline holds what happened to it besides its reports:
// messages between the entity and the authority, the authority's internal
// notes (never shown to the entity), changes of state, assignment and
// classification, the authority's requests and feedback.

// HandlingEndedRequest says when the entity's handling of an incident
// ended (NIS2 Art 23(4)(e)); it moves a deferred final report's clock.
type HandlingEndedRequest struct {
	HandlingEndedAt time.Time `json:"handling_ended_at"`
}

// TextRequest carries a message, a note or feedback.
type TextRequest struct {
	Text string `json:"text"` // at most 20000 bytes
}

// IntermediateReportRequest asks the entity for an intermediate report
// (NIS2 Art 23(4)(c), CRA Art 14(6)).
type IntermediateReportRequest struct {
	Regime string `json:"regime"` // nis2 or cra
	// DueAt is when the report is due; without it the request sets no
	// deadline (the law sets none).
	DueAt   *time.Time `json:"due_at,omitempty"`
	Message string     `json:"message,omitempty"`
}

// TextBody is the timeline body of a message, note or feedback: the text
// and the side that wrote it ("entity" or "authority").
type TextBody struct {
	Text string `json:"text"`
	From string `json:"from"`
}

func side(p *Principal) string {
	if p.Authority() {
		return "authority"
	}
	return "entity"
}

// handlingEnded is POST /api/v1/incidents/{id}/handling-ended (entity
// roles).
func (s *Server) handlingEnded(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	inc, err := s.visibleIncidentFor(r, entityRoles...)
	if err != nil {
		return err
	}
	var req HandlingEndedRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	var fe fieldErrors
	at := req.HandlingEndedAt.UTC()
	var facts rules.Facts
	if err := json.Unmarshal(inc.Facts, &facts); err != nil {
		return fmt.Errorf("api: stored facts of incident %s: %w", inc.ID, err)
	}
	switch aware := facts.Incident.AwareAt; {
	case at.IsZero():
		fe.add("handling_ended_at", "required: when the handling of the incident ended (RFC 3339)")
	case at.After(time.Now()):
		fe.add("handling_ended_at", "must not be in the future")
	case aware != nil && at.Before(*aware):
		fe.add("handling_ended_at", "must not be before the entity became aware of the incident ("+aware.UTC().Format(time.RFC3339)+")")
	}
	if err := fe.err(); err != nil {
		return err
	}
	p := principal(r)
	body, _ := json.Marshal(incident.HandlingBody{HandlingEndedAt: at})
	out, err := s.addEvent(ctx, p, inc, store.IncidentEvent{Kind: store.EventState, Visibility: store.VisibilityShared, Body: body},
		"incident.handling_ended", map[string]any{"handling_ended_at": at.Format(time.RFC3339)}, nil)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, out)
	return nil
}

// postMessage is POST /api/v1/incidents/{id}/messages (both sides): a
// message shown to both, and a notification for the other side.
func (s *Server) postMessage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	inc, err := s.visibleIncident(r)
	if err != nil {
		return err
	}
	text, err := decodeText(w, r)
	if err != nil {
		return err
	}
	p := principal(r)
	recipient := inc.OrganisationID
	if !p.Authority() {
		a, err := s.DB.AuthorityOrganisation(ctx)
		if err != nil {
			return err
		}
		recipient = a.ID
	}
	body, _ := json.Marshal(TextBody{Text: text, From: side(p)})
	note := &store.Notification{OrganisationID: recipient, IncidentID: inc.ID, Kind: store.NotifyMessage,
		Message: "New message on incident " + inc.Reference}
	var e store.IncidentEvent
	err = s.transact(ctx, func(tx *store.Tx) error {
		var err error
		e, err = s.writeEvent(ctx, tx, p, inc, store.IncidentEvent{Kind: store.EventMessage, Visibility: store.VisibilityShared, Body: body},
			"incident.message", map[string]any{"length": len(text)}, note)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, timelineEntryOf(e))
	return nil
}

// postNote is POST /api/v1/incidents/{id}/notes (authority roles): an
// internal note, never shown to the entity.
func (s *Server) postNote(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	inc, err := s.visibleIncidentFor(r, authorityRoles...)
	if err != nil {
		return err
	}
	text, err := decodeText(w, r)
	if err != nil {
		return err
	}
	p := principal(r)
	body, _ := json.Marshal(TextBody{Text: text, From: side(p)})
	var e store.IncidentEvent
	err = s.transact(ctx, func(tx *store.Tx) error {
		var err error
		e, err = s.writeEvent(ctx, tx, p, inc, store.IncidentEvent{Kind: store.EventNote, Visibility: store.VisibilityAuthority, Body: body},
			"incident.note", map[string]any{"length": len(text)}, nil)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, timelineEntryOf(e))
	return nil
}

// requestIntermediate is POST /api/v1/incidents/{id}/intermediate-requests
// (authority roles): the entity then owes an intermediate report, due when
// the request says.
func (s *Server) requestIntermediate(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	inc, err := s.visibleIncidentFor(r, authorityRoles...)
	if err != nil {
		return err
	}
	var req IntermediateReportRequest
	if err := decodeJSONLimit(w, r, &req, maxTextBodyBytes); err != nil {
		return err
	}
	var fe fieldErrors
	if req.Regime != "nis2" && req.Regime != "cra" {
		fe.add("regime", "required: nis2 (NIS2 Art 23(4)(c)) or cra (CRA Art 14(6))")
	}
	var due *time.Time
	if req.DueAt != nil {
		d := req.DueAt.UTC()
		switch {
		case !d.After(time.Now()):
			fe.add("due_at", "must be in the future")
		case d.Year() > 2200:
			fe.add("due_at", "must be before the year 2200")
		}
		due = &d
	}
	fe.checkText("message", req.Message, maxTextBytes, true)
	if err := fe.err(); err != nil {
		return err
	}
	p := principal(r)
	body, _ := json.Marshal(incident.RequestBody{Regime: req.Regime, DueAt: due, Message: req.Message})
	msg := fmt.Sprintf("The authority requests an intermediate report (%s) on incident %s", strings.ToUpper(req.Regime), inc.Reference)
	note := &store.Notification{OrganisationID: inc.OrganisationID, IncidentID: inc.ID, Obligation: req.Regime + ".intermediate",
		Kind: store.NotifyRequest, Message: msg}
	detail := map[string]any{"regime": req.Regime}
	if due != nil {
		note.DueAt = *due
		note.Message += ", due " + due.Format(time.RFC3339)
		detail["due_at"] = due.Format(time.RFC3339)
	}
	out, err := s.addEvent(ctx, p, inc, store.IncidentEvent{Kind: store.EventRequest, Visibility: store.VisibilityShared, Body: body},
		"incident.request", detail, note)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, out)
	return nil
}

// giveFeedback is POST /api/v1/incidents/{id}/feedback (authority roles):
// the authority's feedback to the entity, which fulfils its initial
// feedback duty (NIS2 Art 23(5)).
func (s *Server) giveFeedback(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	inc, err := s.visibleIncidentFor(r, authorityRoles...)
	if err != nil {
		return err
	}
	text, err := decodeText(w, r)
	if err != nil {
		return err
	}
	p := principal(r)
	body, _ := json.Marshal(TextBody{Text: text, From: side(p)})
	note := &store.Notification{OrganisationID: inc.OrganisationID, IncidentID: inc.ID, Kind: store.NotifyMessage,
		Message: "Feedback from the authority on incident " + inc.Reference}
	out, err := s.addEvent(ctx, p, inc, store.IncidentEvent{Kind: store.EventFeedback, Visibility: store.VisibilityShared, Body: body},
		"incident.feedback", map[string]any{"length": len(text)}, note)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, out)
	return nil
}

// addEvent writes a timeline entry that changes the assessment — with its
// audit record and notification — and reassesses the incident, in one
// transaction.
func (s *Server) addEvent(ctx context.Context, p *Principal, inc store.Incident, e store.IncidentEvent, action string, detail map[string]any, note *store.Notification) (EventResult, error) {
	var out EventResult
	err := s.transact(ctx, func(tx *store.Tx) error {
		e, err := s.writeEvent(ctx, tx, p, inc, e, action, detail, note)
		if err != nil {
			return err
		}
		cur, err := tx.GetIncident(ctx, inc.ID)
		if err != nil {
			return err
		}
		res, _, err := incident.Recompute(ctx, tx, s.Engine, s.Options, cur, time.Now())
		out = EventResult{Entry: timelineEntryOf(e), Assessment: res}
		return err
	})
	return out, err
}

// writeEvent writes a timeline entry, its audit record and, if note is
// not nil, a notification, inside tx.
func (s *Server) writeEvent(ctx context.Context, tx *store.Tx, p *Principal, inc store.Incident, e store.IncidentEvent, action string, detail map[string]any, note *store.Notification) (store.IncidentEvent, error) {
	e.IncidentID, e.Actor = inc.ID, p.Actor()
	e, err := tx.AddIncidentEvent(ctx, e)
	if err != nil {
		return e, err
	}
	if note != nil {
		if _, _, err := tx.CreateNotification(ctx, *note); err != nil {
			return e, err
		}
	}
	err = tx.Audit(ctx, store.AuditEvent{Actor: p.Actor(), OrganisationID: inc.OrganisationID, Action: action,
		ObjectType: "incident", ObjectID: inc.ID, Detail: withEvent(detail, e.ID)})
	return e, err
}

// withEvent adds the timeline entry's id to an audit detail.
func withEvent(detail map[string]any, eventID string) map[string]any {
	out := map[string]any{"event_id": eventID}
	maps.Copy(out, detail)
	return out
}

// decodeText reads a TextRequest and checks its text.
func decodeText(w http.ResponseWriter, r *http.Request) (string, error) {
	var req TextRequest
	if err := decodeJSONLimit(w, r, &req, maxTextBodyBytes); err != nil {
		return "", err
	}
	var fe fieldErrors
	fe.checkText("text", req.Text, maxTextBytes, false)
	return req.Text, fe.err()
}

// getTimeline is GET /api/v1/incidents/{id}/timeline, oldest first: for
// an entity the shared entries, for the authority all, its internal notes
// included (and the read is audited).
func (s *Server) getTimeline(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	inc, err := s.visibleIncident(r)
	if err != nil {
		return err
	}
	pg, err := pageParams(r)
	if err != nil {
		return err
	}
	p := principal(r)
	events, err := s.DB.ListIncidentEvents(ctx, inc.ID, p.Authority(), pg)
	if err != nil {
		return err
	}
	err = s.auditReads(ctx, p, store.AuditEvent{Action: "incident.read", OrganisationID: inc.OrganisationID,
		ObjectType: "incident", ObjectID: inc.ID, Detail: map[string]any{"view": "timeline", "entries": len(events)}})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pageOf(events, pg, timelineEntryOf))
	return nil
}
