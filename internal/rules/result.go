package rules

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Version identifies the rule set, so a stored result says which law it
// applied.
const Version = "2026.11.1"

// Result is the engine's answer for one set of facts.
type Result struct {
	AssessedAt    time.Time      `json:"assessed_at"`
	EngineVersion string         `json:"engine_version"`
	Summary       string         `json:"summary"`
	Regimes       []RegimeResult `json:"regimes"`
	Obligations   []Obligation   `json:"obligations"`
	Routes        []Route        `json:"routes"`
	Readings      []Reading      `json:"readings"`
	Warnings      []string       `json:"warnings,omitempty"`
	// StatusAt is the instant the obligations' statuses refer to when a
	// stored result was refreshed with AsOf; absent otherwise (then it is
	// AssessedAt).
	StatusAt *time.Time `json:"status_at,omitempty"`
}

// AsOf returns a copy of a stored result whose obligation statuses are
// brought up to now: an open obligation whose due instant has passed is
// overdue. Nothing else changes — facts only change through a new
// assessment.
func (r Result) AsOf(now time.Time) Result {
	if !now.After(r.AssessedAt) {
		return r
	}
	out := r
	out.Obligations = append([]Obligation(nil), r.Obligations...)
	for i, o := range out.Obligations {
		if o.Status == DueOpen && o.DueAt != nil && now.After(*o.DueAt) {
			out.Obligations[i].Status = DueOverdue
		}
	}
	at := now.UTC()
	out.StatusAt = &at
	return out
}

// Regime statuses.
const (
	StatusReportable    = "reportable"     // a mandatory report is due
	StatusVoluntary     = "voluntary"      // may be notified (NIS2 Art 30, DORA Art 19(2))
	StatusNotReportable = "not_reportable" // in scope, thresholds not met
	StatusOutOfScope    = "out_of_scope"
	StatusDisplaced     = "displaced"          // NIS2 Art 23 displaced by DORA
	StatusNotApplicable = "not_yet_applicable" // the rules did not apply yet
)

// RegimeResult is the conclusion for one regime.
type RegimeResult struct {
	Regime       string    `json:"regime"` // nis2, dora, gdpr, cra
	Title        string    `json:"title"`
	Status       string    `json:"status"`
	InScope      bool      `json:"in_scope"`
	Class        string    `json:"class,omitempty"` // essential/important, major, high_risk …
	Jurisdiction []string  `json:"jurisdiction,omitempty"`
	Summary      string    `json:"summary"`
	Scope        []Finding `json:"scope"`
	Significance []Finding `json:"significance"`
}

// Outcome of one criterion.
type Outcome string

// Outcomes.
const (
	Met     Outcome = "met"
	NotMet  Outcome = "not_met"
	Unknown Outcome = "unknown"
)

// Finding is one criterion the engine checked: the rule with its article,
// whether it was met, and why, with the numbers.
type Finding struct {
	Rule        string  `json:"rule"`
	Outcome     Outcome `json:"outcome"`
	Explanation string  `json:"explanation"`
}

func (f Finding) String() string {
	word := map[Outcome]string{Met: "met", NotMet: "not met", Unknown: "unknown"}[f.Outcome]
	return fmt.Sprintf("%s %s: %s", f.Rule, word, f.Explanation)
}

// findings collects findings.
type findings []Finding

func (fs *findings) add(rule string, o Outcome, format string, args ...any) Outcome {
	*fs = append(*fs, Finding{Rule: rule, Outcome: o, Explanation: fmt.Sprintf(format, args...)})
	return o
}

// check records a boolean criterion.
func (fs *findings) check(rule string, cond bool, yes, no string) bool {
	if cond {
		fs.add(rule, Met, "%s", yes)
	} else {
		fs.add(rule, NotMet, "%s", no)
	}
	return cond
}

func (fs findings) anyMet() bool {
	for _, f := range fs {
		if f.Outcome == Met {
			return true
		}
	}
	return false
}

// Obligation statuses.
const (
	DuePending    = "pending"     // the anchor event has not happened yet
	DueOpen       = "open"        // due in the future
	DueOverdue    = "overdue"     // due instant passed, not submitted
	DueSubmitted  = "submitted"   // submitted (see on_time)
	DueNoDeadline = "no_deadline" // "without undue delay" or on request without a time
)

// Obligation is one report (or duty) with its deadline.
type Obligation struct {
	ID          string     `json:"id"`
	Regime      string     `json:"regime"`
	Title       string     `json:"title"`
	Party       string     `json:"party"` // entity or authority
	Duty        string     `json:"duty"`  // mandatory, voluntary, on_request, where_possible
	LegalBasis  string     `json:"legal_basis"`
	Recipient   string     `json:"recipient"`
	AnchorEvent string     `json:"anchor_event"`
	AnchorAt    *time.Time `json:"anchor_at"`
	DueRule     string     `json:"due_rule"`
	DueAt       *time.Time `json:"due_at"`
	Status      string     `json:"status"`
	SubmittedAt *time.Time `json:"submitted_at,omitempty"`
	OnTime      *bool      `json:"on_time,omitempty"`
	Content     []string   `json:"content"`
	Relief      *Relief    `json:"relief,omitempty"`
	Notes       []string   `json:"notes,omitempty"`
	Readings    []string   `json:"readings,omitempty"`

	period period // the time limit from AnchorAt, if any
}

// Relief is DORA's weekend and bank-holiday relief (2025/301 Art 5(4)–(6)).
type Relief struct {
	Applies           bool       `json:"applies"`
	StatutoryDueAt    time.Time  `json:"statutory_due_at"`
	LatestPermittedAt *time.Time `json:"latest_permitted_at,omitempty"`
	Explanation       string     `json:"explanation"`
}

// Route says which authority must or should receive the incident.
type Route struct {
	Recipient    string   `json:"recipient"`
	MemberStates []string `json:"member_states,omitempty"`
	Level        string   `json:"level"` // must, should, guidance, may
	Basis        string   `json:"basis"`
	Reason       string   `json:"reason"`
}

// --- number formatting for explanations ---

func fmtDur(d time.Duration) string {
	if d == 0 {
		return "0 min"
	}
	var parts []string
	h := d / time.Hour
	d -= h * time.Hour
	m := d / time.Minute
	d -= m * time.Minute
	s := d.Seconds()
	if h > 0 {
		parts = append(parts, fmt.Sprintf("%d h", h))
	}
	if m > 0 {
		parts = append(parts, fmt.Sprintf("%d min", m))
	}
	if s > 0 {
		parts = append(parts, strconv.FormatFloat(s, 'f', -1, 64)+" s")
	}
	return strings.Join(parts, " ")
}

// fmtNum groups thousands with spaces, as EU texts do: 1 000 000.
func fmtNum(x float64) string {
	neg := x < 0
	x = math.Abs(x)
	whole := math.Floor(x)
	frac := x - whole
	s := strconv.FormatFloat(whole, 'f', 0, 64)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(c)
	}
	out := b.String()
	if frac > 0.0005 {
		out += strings.TrimPrefix(strconv.FormatFloat(frac, 'f', 2, 64), "0")
	}
	if neg {
		out = "-" + out
	}
	return out
}

func fmtInt(n int64) string   { return fmtNum(float64(n)) }
func fmtEUR(x float64) string { return "EUR " + fmtNum(x) }

func fmtTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }
