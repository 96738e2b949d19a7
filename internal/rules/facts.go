package rules

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Facts are everything the engine knows about one incident. They are the
// input of Assess, of POST /api/v1/assessments and of `nisnet assess`.
// docs/assess.md documents every field.
type Facts struct {
	// Now is the instant of the assessment; the engine has no clock.
	Now      time.Time `json:"now"`
	Entity   Entity    `json:"entity"`
	Incident Incident  `json:"incident"`
	Events   Events    `json:"events"`
	Options  Options   `json:"options"`
}

// Entity describes the reporting organisation.
type Entity struct {
	Name string `json:"name,omitempty"`
	// MemberState is where the entity is established (EU code, Greece = EL).
	// For an entity outside the Union leave it empty and set EURepresentative.
	MemberState string `json:"member_state,omitempty"`
	// OtherEstablishments are further Member States of establishment.
	OtherEstablishments []string `json:"other_establishments,omitempty"`
	// MainEstablishment is the Member State where cybersecurity risk-management
	// decisions are predominantly taken (NIS2 Art 26(2)).
	MainEstablishment string `json:"main_establishment,omitempty"`
	// EURepresentative is the Member State of the EU representative of an
	// entity not established in the Union (NIS2 Art 26(3)).
	EURepresentative string `json:"eu_representative,omitempty"`
	// ServicesIn are the Member States where the entity provides its services
	// (NIS2 Art 26(1)(a) for public electronic communications).
	ServicesIn []string `json:"services_in,omitempty"`
	// EntityTypes are NIS2 entity-type codes (see the "nis2-entity-types"
	// vocabulary), e.g. "energy/electricity/dso".
	EntityTypes []string     `json:"entity_types,omitempty"`
	Size        *Size        `json:"size,omitempty"`
	Designation Designations `json:"designations"`
	// QualifiedTrustServiceProvider: a qualified TSP (NIS2 Art 3(1)(b)).
	QualifiedTrustServiceProvider bool   `json:"qualified_trust_service_provider,omitempty"`
	DORA                          *DORA  `json:"dora,omitempty"`
	CRA                           *CRA   `json:"cra,omitempty"`
	GDPRRole                      string `json:"gdpr_role,omitempty"` // "controller", "processor" or empty
}

// Size are the figures of Recommendation 2003/361/EC Annex Art 2.
type Size struct {
	Employees         *int64   `json:"employees,omitempty"`
	AnnualTurnoverEUR *float64 `json:"annual_turnover_eur,omitempty"`
	BalanceSheetEUR   *float64 `json:"balance_sheet_eur,omitempty"`
}

// Designations are decisions of the Member State about the entity.
type Designations struct {
	SoleProvider       bool `json:"sole_provider,omitempty"`        // NIS2 Art 2(2)(b)
	PublicSafetyImpact bool `json:"public_safety_impact,omitempty"` // Art 2(2)(c)
	SystemicRisk       bool `json:"systemic_risk,omitempty"`        // Art 2(2)(d)
	NationalImportance bool `json:"national_importance,omitempty"`  // Art 2(2)(e)
	CERCritical        bool `json:"cer_critical,omitempty"`         // Art 2(3), Art 3(1)(f)
	// IdentifiedOES: identified before 16 January 2023 as an operator of
	// essential services, where the Member State provides so (Art 3(1)(g)).
	IdentifiedOES bool `json:"identified_oes,omitempty"`
	// NationalScope: the Member State applies the Directive to this entity
	// under a national option (Art 2(2)(f)(ii) regional public
	// administration after a risk assessment; Art 2(5) local public
	// administration and education institutions).
	NationalScope bool `json:"national_scope,omitempty"`
	// ExcludedArea: the public administration entity carries out its
	// activities mainly in national security, public security, defence or
	// law enforcement (Art 2(7)).
	ExcludedArea string `json:"excluded_area,omitempty"`
	// ExemptedArt23: the Member State exempted the entity from Art 23
	// (Art 2(8)); does not apply to trust service activities (Art 2(9)).
	ExemptedArt23 bool `json:"exempted_art23,omitempty"`
}

