package web

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Field kinds of the interface's forms. They mirror the JSON the API takes.
const (
	kText     = "text"     // one line
	kLongText = "textarea" // several lines
	kBool     = "bool"     // a checkbox: true or absent
	kYesNo    = "yesno"    // a choice of unanswered, yes, no
	kInt      = "int"      // a non-negative integer
	kNumber   = "number"   // a non-negative number
	kDuration = "duration" // "45m", "3h", "PT45M"
	kInstant  = "instant"  // datetime-local in the reader's zone
	kSelect   = "select"   // one of Options
	kList     = "list"     // comma- or line-separated values
	kStates   = "states"   // Member State codes, comma-separated
)

// formField is one field of a form as a template renders it. Name is the
// form field's name and its dotted path in the JSON the form becomes.
type formField struct {
	Name     string
	Label    string
	Hint     string // e.g. the legal basis
	Kind     string
	Required bool
	Options  []option
	Value    string // as the reader entered it
	Checked  bool   // kBool
	Error    string // the message about this field, if any
}

// option is one choice of a select.
type option struct {
	Value, Label string
}

// ID is the field's HTML id.
func (f formField) ID() string { return "f-" + strings.ReplaceAll(f.Name, ".", "-") }

// fill sets the field's value from a submitted or remembered form.
func (f *formField) fill(form url.Values) {
	f.Value = form.Get(f.Name)
	f.Checked = f.Kind == kBool && form.Get(f.Name) != ""
}

// value converts the entered text to its JSON value; ok is false for an
// empty field, which the JSON leaves out. An error names what is wrong.
func (f *formField) value(zone *time.Location) (v any, ok bool, err error) {
	s := strings.TrimSpace(f.Value)
	switch f.Kind {
	case kBool:
		return true, f.Checked, nil
	case kYesNo:
		switch s {
		case "yes":
			return true, true, nil
		case "no":
			return false, true, nil
		}
		return nil, false, nil
	}
	if s == "" {
		return nil, false, nil
	}
	switch f.Kind {
	case kInt:
		n, err := strconv.ParseInt(strings.ReplaceAll(s, " ", ""), 10, 64)
		if err != nil || n < 0 {
			return nil, false, fmt.Errorf("whole number expected")
		}
		return n, true, nil
	case kNumber:
		x, err := strconv.ParseFloat(strings.ReplaceAll(strings.ReplaceAll(s, " ", ""), ",", "."), 64)
		if err != nil || x < 0 {
			return nil, false, fmt.Errorf("number expected")
		}
		return x, true, nil
	case kInstant:
		t, err := parseLocal(s, zone)
		if err != nil {
			return nil, false, err
		}
		return t.UTC().Format(time.RFC3339), true, nil
	case kList, kStates:
		var out []string
		for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '\n' || r == ';' }) {
			if p = strings.TrimSpace(p); p != "" {
				if f.Kind == kStates {
					p = strings.ToUpper(p)
				}
				out = append(out, p)
			}
		}
		return out, len(out) > 0, nil
	}
	return s, true, nil
}

// parseLocal reads a datetime-local value ("2026-11-28T14:05") in zone, or
// an RFC 3339 instant.
func parseLocal(s string, zone *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, s, zone); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("date and time expected, such as 2026-11-28T14:05")
}

// localInput writes an instant as a datetime-local value in zone.
func localInput(t time.Time, zone *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(zone).Format("2006-01-02T15:04")
}

// setPath sets a dotted path in a tree of JSON objects.
func setPath(root map[string]any, path string, v any) {
	parts := strings.Split(path, ".")
	m := root
	for _, p := range parts[:len(parts)-1] {
		next, ok := m[p].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[p] = next
		}
		m = next
	}
	m[parts[len(parts)-1]] = v
}

// toJSON turns the filled fields into a JSON object tree; fields left empty
// are left out. Each field whose text cannot be read gets its Error, and
// the count of such fields is returned.
func toJSON(fields []formField, zone *time.Location, v *view) (map[string]any, int) {
	root := map[string]any{}
	bad := 0
	for i := range fields {
		f := &fields[i]
		x, ok, err := f.value(zone)
		if err != nil {
			f.Error = v.T("form.invalid_" + f.Kind)
			bad++
			continue
		}
		if ok {
			setPath(root, f.Name, x)
		}
	}
	return root, bad
}

// markErrors copies the API's per-field messages onto the form's fields:
// a field matches an API field named by its path, with or without prefix.
func markErrors(fields []formField, ae *apiError, prefix string) int {
	if ae == nil {
		return 0
	}
	n := 0
	for i := range fields {
		if m := ae.field(prefix + fields[i].Name); m != "" {
			fields[i].Error = m
			n++
		} else if m := ae.field(fields[i].Name); m != "" {
			fields[i].Error = m
			n++
		}
	}
	return n
}
