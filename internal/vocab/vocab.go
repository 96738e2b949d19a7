package vocab

import (
	"errors"
	"fmt"
	"maps"
	"slices"
)

// Entry is one value of a controlled vocabulary.
type Entry struct {
	// Code is the stable machine value that is stored and exchanged.
	Code string `json:"code"`
	// Label is the human-readable name shown in user interfaces.
	Label string `json:"label"`
	// Description explains the value.
	Description string `json:"description,omitempty"`
	// Parent is the Code of the entry this one belongs to in the same
	// vocabulary, e.g. an RSIT type's class; empty for top-level entries.
	Parent string `json:"parent,omitempty"`
	// Attributes carries further facts about the value, e.g. a STIX
	// marking-definition id or a colour.
	Attributes map[string]string `json:"attributes,omitempty"`
}

// Vocabulary is a named, sourced list of entries.
type Vocabulary struct {
	// Name identifies the vocabulary in URLs, e.g. "rsit" or "tlp".
	Name string `json:"name"`
	// Title is a human-readable title.
	Title string `json:"title"`
	// Source names where the values come from (document, version, article).
	Source string `json:"source"`
	// Version is the version of the source, when it has one.
	Version string `json:"version,omitempty"`
	// Entries lists the values. A parent comes before its children.
	Entries []Entry `json:"entries"`
}

// Lookup returns the entry with the given code, if there is one.
func (v Vocabulary) Lookup(code string) (Entry, bool) {
	for _, e := range v.Entries {
		if e.Code == code {
			return cloneEntry(e), true
		}
	}
	return Entry{}, false
}

// ErrInvalidVocabulary is wrapped by every error NewSet returns.
var ErrInvalidVocabulary = errors.New("vocab: invalid vocabulary")

// Set is an immutable registry of vocabularies by name. It is safe for
// concurrent use; its methods return copies, so callers cannot change it.
type Set struct {
	byName map[string]Vocabulary
	names  []string
}

// NewSet checks vs and returns a Set holding deep copies of them. It rejects
// empty, non-URL-safe or duplicate vocabulary names; empty or duplicate codes
// and empty labels within a vocabulary; and parents that are not codes of the
// same vocabulary or that form a cycle.
func NewSet(vs ...Vocabulary) (*Set, error) {
	s := &Set{byName: make(map[string]Vocabulary, len(vs))}
	for i, v := range vs {
		if err := checkVocabulary(v); err != nil {
			return nil, fmt.Errorf("%w: vocabulary %d (%q): %v", ErrInvalidVocabulary, i, v.Name, err)
		}
		if _, dup := s.byName[v.Name]; dup {
			return nil, fmt.Errorf("%w: duplicate vocabulary name %q", ErrInvalidVocabulary, v.Name)
		}
		s.byName[v.Name] = cloneVocabulary(v)
		s.names = append(s.names, v.Name)
	}
	slices.Sort(s.names)
	return s, nil
}

// Get returns a copy of the vocabulary with the given name.
func (s *Set) Get(name string) (Vocabulary, bool) {
	v, ok := s.byName[name]
	if !ok {
		return Vocabulary{}, false
	}
	return cloneVocabulary(v), true
}

// Names returns the names of the vocabularies in the set, sorted.
func (s *Set) Names() []string {
	return slices.Clone(s.names)
}

// Builtin returns fresh copies of the vocabularies this package owns: "rsit",
// "tlp", the four NIS Cooperation Group scales and "incident-kinds".
func Builtin() []Vocabulary {
	return []Vocabulary{
		RSIT(),
		TLP(),
		nisCGImpactSeverity(),
		nisCGImpactOutlook(),
		nisCGRootCause(),
		nisCGThreatSeverity(),
		incidentKinds(),
	}
}

func checkVocabulary(v Vocabulary) error {
	if !validName(v.Name) {
		return errors.New("name must be non-empty and use only a-z, 0-9, '-', '_' and '.'")
	}
	codes := make(map[string]int, len(v.Entries))
	for i, e := range v.Entries {
		if e.Code == "" {
			return fmt.Errorf("entry %d: empty code", i)
		}
		if e.Label == "" {
			return fmt.Errorf("entry %q: empty label", e.Code)
		}
		if _, dup := codes[e.Code]; dup {
			return fmt.Errorf("duplicate code %q", e.Code)
		}
		codes[e.Code] = i
	}
	for _, e := range v.Entries {
		if e.Parent == "" {
			continue
		}
		if _, ok := codes[e.Parent]; !ok {
			return fmt.Errorf("entry %q: parent %q is not a code of this vocabulary", e.Code, e.Parent)
		}
		// Walk up the parents; a chain longer than the vocabulary is a cycle.
		p := e.Parent
		for steps := 0; p != ""; steps++ {
			if steps >= len(v.Entries) {
				return fmt.Errorf("entry %q: parents form a cycle", e.Code)
			}
			p = v.Entries[codes[p]].Parent
		}
	}
	return nil
}

// validName reports whether name is non-empty and made of lower-case ASCII
// letters, digits, '-', '_' and '.' only (unreserved in URL paths), and is not
// "." or "..".
func validName(name string) bool {
	if name == "" || name == "." || name == ".." {
		return false
	}
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
		default:
			return false
		}
	}
	return true
}

func cloneVocabulary(v Vocabulary) Vocabulary {
	entries := make([]Entry, len(v.Entries))
	for i, e := range v.Entries {
		entries[i] = cloneEntry(e)
	}
	v.Entries = entries
	return v
}

func cloneEntry(e Entry) Entry {
	e.Attributes = maps.Clone(e.Attributes)
	return e
}