// DORA describes a financial entity under Regulation (EU) 2022/2554.
type DORA struct {
	EntityType string `json:"entity_type"` // see the "dora-entity-types" vocabulary
	// SignificantCreditInstitution: supervised directly by the ECB (Art 19(1)).
	SignificantCreditInstitution bool `json:"significant_credit_institution,omitempty"`
	Microenterprise              bool `json:"microenterprise,omitempty"` // Art 3(60)
	// Exempted: excluded by DORA Art 2(3) or exempted by Art 2(4).
	Exempted bool `json:"exempted,omitempty"`
	// ReliefDisapplied: the competent authority disapplied the weekend relief
	// for this entity (2025/301 Art 5(6)).
	ReliefDisapplied bool `json:"relief_disapplied,omitempty"`
	// Art16Simplified: subject to the simplified framework of DORA Art 16(1)
	// (no recurring-incident aggregation, 2024/1772 Art 8(2)).
	Art16Simplified bool `json:"art16_simplified,omitempty"`
}

// CRA describes a manufacturer of products with digital elements.
type CRA struct {
	Manufacturer bool `json:"manufacturer"`
	// MainEstablishment for CRA Art 14(7); defaults to the entity's.
	MainEstablishment string `json:"main_establishment,omitempty"`
}

// Incident describes the event.
type Incident struct {
	// Kind is "incident" (NIS2 Art 6(6), default), "near_miss" (Art 6(5)) or
	// "cyber_threat" (Art 6(8), significant per Art 6(11)).
	Kind       string     `json:"kind,omitempty"`
	Title      string     `json:"title,omitempty"`
	OccurredAt *time.Time `json:"occurred_at,omitempty"`
	DetectedAt *time.Time `json:"detected_at,omitempty"`
	// AwareAt: the entity became aware of the (significant) incident — after
	// its initial assessment (2024/2690 recital 31). Required for incidents.
	AwareAt *time.Time `json:"aware_at,omitempty"`
	// ScheduledMaintenance: a scheduled interruption or a planned consequence
	// of scheduled maintenance (2024/2690 Art 3(2)).
	ScheduledMaintenance bool `json:"scheduled_maintenance,omitempty"`
	// RootCause is the apparent root cause, compared with earlier incidents
	// (2024/2690 Art 4(b), 2024/1772 Art 8(2)(b)).
	RootCause string `json:"root_cause,omitempty"`
	// SuspectedMalicious: suspected of being caused by unlawful or malicious
	// acts (NIS2 Art 23(4)(a)).
	SuspectedMalicious      bool `json:"suspected_malicious,omitempty"`
	SuspectedStateSponsored bool `json:"suspected_state_sponsored,omitempty"`
	// CrossBorderImpact: could have a cross-border impact (Art 23(4)(a)).
	CrossBorderImpact bool `json:"cross_border_impact,omitempty"`
	// AffectedMemberStates where the incident has an impact.
	AffectedMemberStates []string `json:"affected_member_states,omitempty"`
	// ExceedsNationalCapacity: disruption exceeding a Member State's capacity
	// to respond (large-scale, NIS2 Art 6(7)).
	ExceedsNationalCapacity bool `json:"exceeds_national_capacity,omitempty"`
	// NIS2 is the entity's own Art 23(3) judgement, for entities outside
	// 2024/2690. Nil means not yet judged (see Options.UnassessedNIS2).
	NIS2             *NIS2Judgement    `json:"nis2_judgement,omitempty"`
	Impact           Impact            `json:"impact"`
	DORA             *DORAImpact       `json:"dora,omitempty"`
	PersonalData     *PersonalData     `json:"personal_data,omitempty"`
	CRA              *CRAEvent         `json:"cra,omitempty"`
	EarlierIncidents []EarlierIncident `json:"earlier_incidents,omitempty"`
}

