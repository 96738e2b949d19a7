// Package report defines the staged reports an entity files — the NIS2 early
// warning, notification, intermediate, final and progress reports, DORA's
// initial, intermediate and final reports, the GDPR notification and the CRA
// reports — with exactly the fields the law lists for each (RULES.md §1.5,
// §3.3, §4, §5), their validation, and the canonical encoding whose SHA-256
// is a submission's receipt.
//
// Report ids are the obligation ids of package rules ("nis2.early_warning",
// "dora.initial" …), so a submission satisfies the obligation of that id.
package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// Kind of a field value.
type Kind string

// Field kinds.
const (
	Text      Kind = "text"      // a string, at most MaxText bytes
	Bool      Kind = "bool"      // true or false
	Count     Kind = "count"     // a non-negative integer
	Amount    Kind = "amount"    // a non-negative number (EUR)
	Instant   Kind = "instant"   // RFC 3339
	States    Kind = "states"    // a list of Member State codes
	TextList  Kind = "text_list" // a list of strings
	Severity  Kind = "severity"  // low, medium, high, critical
	Reference Kind = "reference" // a short identifier
)

// Limits on report bodies.
const (
	MaxText     = 20000
	MaxListLen  = 500
	MaxBodySize = 256 << 10
)

// Field is one field of a report.
type Field struct {
	Name     string `json:"name"`
	Kind     Kind   `json:"kind"`
	Required bool   `json:"required"`
	Label    string `json:"label"`
	Basis    string `json:"basis"`
}

// Type is a kind of report.
type Type struct {
	ID     string  `json:"id"`
	Regime string  `json:"regime"`
	Title  string  `json:"title"`
	Basis  string  `json:"basis"`
	Fields []Field `json:"fields"`
}

func f(name string, k Kind, req bool, label, basis string) Field {
	return Field{Name: name, Kind: k, Required: req, Label: label, Basis: basis}
}

var nis2Final = []Field{
	f("description", Text, true, "Detailed description of the incident, including its severity and impact", "NIS2 Art 23(4)(d)(i)"),
	f("severity", Severity, true, "Severity", "NIS2 Art 23(4)(d)(i)"),
	f("impact", Text, true, "Impact", "NIS2 Art 23(4)(d)(i)"),
	f("root_cause", Text, true, "Type of threat or root cause that is likely to have triggered the incident", "NIS2 Art 23(4)(d)(ii)"),
	f("mitigation_applied", Text, true, "Applied mitigation measures", "NIS2 Art 23(4)(d)(iii)"),
	f("mitigation_ongoing", Text, false, "Ongoing mitigation measures", "NIS2 Art 23(4)(d)(iii)"),
	f("cross_border_impact", Text, false, "Cross-border impact, where applicable", "NIS2 Art 23(4)(d)(iv)"),
}

