// Package incident is the life cycle of an incident at a node: its states
// and transitions, and how its stored facts, the reports filed so far and the
// authority's requests become the reportability engine's facts, so that
// obligations are recomputed after every submission or changed fact.
package incident

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/nisnet-eu/nisnet/internal/rules"
)

// State is where an incident is in the authority's handling.
type State string

// States.
const (
	Received   State = "received"
	Triaged    State = "triaged"
	InProgress State = "in_progress"
	Closed     State = "closed"
)

// transitions lists the allowed state changes; closed → in_progress is a
// reopen.
var transitions = map[State][]State{
	Received:   {Triaged, InProgress, Closed},
	Triaged:    {InProgress, Closed},
	InProgress: {Closed},
	Closed:     {InProgress},
}

// ParseState checks a state name.
func ParseState(s string) (State, error) {
	switch st := State(s); st {
	case Received, Triaged, InProgress, Closed:
		return st, nil
	}
	return "", fmt.Errorf("unknown state %q; states are received, triaged, in_progress, closed", s)
}

// Transition checks that an incident may move from one state to another.
func Transition(from, to State) error {
	for _, s := range transitions[from] {
		if s == to {
			return nil
		}
	}
	allowed := make([]string, 0, 3)
	for _, s := range transitions[from] {
		allowed = append(allowed, string(s))
	}
	return fmt.Errorf("an incident cannot go from %s to %s (from %s: %s)", from, to, from, strings.Join(allowed, ", "))
}

// Submission is a report filed for the incident.
type Submission struct {
	Report string
	At     time.Time
	Fields map[string]any
}

// Request is an authority's request for an intermediate report.
type Request struct {
	Regime      string
	RequestedAt time.Time
	DueAt       *time.Time
}

// Record is what the node stores about an incident that the engine needs.
type Record struct {
	// Facts is the entity-supplied facts document without "now" and
	// "events" (see StoredFacts).
	Facts           json.RawMessage
	Submissions     []Submission
	Requests        []Request
	FeedbackAt      *time.Time
	HandlingEndedAt *time.Time
}

// StoredFacts validates facts supplied by an entity (at instant now) and
// returns them as stored: without "now", "events" and "options".
func StoredFacts(f rules.Facts, now time.Time) ([]byte, error) {
	f.Now = now
	f.Events = rules.Events{}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	f.Now = time.Time{}
	f.Options = rules.Options{}
	return json.Marshal(f)
}

// EngineFacts builds the engine's facts at now: the stored facts, the
// reports submitted (the latest of each kind starts later clocks), what the
// reports said (an early warning's flags, DORA's classification time), the
// authority's requests and feedback. Options are the node's readings.
func (r Record) EngineFacts(now time.Time, opts rules.Options) (rules.Facts, error) {
	f, err := r.facts(now, opts)
	if err != nil {
		return rules.Facts{}, err
	}
	if err := f.Validate(); err != nil {
		return rules.Facts{}, err
	}
	return f, nil
}

// Assess runs the engine on the record's facts at now (EngineFacts), and
// returns the facts with the result. The facts are validated once, by the
// engine.
func (r Record) Assess(eng *rules.Engine, now time.Time, opts rules.Options) (rules.Facts, rules.Result, error) {
	f, err := r.facts(now, opts)
	if err != nil {
		return rules.Facts{}, rules.Result{}, err
	}
	res, err := eng.Assess(f)
	if err != nil {
		return rules.Facts{}, rules.Result{}, err
	}
	return f, res, nil
}

// facts is EngineFacts without the validation.
func (r Record) facts(now time.Time, opts rules.Options) (rules.Facts, error) {
	var f rules.Facts
	dec := json.NewDecoder(bytes.NewReader(r.Facts))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return rules.Facts{}, fmt.Errorf("stored facts: %w", err)
	}
	f.Now = now.UTC()
	f.Options = opts
	f.Events = rules.Events{HandlingEndedAt: r.HandlingEndedAt, FeedbackGivenAt: r.FeedbackAt}
	subs := append([]Submission(nil), r.Submissions...)
	sort.SliceStable(subs, func(i, j int) bool { return subs[i].At.Before(subs[j].At) })
	for _, s := range subs {
		if f.Events.Submitted == nil {
			f.Events.Submitted = map[string]time.Time{}
		}
		f.Events.Submitted[s.Report] = s.At.UTC()
		apply(&f, s)
	}
	for _, q := range r.Requests {
		f.Events.IntermediateRequests = append(f.Events.IntermediateRequests, rules.IntermediateRequest{Regime: q.Regime, RequestedAt: q.RequestedAt, DueAt: q.DueAt})
	}
	return f, nil
}

// apply carries what a report says into the facts; a later report's
// statement replaces an earlier one's.
func apply(f *rules.Facts, s Submission) {
	b := func(name string) (bool, bool) {
		v, ok := s.Fields[name].(bool)
		return v, ok
	}
	t := func(name string) *time.Time {
		str, ok := s.Fields[name].(string)
		if !ok {
			return nil
		}
		v, err := time.Parse(time.RFC3339, str)
		if err != nil {
			return nil
		}
		v = v.UTC()
		return &v
	}
	if v, ok := b("suspected_malicious"); ok {
		f.Incident.SuspectedMalicious = v
	}
	if v, ok := b("cross_border_impact"); ok {
		f.Incident.CrossBorderImpact = v
	}
	if s.Report == "dora.initial" {
		if f.Incident.DORA == nil {
			f.Incident.DORA = &rules.DORAImpact{}
		}
		if c := t("classified_at"); c != nil && f.Incident.DORA.ClassifiedMajorAt == nil {
			f.Incident.DORA.ClassifiedMajorAt = c
		}
		if d := t("detected_at"); d != nil && f.Incident.DetectedAt == nil && (f.Incident.OccurredAt == nil || !d.Before(*f.Incident.OccurredAt)) {
			f.Incident.DetectedAt = d
		}
	}
}

// Summary are the figures of an assessment the node keeps beside an incident
// for its queue: the earliest due instant of the entity's open reports and of
// the authority's duties, whether anything is overdue, and the regimes and
// sectors for filtering.
type Summary struct {
	NextDueAt          *time.Time
	AuthorityNextDueAt *time.Time
	Overdue            bool
	Regimes            []string
	Sectors            []string
}

// Summarise extracts the queue figures from a result.
func Summarise(f rules.Facts, res rules.Result) Summary {
	var s Summary
	for _, o := range res.Obligations {
		if o.DueAt == nil || (o.Status != rules.DueOpen && o.Status != rules.DueOverdue) {
			continue
		}
		if o.Status == rules.DueOverdue && o.Duty == "mandatory" {
			s.Overdue = true
		}
		next := &s.NextDueAt
		if o.Party == "authority" {
			next = &s.AuthorityNextDueAt
		}
		if *next == nil || o.DueAt.Before(**next) {
			d := *o.DueAt
			*next = &d
		}
	}
	for _, r := range res.Regimes {
		switch r.Status {
		case rules.StatusReportable, rules.StatusDisplaced:
			s.Regimes = append(s.Regimes, r.Regime)
		}
	}
	seen := map[string]bool{}
	for _, code := range f.Entity.EntityTypes {
		if et, ok := rules.LookupEntityType(code); ok && !seen[et.Sector] {
			seen[et.Sector] = true
			s.Sectors = append(s.Sectors, et.Sector)
		}
	}
	sort.Strings(s.Sectors)
	return s
}