// NIS2Judgement records the entity's judgement under NIS2 Art 23(3).
type NIS2Judgement struct {
	SevereOperationalDisruption bool   `json:"severe_operational_disruption"`
	FinancialLoss               bool   `json:"financial_loss"`
	ConsiderableDamageToOthers  bool   `json:"considerable_damage_to_others"`
	Reasons                     string `json:"reasons,omitempty"`
}

// Impact are the measurements of Impl. Reg. 2024/2690 Arts 3–14. Each is
// what the incident "caused or is capable of causing". Counts of users follow
// Art 3(3).
type Impact struct {
	DirectFinancialLossEUR      float64 `json:"direct_financial_loss_eur,omitempty"`     // Art 3(1)(a)
	TradeSecretsExfiltrated     bool    `json:"trade_secrets_exfiltrated,omitempty"`     // Art 3(1)(b)
	Death                       bool    `json:"death,omitempty"`                         // Art 3(1)(c)
	HealthDamage                bool    `json:"health_damage,omitempty"`                 // Art 3(1)(d)
	MaliciousUnauthorisedAccess bool    `json:"malicious_unauthorised_access,omitempty"` // Art 3(1)(e), with
	CapableOfSevereDisruption   bool    `json:"capable_of_severe_disruption,omitempty"`  // Art 3(1)(e)

	CompleteUnavailability Duration `json:"complete_unavailability,omitempty"` // Arts 5–10(a), 14(a)
	// SlowResponse is how long the average response time exceeded
	// AverageResponseSeconds (Arts 5(b), 6(b)).
	SlowResponse           Duration `json:"slow_response,omitempty"`
	AverageResponseSeconds float64  `json:"average_response_seconds,omitempty"`
	LimitedAvailability    Duration `json:"limited_availability,omitempty"` // Arts 7–10(b)
	// WeeklyUnavailability: unavailability to users or relying parties,
	// calculated on a calendar week basis (Art 14(b)).
	WeeklyUnavailability Duration `json:"weekly_unavailability,omitempty"`

	EUUsers                    int64 `json:"eu_users,omitempty"`                     // user base in the Union (Art 3(3))
	UsersCompletelyUnavailable int64 `json:"users_completely_unavailable,omitempty"` // Arts 11–13(a)
	UsersLimitedAvailability   int64 `json:"users_limited_availability,omitempty"`   // Arts 7,9,10(b), 11–13(b), 14(c)

	DataCompromised           bool  `json:"data_compromised,omitempty"`            // integrity, confidentiality or authenticity
	DataCompromiseMalicious   bool  `json:"data_compromise_malicious,omitempty"`   // Arts 7–13(c)
	UsersDataCompromised      int64 `json:"users_data_compromised,omitempty"`      // Arts 7,9–13(d), 14(e)
	MisconfiguredDomainNames  int64 `json:"misconfigured_domain_names,omitempty"`  // Art 5(c) exception
	ManagedDomainNames        int64 `json:"managed_domain_names,omitempty"`        // Art 5(c) exception
	PhysicalAccessCompromised bool  `json:"physical_access_compromised,omitempty"` // Arts 8(d), 14(d)
}