var types = []Type{
	{"nis2.early_warning", "nis2", "Early warning", "NIS2 Art 23(4)(a)", []Field{
		f("suspected_malicious", Bool, true, "Suspected of being caused by unlawful or malicious acts", "NIS2 Art 23(4)(a)"),
		f("cross_border_impact", Bool, true, "Could have a cross-border impact", "NIS2 Art 23(4)(a)"),
		f("summary", Text, false, "Short description", "NIS2 Art 23(4)(a)"),
	}},
	{"nis2.notification", "nis2", "Incident notification", "NIS2 Art 23(4)(b)", []Field{
		f("early_warning_update", Text, false, "Update of the early warning, where applicable", "NIS2 Art 23(4)(b)"),
		f("initial_assessment", Text, true, "Initial assessment of the incident", "NIS2 Art 23(4)(b)"),
		f("severity", Severity, true, "Severity", "NIS2 Art 23(4)(b)"),
		f("impact", Text, true, "Impact", "NIS2 Art 23(4)(b)"),
		f("indicators_of_compromise", TextList, false, "Indicators of compromise, where available", "NIS2 Art 23(4)(b)"),
		f("suspected_malicious", Bool, false, "Suspected unlawful or malicious acts (update)", "NIS2 Art 23(4)(a)"),
		f("cross_border_impact", Bool, false, "Cross-border impact (update)", "NIS2 Art 23(4)(a)"),
	}},
	{"nis2.intermediate", "nis2", "Intermediate report", "NIS2 Art 23(4)(c)", []Field{
		f("status_update", Text, true, "Relevant status updates", "NIS2 Art 23(4)(c)"),
	}},
	{"nis2.final", "nis2", "Final report", "NIS2 Art 23(4)(d)", nis2Final},
	{"nis2.progress", "nis2", "Progress report", "NIS2 Art 23(4)(e)", []Field{
		f("status", Text, true, "State of the incident and its handling", "NIS2 Art 23(4)(e)"),
		f("expected_end", Instant, false, "Expected end of the handling", "NIS2 Art 23(4)(e)"),
		f("mitigation_ongoing", Text, false, "Ongoing mitigation measures", "NIS2 Art 23(4)(d)(iii)"),
	}},
	{"nis2.voluntary", "nis2", "Voluntary notification", "NIS2 Art 30", []Field{
		f("description", Text, true, "Description of the incident, cyber threat or near miss", "NIS2 Art 30(1)"),
		f("suspected_malicious", Bool, false, "Suspected unlawful or malicious acts", "NIS2 Art 23(4)(a)"),
	}},
	{"dora.initial", "dora", "Initial notification", "DORA Art 19(4)(a); 2025/301 Art 2", []Field{
		f("reference_code", Reference, true, "Incident reference code assigned by the entity", "2025/301 Art 2"),
		f("detected_at", Instant, true, "Date and time of detection", "2025/302 Annex I field 2.2"),
		f("classified_at", Instant, true, "Date and time of classification as major", "2025/302 Annex I field 2.3"),
		f("description", Text, true, "Description of the incident", "2025/301 Art 2"),
		f("criteria_triggered", TextList, true, "Classification criteria triggered (2024/1772 Art 9)", "2025/301 Art 2"),
		f("member_states_impacted", States, false, "Member States impacted", "2025/301 Art 2"),
		f("discovery", Text, true, "How the incident was discovered", "2025/301 Art 2"),
		f("origin", Text, false, "Origin of the incident, if available", "2025/301 Art 2"),
		f("bcp_activated", Bool, true, "Business continuity plan activated", "2025/301 Art 2"),
		f("reclassification", Text, false, "Reclassification information, if applicable", "2025/301 Art 2"),
		f("other", Text, false, "Other information", "2025/301 Art 2"),
	}},
	{"dora.intermediate", "dora", "Intermediate report", "DORA Art 19(4)(b); 2025/301 Art 3", []Field{
		f("reference_code", Reference, true, "Incident reference code", "2025/301 Art 3"),
		f("status_update", Text, true, "Updated information on the incident and its handling", "2025/301 Art 3"),
		f("clients_affected", Count, false, "Clients affected", "2024/1772 Art 9(1)"),
		f("economic_impact_eur", Amount, false, "Costs and losses so far (EUR)", "2024/1772 Art 7"),
		f("regular_activities_recovered", Bool, false, "Regular activities have been recovered", "2025/301 Art 5(1)(b)"),
	}},
	{"dora.final", "dora", "Final report", "DORA Art 19(4)(c); 2025/301 Art 4", []Field{
		f("reference_code", Reference, true, "Incident reference code", "2025/301 Art 4"),
		f("root_cause", Text, true, "Root cause analysis", "2025/301 Art 4"),
		f("impact", Text, true, "Actual impact figures", "2025/301 Art 4"),
		f("economic_impact_eur", Amount, true, "Costs and losses (EUR)", "2025/301 Art 4; 2024/1772 Art 7"),
		f("resolved_at", Instant, true, "Date and time the incident was resolved", "2024/1772 Art 3"),
		f("measures", Text, true, "Measures taken to resolve and prevent recurrence", "2025/301 Art 4"),
	}},
	{"gdpr.sa_notification", "gdpr", "Notification of a personal data breach", "GDPR Art 33", []Field{
		f("nature", Text, true, "Nature of the breach", "GDPR Art 33(3)(a)"),
		f("data_subject_categories", TextList, false, "Categories of data subjects, where possible", "GDPR Art 33(3)(a)"),
		f("data_subjects_approx", Count, false, "Approximate number of data subjects", "GDPR Art 33(3)(a)"),
		f("record_categories", TextList, false, "Categories of personal data records", "GDPR Art 33(3)(a)"),
		f("records_approx", Count, false, "Approximate number of records", "GDPR Art 33(3)(a)"),
		f("contact", Text, true, "Name and contact details of the DPO or other contact point", "GDPR Art 33(3)(b)"),
		f("likely_consequences", Text, true, "Likely consequences", "GDPR Art 33(3)(c)"),
		f("measures", Text, true, "Measures taken or proposed, including mitigation", "GDPR Art 33(3)(d)"),
		f("delay_reasons", Text, false, "Reasons for the delay, if later than 72 h", "GDPR Art 33(1)"),
	}},
	{"cra.vulnerability_early_warning", "cra", "Early warning: actively exploited vulnerability", "CRA Art 14(2)(a)", []Field{
		f("product", Text, true, "Product with digital elements", "CRA Art 14(2)(a)"),
		f("member_states", States, false, "Member States where the product has been made available", "CRA Art 14(2)(a)"),
	}},
	{"cra.vulnerability_notification", "cra", "Vulnerability notification", "CRA Art 14(2)(b)", []Field{
		f("product", Text, true, "General information about the product", "CRA Art 14(2)(b)"),
		f("exploit_nature", Text, true, "General nature of the exploit and of the vulnerability", "CRA Art 14(2)(b)"),
		f("measures_taken", Text, true, "Corrective or mitigating measures taken", "CRA Art 14(2)(b)"),
		f("user_measures", Text, false, "Corrective or mitigating measures users can take", "CRA Art 14(2)(b)"),
		f("sensitivity", Text, false, "How sensitive the manufacturer considers the information", "CRA Art 14(2)(b)"),
	}},
	{"cra.vulnerability_final", "cra", "Final report: vulnerability", "CRA Art 14(2)(c)", []Field{
		f("description", Text, true, "Description of the vulnerability, including its severity and impact", "CRA Art 14(2)(c)(i)"),
		f("severity", Severity, true, "Severity", "CRA Art 14(2)(c)(i)"),
		f("malicious_actor", Text, false, "Information on the malicious actor, where available", "CRA Art 14(2)(c)(ii)"),
		f("security_update", Text, true, "Details of the security update or other corrective measures", "CRA Art 14(2)(c)(iii)"),
	}},
	{"cra.incident_early_warning", "cra", "Early warning: severe incident", "CRA Art 14(4)(a)", []Field{
		f("suspected_malicious", Bool, true, "Suspected of being caused by unlawful or malicious acts", "CRA Art 14(4)(a)"),
		f("member_states", States, false, "Member States where the product has been made available", "CRA Art 14(4)(a)"),
	}},
	{"cra.incident_notification", "cra", "Incident notification (CRA)", "CRA Art 14(4)(b)", []Field{
		f("nature", Text, true, "Nature of the incident", "CRA Art 14(4)(b)"),
		f("initial_assessment", Text, true, "Initial assessment", "CRA Art 14(4)(b)"),
		f("measures_taken", Text, true, "Corrective or mitigating measures taken", "CRA Art 14(4)(b)"),
		f("user_measures", Text, false, "Measures users can take", "CRA Art 14(4)(b)"),
		f("sensitivity", Text, false, "How sensitive the manufacturer considers the information", "CRA Art 14(4)(b)"),
	}},
	{"cra.incident_final", "cra", "Final report: severe incident", "CRA Art 14(4)(c)", []Field{
		f("description", Text, true, "Detailed description, including severity and impact", "CRA Art 14(4)(c)(i)"),
		f("severity", Severity, true, "Severity", "CRA Art 14(4)(c)(i)"),
		f("root_cause", Text, true, "Type of threat or root cause", "CRA Art 14(4)(c)(ii)"),
		f("mitigation", Text, true, "Applied and ongoing mitigation measures", "CRA Art 14(4)(c)(iii)"),
	}},
	{"cra.intermediate", "cra", "Intermediate report (CRA)", "CRA Art 14(6)", []Field{
		f("status_update", Text, true, "Relevant status updates", "CRA Art 14(6)"),
	}},
}

