package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/nisnet-eu/nisnet/internal/auth"
	"github.com/nisnet-eu/nisnet/internal/federation"
	"github.com/nisnet-eu/nisnet/internal/rules"
	"github.com/nisnet-eu/nisnet/internal/stix"
	"github.com/nisnet-eu/nisnet/internal/stix/pattern"
	"github.com/nisnet-eu/nisnet/internal/store"
)

// ShareRequest asks to share an incident with an audience.
type ShareRequest struct {
	// Audience: "network" (the EU CSIRTs network), "group:<name>",
	// "peer:<name>" or "public".
	Audience string `json:"audience"`
}

// Share is an incident shared with an audience.
type Share struct {
	Audience  string     `json:"audience"`
	SharedBy  string     `json:"shared_by"`
	SharedAt  time.Time  `json:"shared_at"`
	RevokedBy string     `json:"revoked_by,omitempty"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
	// SyncedAt is the latest change of the incident its shared STIX
	// objects reflect.
	SyncedAt time.Time `json:"synced_at"`
	// Deliveries are the pushes of the incident's latest STIX version to
	// each recipient peer.
	Deliveries []ShareDelivery `json:"deliveries"`
}

// ShareDelivery is the state of the push of an incident's latest version to
// one peer.
type ShareDelivery struct {
	Peer      string     `json:"peer"`
	State     string     `json:"state"` // pending, delivered or rejected
	Attempts  int        `json:"attempts"`
	LastError string     `json:"last_error,omitempty"`
	Delivered *time.Time `json:"delivered_at,omitempty"`
}

// ShareResult is what a share or revocation did.
type ShareResult struct {
	Share Share `json:"share"`
	// Objects is the number of new STIX object versions it stored.
	Objects int `json:"objects"`
	// Peers are the peers they were queued for.
	Peers []string `json:"peers"`
}

// AudienceInfo is an audience this node can share with.
type AudienceInfo struct {
	Audience string `json:"audience"`
	Kind     string `json:"kind"`
	// Peers receive what is shared with it by push; the public collection
	// is pulled by anyone.
	Peers []string `json:"peers"`
}

// IndicatorRequest adds an indicator of compromise to an incident.
type IndicatorRequest struct {
	Name string `json:"name,omitempty"`
	// Pattern in the STIX 2.1 patterning language (§9), e.g.
	// [ipv4-addr:value = '198.51.100.7'].
	Pattern string `json:"pattern"`
	// PatternType: "stix" (default; the pattern is checked), or another
	// language of the STIX pattern-type vocabulary (snort, suricata, sigma,
	// yara, pcre, spl), stored as given.
	PatternType string     `json:"pattern_type,omitempty"`
	ValidFrom   *time.Time `json:"valid_from,omitempty"` // default: now
}

// Indicator is an indicator of compromise of an incident.
type Indicator struct {
	ID          string    `json:"id"`
	Name        string    `json:"name,omitempty"`
	Pattern     string    `json:"pattern"`
	PatternType string    `json:"pattern_type"`
	ValidFrom   time.Time `json:"valid_from"`
	CreatedBy   string    `json:"created_by"`
	CreatedAt   time.Time `json:"created_at"`
}

// ReceivedObject is the latest version of a STIX object received from a
// peer.
type ReceivedObject struct {
	ID   string `json:"id"`
	Type string `json:"type"`
	// Name is the object's name, if it has one.
	Name      string          `json:"name,omitempty"`
	Version   string          `json:"version,omitempty"`
	TLP       string          `json:"tlp,omitempty"`
	Revoked   bool            `json:"revoked"`
	From      string          `json:"from"` // the peer it was received from
	CreatedBy string          `json:"created_by,omitempty"`
	Received  time.Time       `json:"received_at"`
	Seq       int64           `json:"seq"`
	Object    json.RawMessage `json:"object"`
}

// ReceivedPage is a page of received objects, newest first.
type ReceivedPage struct {
	Items []ReceivedObject `json:"items"`
	// Before is the value of the before parameter of the next page; absent
	// on the last page.
	Before *int64 `json:"before,omitempty"`
}

// errNoFederation answers the federation routes of a node built without it.
var errNoFederation = &Error{Status: http.StatusNotFound, Code: "not_found", Message: "federation is not enabled on this node"}

// federationError maps the federation's refusals to answers.
func federationError(err error) error {
	switch {
	case errors.Is(err, federation.ErrForbidden):
		return &Error{Status: http.StatusConflict, Code: "tlp_forbids", Message: err.Error()}
	case errors.Is(err, federation.ErrUnknownAudience):
		return errInvalid(err.Error(), rules.FieldError{Field: "audience", Message: err.Error()})
	case errors.Is(err, federation.ErrNotReceived):
		return &Error{Status: http.StatusNotFound, Code: "not_found", Message: err.Error()}
	}
	return err
}

// shareIncident is POST /api/v1/incidents/{id}/shares (authority roles).
func (s *Server) shareIncident(w http.ResponseWriter, r *http.Request) error {
	if s.Federation == nil {
		return errNoFederation
	}
	inc, err := s.visibleIncidentFor(r, authorityRoles...)
	if err != nil {
		return err
	}
	var req ShareRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	res, err := s.Federation.Share(r.Context(), principal(r).Actor(), inc.ID, req.Audience)
	if err != nil {
		return federationError(err)
	}
	out, err := s.shareResultOf(r, inc, res)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, out)
	return nil
}

// revokeShare is DELETE /api/v1/incidents/{id}/shares/{audience}.
func (s *Server) revokeShare(w http.ResponseWriter, r *http.Request) error {
	if s.Federation == nil {
		return errNoFederation
	}
	inc, err := s.visibleIncidentFor(r, authorityRoles...)
	if err != nil {
		return err
	}
	res, err := s.Federation.Revoke(r.Context(), principal(r).Actor(), inc.ID, r.PathValue("audience"))
	if err != nil {
		return federationError(err)
	}
	out, err := s.shareResultOf(r, inc, res)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) shareResultOf(r *http.Request, inc store.Incident, res federation.ShareResult) (ShareResult, error) {
	sh, err := s.shareOf(r, inc, res.Share)
	peers := res.Peers
	if peers == nil {
		peers = []string{}
	}
	return ShareResult{Share: sh, Objects: res.Objects, Peers: peers}, err
}

func (s *Server) shareOf(r *http.Request, inc store.Incident, sh store.Share) (Share, error) {
	out := Share{Audience: sh.Audience, SharedBy: sh.SharedBy, SharedAt: sh.SharedAt, RevokedBy: sh.RevokedBy, SyncedAt: sh.SyncedAt,
		Deliveries: []ShareDelivery{}}
	if !sh.RevokedAt.IsZero() {
		out.RevokedAt = &sh.RevokedAt
	}
	ds, err := s.Federation.IncidentDeliveries(r.Context(), inc.ID, sh.Audience)
	if err != nil {
		return out, err
	}
	for _, d := range ds {
		sd := ShareDelivery{Peer: d.Peer, State: d.State, Attempts: d.Attempts, LastError: d.LastError}
		if !d.DeliveredAt.IsZero() {
			sd.Delivered = &d.DeliveredAt
		}
		out.Deliveries = append(out.Deliveries, sd)
	}
	return out, nil
}

// listShares is GET /api/v1/incidents/{id}/shares (authority roles).
func (s *Server) listShares(w http.ResponseWriter, r *http.Request) error {
	if s.Federation == nil {
		return errNoFederation
	}
	inc, err := s.visibleIncidentFor(r, authorityRoles...)
	if err != nil {
		return err
	}
	shares, err := s.DB.ListShares(r.Context(), inc.ID)
	if err != nil {
		return err
	}
	out := []Share{}
	for _, sh := range shares {
		v, err := s.shareOf(r, inc, sh)
		if err != nil {
			return err
		}
		out = append(out, v)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// listAudiences is GET /api/v1/federation/audiences (authority roles).
func (s *Server) listAudiences(w http.ResponseWriter, r *http.Request) error {
	if err := requireRole(r.Context(), authorityRoles...); err != nil {
		return err
	}
	if s.Federation == nil {
		return errNoFederation
	}
	out := []AudienceInfo{}
	cfg := s.Federation.Config()
	for _, a := range s.Federation.Audiences() {
		info := AudienceInfo{Audience: a.String(), Kind: a.Kind, Peers: []string{}}
		for _, p := range cfg.Members(a) {
			info.Peers = append(info.Peers, p.Name)
		}
		out = append(out, info)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// listPeers is GET /api/v1/federation/peers (authority roles).
func (s *Server) listPeers(w http.ResponseWriter, r *http.Request) error {
	if err := requireRole(r.Context(), authorityRoles...); err != nil {
		return err
	}
	if s.Federation == nil {
		return errNoFederation
	}
	ps, err := s.Federation.Peers(r.Context())
	if err != nil {
		return err
	}
	if ps == nil {
		ps = []federation.PeerStatus{}
	}
	writeJSON(w, http.StatusOK, ps)
	return nil
}

// listReceived is GET /api/v1/federation/received (authority roles): the
// latest version of each object received from peers, newest first.
func (s *Server) listReceived(w http.ResponseWriter, r *http.Request) error {
	if err := requireRole(r.Context(), authorityRoles...); err != nil {
		return err
	}
	if s.Federation == nil {
		return errNoFederation
	}
	q := r.URL.Query()
	var types []string
	for _, t := range strings.Split(q.Get("type"), ",") {
		if t == "" {
			continue
		}
		if !stix.ValidType(t) {
			return errInvalid("type: " + t + " is not a STIX type name")
		}
		types = append(types, t)
	}
	var before int64
	if v := q.Get("before"); v != "" {
		var err error
		if before, err = strconv.ParseInt(v, 10, 64); err != nil || before < 1 {
			return errInvalid("before must be the before of the previous page",
				rules.FieldError{Field: "before", Message: "not a page cursor"})
		}
	}
	limit, err := limitParam(r)
	if err != nil {
		return err
	}
	rows, err := s.DB.LatestObjects(r.Context(), s.Federation.Inbox().ID, types, before, limit+1)
	if err != nil {
		return err
	}
	out := ReceivedPage{Items: []ReceivedObject{}}
	if len(rows) > limit {
		rows = rows[:limit]
		last := rows[len(rows)-1].Seq
		out.Before = &last
	}
	for _, o := range rows {
		out.Items = append(out.Items, receivedOf(o))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func receivedOf(o store.StixObject) ReceivedObject {
	var named struct {
		Name string `json:"name"`
	}
	_ = json.Unmarshal(o.Body, &named)
	return ReceivedObject{ID: o.StixID, Type: o.Type, Name: named.Name, Version: o.Version, TLP: o.TLP, Revoked: o.Revoked,
		From: o.Origin, CreatedBy: o.CreatedByRef, Received: o.DateAdded, Seq: o.Seq, Object: o.Body}
}

// getReceived is GET /api/v1/federation/received/{stix_id}.
func (s *Server) getReceived(w http.ResponseWriter, r *http.Request) error {
	if err := requireRole(r.Context(), authorityRoles...); err != nil {
		return err
	}
	if s.Federation == nil {
		return errNoFederation
	}
	o, err := s.DB.GetLatestObject(r.Context(), s.Federation.Inbox().ID, r.PathValue("stix_id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, receivedOf(o))
	return nil
}

// forwardReceived is POST /api/v1/federation/received/{stix_id}/forward.
func (s *Server) forwardReceived(w http.ResponseWriter, r *http.Request) error {
	if err := requireRole(r.Context(), authorityRoles...); err != nil {
		return err
	}
	if s.Federation == nil {
		return errNoFederation
	}
	var req ShareRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	res, err := s.Federation.Forward(r.Context(), principal(r).Actor(), r.PathValue("stix_id"), req.Audience)
	if err != nil {
		return federationError(err)
	}
	peers := res.Peers
	if peers == nil {
		peers = []string{}
	}
	writeJSON(w, http.StatusCreated, ShareResult{Share: Share{Audience: res.Share.Audience, SharedBy: res.Share.SharedBy,
		SharedAt: res.Share.SharedAt, Deliveries: []ShareDelivery{}}, Objects: res.Objects, Peers: peers})
	return nil
}

// maxPatternBytes bounds an indicator's pattern.
const maxPatternBytes = 16 << 10

// addIndicator is POST /api/v1/incidents/{id}/indicators: the entity or
// the authority adds an indicator of compromise.
func (s *Server) addIndicator(w http.ResponseWriter, r *http.Request) error {
	inc, err := s.visibleIncidentFor(r, append(append([]store.Role{}, entityRoles...), authorityRoles...)...)
	if err != nil {
		return err
	}
	var req IndicatorRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	var fe fieldErrors
	fe.checkName("name", req.Name, true)
	if req.PatternType == "" {
		req.PatternType = "stix"
	}
	switch req.PatternType {
	case "stix":
		if len(req.Pattern) > maxPatternBytes {
			fe.add("pattern", "longer than 16 KiB")
		} else if _, err := pattern.Parse(req.Pattern); err != nil {
			fe.add("pattern", err.Error())
		}
	case "pcre", "sigma", "snort", "suricata", "yara", "spl":
		if strings.TrimSpace(req.Pattern) == "" || len(req.Pattern) > maxPatternBytes {
			fe.add("pattern", "required, at most 16 KiB")
		}
	default:
		fe.add("pattern_type", "want stix, pcre, sigma, snort, suricata, yara or spl")
	}
	if err := fe.err(); err != nil {
		return err
	}
	now := time.Now()
	validFrom := now
	if req.ValidFrom != nil {
		validFrom = *req.ValidFrom
	}
	p := principal(r)
	var in store.Indicator
	err = s.transact(r.Context(), func(tx *store.Tx) error {
		var err error
		in, err = tx.AddIndicator(r.Context(), store.Indicator{IncidentID: inc.ID, Name: req.Name, Pattern: req.Pattern,
			PatternType: req.PatternType, ValidFrom: validFrom, CreatedBy: p.Actor()})
		if err != nil {
			return err
		}
		return tx.Audit(r.Context(), store.AuditEvent{Actor: p.Actor(), OrganisationID: inc.OrganisationID, Action: "incident.indicator",
			ObjectType: "incident", ObjectID: inc.ID, Detail: map[string]any{"indicator_id": in.ID, "pattern_type": in.PatternType}})
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, indicatorOf(in))
	return nil
}

func indicatorOf(in store.Indicator) Indicator {
	return Indicator{ID: in.ID, Name: in.Name, Pattern: in.Pattern, PatternType: in.PatternType, ValidFrom: in.ValidFrom,
		CreatedBy: in.CreatedBy, CreatedAt: in.CreatedAt}
}

// listIndicators is GET /api/v1/incidents/{id}/indicators.
func (s *Server) listIndicators(w http.ResponseWriter, r *http.Request) error {
	inc, err := s.visibleIncident(r)
	if err != nil {
		return err
	}
	ins, err := s.DB.ListIndicators(r.Context(), inc.ID)
	if err != nil {
		return err
	}
	out := []Indicator{}
	for _, in := range ins {
		out = append(out, indicatorOf(in))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// changed tells the federation that an incident may have changed.
func (s *Server) changed() {
	if s.Federation != nil {
		s.Federation.Changed()
	}
}

// TAXIIPrincipal authenticates a local caller of the TAXII server: an API
// token of the authority (Authorization: Bearer nsn_…). It returns the
// token's id for the status resources. Entities' tokens and sessions are
// refused: TAXII is for the authority and its peers.
func (s *Server) TAXIIPrincipal(r *http.Request) (string, bool) {
	cred, ok := bearerToken(r)
	if !ok || !auth.WellFormedToken(cred, auth.APITokenPrefix) {
		return "", false
	}
	p, err := s.authenticate(r)
	if err != nil || !p.Authority() {
		return "", false
	}
	return p.Actor(), true
}