// DORAImpact are the classification measurements of Del. Reg. 2024/1772.
type DORAImpact struct {
	AffectsCriticalFunctions    bool `json:"affects_critical_functions,omitempty"`    // Art 6(a)
	AffectsSupervisedServices   bool `json:"affects_supervised_services,omitempty"`   // Art 6(b)
	MaliciousUnauthorisedAccess bool `json:"malicious_unauthorised_access,omitempty"` // Art 6(c)
	// AccessMayCauseDataLoss: the access of Art 6(c) may result in data
	// losses (Art 9(5)(b)).
	AccessMayCauseDataLoss bool `json:"access_may_cause_data_loss,omitempty"`

	ClientsAffected             int64   `json:"clients_affected,omitempty"`               // Art 9(1)(a),(b)
	ClientsTotal                int64   `json:"clients_total,omitempty"`                  // Art 9(1)(a)
	CounterpartsAffected        int64   `json:"counterparts_affected,omitempty"`          // Art 9(1)(c)
	CounterpartsTotal           int64   `json:"counterparts_total,omitempty"`             // Art 9(1)(c)
	TransactionsAffected        int64   `json:"transactions_affected,omitempty"`          // Art 9(1)(d)
	TransactionsDailyAverage    int64   `json:"transactions_daily_average,omitempty"`     // Art 9(1)(d)
	TransactionValueAffectedEUR float64 `json:"transaction_value_affected_eur,omitempty"` // Art 9(1)(e)
	TransactionValueDailyEUR    float64 `json:"transaction_value_daily_eur,omitempty"`    // Art 9(1)(e)
	RelevantClientsAffected     bool    `json:"relevant_clients_affected,omitempty"`      // Art 9(1)(f)

	MediaCoverage        bool `json:"media_coverage,omitempty"`        // Art 2(a)
	RepetitiveComplaints bool `json:"repetitive_complaints,omitempty"` // Art 2(b)
	RegulatoryBreach     bool `json:"regulatory_breach,omitempty"`     // Art 2(c)
	ClientLoss           bool `json:"client_loss,omitempty"`           // Art 2(d)

	Duration        Duration `json:"duration,omitempty"`         // Art 9(3)(a)
	ServiceDowntime Duration `json:"service_downtime,omitempty"` // Art 9(3)(b)

	MemberStatesImpacted []string `json:"member_states_impacted,omitempty"` // Art 4, 9(4)
	DataLossAdverse      bool     `json:"data_loss_adverse,omitempty"`      // Art 9(5)(a)
	EconomicImpactEUR    float64  `json:"economic_impact_eur,omitempty"`    // Arts 7, 9(6)
	// ClassifiedMajorAt: when the entity classified the incident as major.
	ClassifiedMajorAt *time.Time `json:"classified_major_at,omitempty"`
}

// PersonalData describes a personal data breach (GDPR Art 4(12)).
type PersonalData struct {
	Breach bool `json:"breach"`
	// Risk is the controller's recorded judgement: "unlikely" (Art 33(1)
	// exception), "risk", or "high" (Art 34(1)). Empty is read as "risk".
	Risk    string `json:"risk,omitempty"`
	Reasons string `json:"reasons,omitempty"`
	// Art34Exemption: "unintelligible" (34(3)(a)), "mitigated" (34(3)(b)),
	// "disproportionate" (34(3)(c)), or empty.
	Art34Exemption string `json:"art34_exemption,omitempty"`
	DataSubjects   int64  `json:"data_subjects,omitempty"`
	Records        int64  `json:"records,omitempty"`
	// LeadAuthority: Member State of the lead supervisory authority (Art 56);
	// defaults to the main establishment.
	LeadAuthority string `json:"lead_authority,omitempty"`
}

// CRAEvent describes an event under CRA Art 14.
type CRAEvent struct {
	Product string `json:"product,omitempty"`
	// ActivelyExploitedVulnerability: reliable evidence that a malicious
	// actor exploited it (Art 3(42), Art 14(1)).
	ActivelyExploitedVulnerability bool `json:"actively_exploited_vulnerability,omitempty"`
	// AffectsProtection and MaliciousCode are the Art 14(5) criteria of a
	// severe incident.
	AffectsProtection bool     `json:"affects_protection,omitempty"`
	MaliciousCode     bool     `json:"malicious_code,omitempty"`
	MadeAvailableIn   []string `json:"made_available_in,omitempty"`
	// FixAvailableAt: a corrective or mitigating measure became available
	// (Art 14(2)(c) anchor).
	FixAvailableAt *time.Time `json:"fix_available_at,omitempty"`
}

// EarlierIncident is an earlier incident of the same entity, for the
// recurring-incident rules (2024/2690 Art 4, 2024/1772 Art 8(2)).
type EarlierIncident struct {
	Ref                    string      `json:"ref,omitempty"`
	OccurredAt             time.Time   `json:"occurred_at"`
	RootCause              string      `json:"root_cause"`
	Significant            bool        `json:"significant,omitempty"` // was itself significant/major (then it does not aggregate)
	DirectFinancialLossEUR float64     `json:"direct_financial_loss_eur,omitempty"`
	DORA                   *DORAImpact `json:"dora,omitempty"`
}