var byID = func() map[string]Type {
	m := make(map[string]Type, len(types))
	for _, t := range types {
		m[t.ID] = t
	}
	return m
}()

// Types returns every report type, sorted by id.
func Types() []Type {
	out := append([]Type(nil), types...)
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Lookup returns the report type with the given id.
func Lookup(id string) (Type, bool) {
	t, ok := byID[id]
	return t, ok
}

// FieldError is a problem with one field of a report body.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Errors is the error of an invalid report body.
type Errors struct {
	Report string       `json:"report"`
	List   []FieldError `json:"errors"`
}

func (e *Errors) Error() string {
	var parts []string
	for _, fe := range e.List {
		if fe.Field == "" {
			parts = append(parts, fe.Message)
		} else {
			parts = append(parts, fe.Field+": "+fe.Message)
		}
	}
	return "invalid " + e.Report + ": " + strings.Join(parts, "; ")
}

// Parse reads a report body for type id: a JSON object with only the
// type's fields, each of the right kind, every required field present.
// It returns the body's canonical encoding (see Canonical).
func Parse(id string, r io.Reader) (Body, error) {
	t, ok := Lookup(id)
	if !ok {
		return Body{}, &Errors{Report: id, List: []FieldError{{Message: fmt.Sprintf("unknown report %q", id)}}}
	}
	raw, err := io.ReadAll(io.LimitReader(r, MaxBodySize+1))
	if err != nil {
		return Body{}, err
	}
	errs := &Errors{Report: id}
	if len(raw) > MaxBodySize {
		errs.List = append(errs.List, FieldError{Message: fmt.Sprintf("report body is larger than %d bytes", MaxBodySize)})
		return Body{}, errs
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || m == nil {
		errs.List = append(errs.List, FieldError{Message: "the report body must be a JSON object"})
		return Body{}, errs
	}
	if dec.More() {
		errs.List = append(errs.List, FieldError{Message: "unexpected data after the report body"})
		return Body{}, errs
	}
	fields := map[string]Field{}
	for _, fd := range t.Fields {
		fields[fd.Name] = fd
	}
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		fd, ok := fields[k]
		if !ok {
			errs.List = append(errs.List, FieldError{Field: k, Message: "unknown field for " + t.Title})
			continue
		}
		if msg := check(fd.Kind, m[k]); msg != "" {
			errs.List = append(errs.List, FieldError{Field: k, Message: msg})
		}
	}
	for _, fd := range t.Fields {
		v, ok := m[fd.Name]
		if fd.Required && (!ok || v == nil || v == "") {
			errs.List = append(errs.List, FieldError{Field: fd.Name, Message: "required: " + fd.Label + " (" + fd.Basis + ")"})
		}
	}
	if len(errs.List) > 0 {
		return Body{}, errs
	}
	canon, err := Canonical(m)
	if err != nil {
		return Body{}, err
	}
	return Body{Report: id, Fields: m, JSON: canon}, nil
}

var severities = map[string]bool{"low": true, "medium": true, "high": true, "critical": true}

func check(k Kind, v any) string {
	if v == nil {
		return ""
	}
	switch k {
	case Text, Reference:
		s, ok := v.(string)
		if !ok {
			return "must be a string"
		}
		if k == Reference && (len(s) > 100 || strings.ContainsAny(s, "\n\r\t")) {
			return "must be a single-line identifier of at most 100 bytes"
		}
		if len(s) > MaxText {
			return fmt.Sprintf("longer than %d bytes", MaxText)
		}
	case Bool:
		if _, ok := v.(bool); !ok {
			return "must be true or false"
		}
	case Count, Amount:
		n, ok := v.(json.Number)
		if !ok {
			return "must be a number"
		}
		x, err := n.Float64()
		if err != nil || x < 0 || x > 1e15 {
			return "must be a non-negative number"
		}
		if k == Count {
			if _, err := n.Int64(); err != nil {
				return "must be a whole number"
			}
		}
	case Instant:
		s, ok := v.(string)
		if !ok {
			return "must be an RFC 3339 timestamp"
		}
		if _, err := time.Parse(time.RFC3339, s); err != nil {
			return "must be an RFC 3339 timestamp such as 2026-03-05T21:40:00Z"
		}
	case Severity:
		s, _ := v.(string)
		if !severities[s] {
			return "must be one of low, medium, high, critical"
		}
	case States, TextList:
		list, ok := v.([]any)
		if !ok {
			return "must be a list of strings"
		}
		if len(list) > MaxListLen {
			return fmt.Sprintf("at most %d entries", MaxListLen)
		}
		for i, e := range list {
			s, ok := e.(string)
			if !ok || s == "" || len(s) > 2000 {
				return fmt.Sprintf("entry %d must be a non-empty string of at most 2000 bytes", i)
			}
			if k == States && (len(s) != 2 || strings.ToUpper(s) != s) {
				return fmt.Sprintf("entry %d: %q is not a Member State code such as NL or EL", i, s)
			}
		}
	}
	return ""
}

// Body is a parsed, valid report body.
type Body struct {
	Report string
	Fields map[string]any
	JSON   []byte // canonical encoding
}

// SHA256 is the hex SHA-256 of the canonical encoding: the receipt hash.
func (b Body) SHA256() string {
	sum := sha256.Sum256(b.JSON)
	return hex.EncodeToString(sum[:])
}

// Bool returns a boolean field and whether it was present.
func (b Body) Bool(name string) (bool, bool) {
	v, ok := b.Fields[name].(bool)
	return v, ok
}

// Canonical encodes v as compact JSON with object keys sorted and no HTML
// escaping, so that equal content always hashes equally.
func Canonical(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}
