// Package stix holds what nisnet needs of STIX 2.1 (OASIS Standard with
// Errata 01): the common properties of an object read from its JSON,
// identifiers and timestamps in the form the specification requires, the
// TLP 2.0 marking definitions, and validation of objects received from
// others (validate.go), optionally also against the official JSON Schemas
// (schema.go).
//
// Objects are kept as JSON (json.RawMessage) all the way from the wire to the
// database: nisnet stores and forwards what it received byte for byte and
// reads only the properties it acts on.
package stix

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// SpecVersion is the STIX version nisnet emits and accepts.
const SpecVersion = "2.1"

// Object is the part of a STIX object nisnet acts on, with the object's JSON.
type Object struct {
	Type        string
	ID          string
	SpecVersion string
	// Created and Modified are zero when the object has no such property
	// (cyber-observable objects).
	Created  time.Time
	Modified time.Time
	// Version is the object's version as written in the object: modified,
	// or created for an object without modified; "" for objects that have
	// neither (cyber-observable objects).
	Version           string
	Revoked           bool
	CreatedByRef      string
	ObjectMarkingRefs []string
	// Raw is the object's JSON as received.
	Raw json.RawMessage
}

// VersionAt is the instant of Version: Modified, else Created, else the zero
// time.
func (o Object) VersionAt() time.Time {
	if !o.Modified.IsZero() {
		return o.Modified
	}
	return o.Created
}

// common are the common properties Parse reads.
type common struct {
	Type              string   `json:"type"`
	ID                string   `json:"id"`
	SpecVersion       string   `json:"spec_version"`
	Created           string   `json:"created"`
	Modified          string   `json:"modified"`
	Revoked           bool     `json:"revoked"`
	CreatedByRef      string   `json:"created_by_ref"`
	ObjectMarkingRefs []string `json:"object_marking_refs"`
}

// Parse reads the common properties of one STIX object. It checks only what
// it needs to read them (a JSON object, type, id matching type, timestamps
// well-formed); Validate checks the object fully.
func Parse(raw json.RawMessage) (Object, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return Object{}, errors.New("not a JSON object")
	}
	var c common
	if err := json.Unmarshal(raw, &c); err != nil {
		return Object{}, fmt.Errorf("not a STIX object: %s", jsonError(err))
	}
	if !ValidType(c.Type) {
		return Object{}, fmt.Errorf("type %q: want a STIX type name (3 to 250 of a-z, 0-9 and -)", c.Type)
	}
	if err := CheckID(c.ID, c.Type); err != nil {
		return Object{}, fmt.Errorf("id: %w", err)
	}
	o := Object{Type: c.Type, ID: c.ID, SpecVersion: c.SpecVersion, Revoked: c.Revoked,
		CreatedByRef: c.CreatedByRef, ObjectMarkingRefs: c.ObjectMarkingRefs, Raw: raw}
	var err error
	if c.Created != "" {
		if o.Created, err = ParseTimestamp(c.Created); err != nil {
			return Object{}, fmt.Errorf("created: %w", err)
		}
		o.Version = c.Created
	}
	if c.Modified != "" {
		if o.Modified, err = ParseTimestamp(c.Modified); err != nil {
			return Object{}, fmt.Errorf("modified: %w", err)
		}
		o.Version = c.Modified
	}
	return o, nil
}

// jsonError shortens encoding/json's errors for messages to a sender.
func jsonError(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return fmt.Sprintf("property %s: want %s, found JSON %s", te.Field, te.Type, te.Value)
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

var typeName = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)

// ValidType reports whether s is a valid STIX type name (STIX 2.1 §3.1):
// 3 to 250 characters of a-z, 0-9 and hyphen, starting with a letter, no
// double or trailing hyphen.
func ValidType(s string) bool {
	return len(s) >= 3 && len(s) <= 250 && typeName.MatchString(s)
}

var uuidForm = regexp.MustCompile(`^(?i)[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// CheckID checks that id is an identifier of an object of type typ
// (STIX 2.1 §2.9): "<type>--<RFC 4122 UUID>". RFC 4122 lets a UUID be
// read in either case (some official examples use capitals); nisnet
// writes lower case.
func CheckID(id, typ string) error {
	t, u, ok := strings.Cut(id, "--")
	switch {
	case id == "":
		return errors.New("missing")
	case !ok:
		return fmt.Errorf("%q: want <type>--<UUID>", id)
	case typ != "" && t != typ:
		return fmt.Errorf("%q: the part before -- must be the object's type %q", id, typ)
	case !ValidType(t):
		return fmt.Errorf("%q: %q is not a STIX type name", id, t)
	case !uuidForm.MatchString(u):
		return fmt.Errorf("%q: %q is not an RFC 4122 UUID", id, u)
	}
	return nil
}