// Events are the anchor events that start later clocks, and the reports
// already submitted.
type Events struct {
	// Submitted maps an obligation id (e.g. "nis2.notification") to the
	// instant the report was submitted. Later reports' clocks start here.
	Submitted map[string]time.Time `json:"submitted,omitempty"`
	// HandlingEndedAt: the entity's handling of the incident ended (NIS2 Art
	// 23(4)(e)). Absent while the incident is ongoing.
	HandlingEndedAt *time.Time `json:"handling_ended_at,omitempty"`
	// IntermediateRequests are requests of the CSIRT / competent authority for
	// an intermediate report (NIS2 Art 23(4)(c), CRA Art 14(6)).
	IntermediateRequests []IntermediateRequest `json:"intermediate_requests,omitempty"`
	// FeedbackGivenAt: the CSIRT gave its initial feedback (Art 23(5)).
	FeedbackGivenAt *time.Time `json:"feedback_given_at,omitempty"`
}

// IntermediateRequest is an authority's request for an intermediate report.
type IntermediateRequest struct {
	Regime      string     `json:"regime"` // "nis2" or "cra"
	RequestedAt time.Time  `json:"requested_at"`
	DueAt       *time.Time `json:"due_at,omitempty"`
}

// Duration is a non-negative length of time. In JSON it is a string in Go
// syntax ("30m", "1h0m1s") or ISO 8601 ("PT30M", "P1DT2H"), or a number of
// seconds.
type Duration time.Duration

// Std returns the time.Duration.
func (d Duration) Std() time.Duration { return time.Duration(d) }

// MarshalJSON writes the Go syntax.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

var isoDuration = regexp.MustCompile(`^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$`)

// UnmarshalJSON reads a Go or ISO 8601 duration string or seconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] != '"' {
		secs, err := strconv.ParseFloat(string(b), 64)
		if err != nil {
			return durationError("duration must be a string such as \"30m\" or \"PT30M\", or a number of seconds")
		}
		if secs < 0 || secs > 1e9 {
			return durationError(fmt.Sprintf("duration %v s is out of range (0 to 1e9 seconds)", secs))
		}
		*d = Duration(secs * float64(time.Second))
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := ParseDuration(s)
	if err != nil {
		return durationError(err.Error())
	}
	*d = Duration(v)
	return nil
}

var durationType = reflect.TypeFor[Duration]()

// durationError reports a bad duration as a *json.UnmarshalTypeError, the
// only error encoding/json completes with the path of the field, so that
// DecodeFacts can name it. Value carries the message.
func durationError(msg string) error {
	return &json.UnmarshalTypeError{Value: msg, Type: durationType}
}

// ParseDuration parses a non-negative Go or ISO 8601 duration.
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	if strings.HasPrefix(s, "-") {
		return 0, fmt.Errorf("duration %q is negative", s)
	}
	if m := isoDuration.FindStringSubmatch(s); m != nil && s != "P" && s != "PT" {
		var total float64
		for i, unit := range []float64{86400, 3600, 60, 1} {
			if m[i+1] != "" {
				v, _ := strconv.ParseFloat(m[i+1], 64)
				total += v * unit
			}
		}
		if total > 1e9 {
			return 0, fmt.Errorf("duration %q is too long", s)
		}
		return time.Duration(total * float64(time.Second)), nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("duration %q is neither Go syntax (\"1h30m\") nor ISO 8601 (\"PT1H30M\")", s)
	}
	if v < 0 {
		return 0, fmt.Errorf("duration %q is negative", s)
	}
	if v > maxDuration {
		return 0, fmt.Errorf("duration %q is too long", s)
	}
	return v, nil
}

