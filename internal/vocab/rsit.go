package vocab

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
)

//go:generate go run ./internal/copyrsit ../../../shared/conformance/rsit/machinev1 data/rsit-machinev1.json

// rsitMachineV1 is a byte-identical copy of the RSIT working group's
// machine-readable taxonomy (working_copy/machinev1 of
// github.com/enisaeu/Reference-Security-Incident-Taxonomy-Task-Force).
//
//go:embed data/rsit-machinev1.json
var rsitMachineV1 []byte

// NameRSIT is the name of the RSIT vocabulary.
const NameRSIT = "rsit"

// RSIT returns the Reference Security Incident Taxonomy as a vocabulary: each
// class is a top-level entry (Code is the class, e.g. "intrusions"), followed
// by its types, whose Code is the machine tag form "<class>/<type>" (e.g.
// "intrusions/system-compromise") and whose Parent is the class. Labels are
// the taxonomy's "expanded" names. Every entry has a "misp_tag" attribute
// with its MISP machine tag, e.g. rsit:intrusions="system-compromise".
func RSIT() Vocabulary {
	return cloneVocabulary(rsit().vocab)
}

// ValidRSIT reports whether class is a canonical RSIT class and typ, unless it
// is empty, one of its canonical types. It accepts the exact values of the
// taxonomy only; see NormalizeRSIT for lenient input.
func ValidRSIT(class, typ string) bool {
	types, ok := rsit().types[class]
	if !ok {
		return false
	}
	return typ == "" || types[typ]
}

// rsitTypeAliases maps legacy type names (older IntelMQ and eCSIRT-derived
// feeds) to their RSIT 1003 replacement in the same class.
var rsitTypeAliases = map[string]string{
	"unknown":    "undetermined",    // other/
	"leak":       "data-leak",       // information-content-security/
	"ransomware": "infected-system", // malicious-code/
}

// NormalizeRSIT returns the canonical RSIT spelling of a class and optional
// type and whether they denote a valid RSIT value. Beyond the canonical
// values it ignores case and surrounding white space, accepts the IntelMQ
// spelling "unauthorized-" for "unauthorised-" (as in
// "unauthorized-use-of-resources") and the legacy type aliases "unknown"
// (other/undetermined), "leak" (information-content-security/data-leak) and
// "ransomware" (malicious-code/infected-system). The class is required; an
// empty typ normalizes the class alone.
func NormalizeRSIT(class, typ string) (string, string, bool) {
	c := strings.ToLower(strings.TrimSpace(class))
	t := strings.ToLower(strings.TrimSpace(typ))
	if rest, ok := strings.CutPrefix(t, "unauthorized-"); ok {
		t = "unauthorised-" + rest
	}
	if canonical, ok := rsitTypeAliases[t]; ok {
		t = canonical
	}
	if !ValidRSIT(c, t) {
		return "", "", false
	}
	return c, t, true
}

type rsitData struct {
	vocab Vocabulary
	types map[string]map[string]bool // class -> its types
}

var loadRSIT = sync.OnceValues(func() (*rsitData, error) {
	return parseRSIT(rsitMachineV1)
})

func rsit() *rsitData {
	d, err := loadRSIT()
	if err != nil {
		panic("vocab: embedded RSIT data: " + err.Error())
	}
	return d
}

type rsitFile struct {
	Namespace  string         `json:"namespace"`
	Version    json.Number    `json:"version"`
	Predicates []rsitItem     `json:"predicates"`
	Values     []rsitValueSet `json:"values"`
}

type rsitItem struct {
	Value       string `json:"value"`
	Expanded    string `json:"expanded"`
	Description string `json:"description"`
}

type rsitValueSet struct {
	Predicate string     `json:"predicate"`
	Entry     []rsitItem `json:"entry"`
}

// parseRSIT turns the machinev1 file (a MISP-style taxonomy whose predicates
// are the classes and whose values are the types) into a vocabulary.
func parseRSIT(data []byte) (*rsitData, error) {
	var f rsitFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, err
	}
	if f.Namespace != "rsit" {
		return nil, fmt.Errorf("namespace %q, want %q", f.Namespace, "rsit")
	}
	if len(f.Predicates) == 0 {
		return nil, errors.New("no classes (predicates)")
	}
	types := make(map[string]map[string]bool, len(f.Predicates))
	for _, p := range f.Predicates {
		if p.Value == "" {
			return nil, errors.New("class with empty value")
		}
		if types[p.Value] != nil {
			return nil, fmt.Errorf("duplicate class %q", p.Value)
		}
		types[p.Value] = map[string]bool{}
	}
	byClass := make(map[string][]rsitItem, len(f.Values))
	for _, vs := range f.Values {
		if types[vs.Predicate] == nil {
			return nil, fmt.Errorf("types for unknown class %q", vs.Predicate)
		}
		for _, e := range vs.Entry {
			if e.Value == "" {
				return nil, fmt.Errorf("class %q: type with empty value", vs.Predicate)
			}
			if types[vs.Predicate][e.Value] {
				return nil, fmt.Errorf("class %q: duplicate type %q", vs.Predicate, e.Value)
			}
			types[vs.Predicate][e.Value] = true
			byClass[vs.Predicate] = append(byClass[vs.Predicate], e)
		}
	}
	v := Vocabulary{
		Name:  NameRSIT,
		Title: "Reference Security Incident Taxonomy",
		Source: "Reference Security Incident Taxonomy Working Group (ENISA and TF-CSIRT), " +
			"machine-readable taxonomy machinev1 " +
			"(github.com/enisaeu/Reference-Security-Incident-Taxonomy-Task-Force, working_copy/machinev1)",
		Version: f.Version.String(),
	}
	for _, p := range f.Predicates {
		v.Entries = append(v.Entries, Entry{
			Code:        p.Value,
			Label:       p.Expanded,
			Description: p.Description,
			Attributes:  map[string]string{"misp_tag": "rsit:" + p.Value},
		})
		for _, t := range byClass[p.Value] {
			v.Entries = append(v.Entries, Entry{
				Code:        p.Value + "/" + t.Value,
				Label:       t.Expanded,
				Description: t.Description,
				Parent:      p.Value,
				Attributes:  map[string]string{"misp_tag": fmt.Sprintf("rsit:%s=%q", p.Value, t.Value)},
			})
		}
	}
	return &rsitData{vocab: v, types: types}, nil
}