// maxDuration bounds every duration in the facts (about 31 years).
const maxDuration = time.Duration(1e9) * time.Second

// MaxFactsBytes bounds the size of an encoded Facts document.
const MaxFactsBytes = 1 << 20

// ErrTooLarge is returned by DecodeFacts for a document over MaxFactsBytes.
var ErrTooLarge = fmt.Errorf("facts document is larger than %d bytes", MaxFactsBytes)

// maxList bounds every list in the facts.
const maxList = 500

// DecodeFacts reads one JSON Facts document strictly: unknown fields,
// trailing data and documents over MaxFactsBytes are rejected. The result is
// validated; a *FieldErrors lists every problem, one per field.
func DecodeFacts(r io.Reader) (Facts, error) {
	var f Facts
	lr := &io.LimitedReader{R: r, N: MaxFactsBytes + 1}
	dec := json.NewDecoder(lr)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		if lr.N <= 0 {
			return Facts{}, ErrTooLarge
		}
		return Facts{}, &FieldErrors{List: []FieldError{decodeError(err)}}
	}
	if dec.More() {
		return Facts{}, &FieldErrors{List: []FieldError{{Field: "", Message: "unexpected data after the facts document"}}}
	}
	if _, err := dec.Token(); err != io.EOF {
		return Facts{}, &FieldErrors{List: []FieldError{{Field: "", Message: "unexpected data after the facts document"}}}
	}
	if lr.N <= 0 { // the value ended in time, but the document goes on (e.g. white space)
		return Facts{}, ErrTooLarge
	}
	if err := f.Validate(); err != nil {
		return Facts{}, err
	}
	return f, nil
}

func decodeError(err error) FieldError {
	var ute *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &ute) && ute.Type == durationType:
		return FieldError{Field: ute.Field, Message: ute.Value}
	case errors.As(err, &ute):
		return FieldError{Field: ute.Field, Message: fmt.Sprintf("must be %s, not %s", jsonKind(ute.Type.String()), ute.Value)}
	case errors.As(err, &se):
		return FieldError{Field: "", Message: fmt.Sprintf("malformed JSON at byte %d: %v", se.Offset, se)}
	case errors.Is(err, io.EOF):
		return FieldError{Field: "", Message: "empty facts document"}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return FieldError{Field: "", Message: "truncated JSON"}
	}
	msg := err.Error()
	if f, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		return FieldError{Field: strings.Trim(f, `"`), Message: "unknown field"}
	}
	// time and duration parse errors arrive wrapped with the field name in
	// newer encoding/json; keep the message readable.
	return FieldError{Field: "", Message: strings.TrimPrefix(msg, "json: ")}
}

func jsonKind(goType string) string {
	switch {
	// Containers first: map[string]time.Time is an object, not a timestamp.
	case strings.HasPrefix(goType, "[]"):
		return "a list"
	case strings.HasPrefix(goType, "map"):
		return "an object"
	case strings.Contains(goType, "time.Time"):
		return "an RFC 3339 timestamp"
	case strings.HasPrefix(goType, "int"), strings.HasPrefix(goType, "float"):
		return "a number"
	case goType == "bool":
		return "true or false"
	case goType == "string":
		return "a string"
	}
	return "an object"
}

// FieldError is one problem with one field of the facts.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// FieldErrors is the error of invalid facts: every problem found.
type FieldErrors struct {
	List []FieldError `json:"errors"`
}

func (e *FieldErrors) add(field, msg string) {
	if len(e.List) < 100 {
		e.List = append(e.List, FieldError{Field: field, Message: msg})
	}
}

func (e *FieldErrors) Error() string {
	parts := make([]string, 0, len(e.List))
	for _, fe := range e.List {
		if fe.Field == "" {
			parts = append(parts, fe.Message)
		} else {
			parts = append(parts, fe.Field+": "+fe.Message)
		}
	}
	return "invalid facts: " + strings.Join(parts, "; ")
}

func (e *FieldErrors) orNil() error {
	if len(e.List) == 0 {
		return nil
	}
	return e
}
