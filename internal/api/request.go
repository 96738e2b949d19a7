package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/mail"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/nisnet-eu/nisnet/internal/rules"
	"github.com/nisnet-eu/nisnet/internal/store"
)

// maxBodyBytes bounds every JSON request body except the assessment facts
// (which have their own, larger limit).
const maxBodyBytes = 64 << 10

// decodeJSON reads one JSON object from the request body into v strictly:
// the body is at most maxBodyBytes, unknown fields and trailing data are
// refused, and a Content-Type other than application/json is 415.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	return decodeJSONLimit(w, r, v, maxBodyBytes)
}

// decodeJSONLimit is decodeJSON for a body of at most limit bytes.
func decodeJSONLimit(w http.ResponseWriter, r *http.Request, v any, limit int64) error {
	if err := checkJSONContentType(r); err != nil {
		return err
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return err
		}
		return decodeError(err, "")
	}
	if _, err := dec.Token(); err != io.EOF {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return err
		}
		return errInvalid("unexpected data after the JSON object")
	}
	return nil
}

// checkJSONContentType refuses (415) a request body declared as anything
// but application/json; a body without a Content-Type is read as JSON.
func checkJSONContentType(r *http.Request) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return &Error{Status: http.StatusUnsupportedMediaType, Code: "unsupported_media_type", Message: "send the request body as application/json"}
		}
	}
	return nil
}

// decodeError turns an encoding/json error into a 400 naming the field;
// prefix is put before field names (for nested documents).
func decodeError(err error, prefix string) *Error {
	field := func(f string) string {
		if prefix == "" {
			return f
		}
		if f == "" {
			return prefix
		}
		return prefix + "." + f
	}
	if ute, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		kind := jsonKind(ute.Type.Kind().String())
		if ute.Type == timeType {
			kind = "an RFC 3339 timestamp"
		}
		fe := rules.FieldError{Field: field(ute.Field), Message: "must be " + kind + ", not " + ute.Value}
		if ute.Type == durationType { // rules.Duration puts its message in Value
			fe.Message = ute.Value
		}
		return errInvalid(fe.Field+": "+fe.Message, fe)
	}
	if se, ok := errors.AsType[*json.SyntaxError](err); ok {
		return errInvalid(fmt.Sprintf("malformed JSON at byte %d: %v", se.Offset, se))
	}
	if errors.Is(err, io.EOF) {
		return errInvalid("empty request body; send a JSON object")
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return errInvalid("truncated JSON")
	}
	msg := strings.TrimPrefix(err.Error(), "json: ")
	if f, ok := strings.CutPrefix(msg, "unknown field "); ok {
		fe := rules.FieldError{Field: field(strings.Trim(f, `"`)), Message: "unknown field"}
		return errInvalid("unknown field "+fe.Field, fe)
	}
	return errInvalid(msg)
}

func jsonKind(goKind string) string {
	switch {
	case goKind == "struct", goKind == "map":
		return "an object"
	case goKind == "slice", goKind == "array":
		return "a list"
	case goKind == "bool":
		return "true or false"
	case goKind == "string":
		return "a string"
	case strings.HasPrefix(goKind, "int"), strings.HasPrefix(goKind, "uint"), strings.HasPrefix(goKind, "float"):
		return "a number"
	}
	return "a different type"
}

// Page is one page of a list: the items, and the offset of the next page
// (null when this page was not full; a full page may be followed by an
// empty one).
type Page[T any] struct {
	Items      []T  `json:"items"`
	NextOffset *int `json:"next_offset"`
}

// Page sizes.
const (
	defaultPageSize = 100
	maxOffset       = 1 << 30
)

// pageParams reads ?limit= (1 to store.MaxPageSize, default 100) and
// ?offset= (default 0).
func pageParams(r *http.Request) (store.Page, error) {
	p := store.Page{Limit: defaultPageSize}
	q := r.URL.Query()
	var err error
	if p.Limit, err = limitParam(r); err != nil {
		return p, err
	}
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > maxOffset {
			return p, errInvalid("offset must be a whole number, at least 0",
				rules.FieldError{Field: "offset", Message: "out of range"})
		}
		p.Offset = n
	}
	return p, nil
}

// limitParam reads ?limit= (1 to store.MaxPageSize, default 100).
func limitParam(r *http.Request) (int, error) {
	v := r.URL.Query().Get("limit")
	if v == "" {
		return defaultPageSize, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > store.MaxPageSize {
		return 0, errInvalid(fmt.Sprintf("limit must be a whole number from 1 to %d", store.MaxPageSize),
			rules.FieldError{Field: "limit", Message: "out of range"})
	}
	return n, nil
}

// pageOf converts a page of store rows with conv.
func pageOf[S, T any](rows []S, p store.Page, conv func(S) T) Page[T] {
	out := Page[T]{Items: make([]T, 0, len(rows))}
	for _, r := range rows {
		out.Items = append(out.Items, conv(r))
	}
	if len(rows) == p.Limit {
		next := p.Offset + len(rows)
		out.NextOffset = &next
	}
	return out
}

// fieldErrors collects problems with request fields.
type fieldErrors []rules.FieldError

func (fe *fieldErrors) add(field, msg string) {
	*fe = append(*fe, rules.FieldError{Field: field, Message: msg})
}

func (fe fieldErrors) err() error {
	if len(fe) == 0 {
		return nil
	}
	parts := make([]string, len(fe))
	for i, f := range fe {
		parts[i] = f.Field + ": " + f.Message
	}
	return errInvalid("invalid request: "+strings.Join(parts, "; "), fe...)
}

// Field limits.
const (
	maxNameBytes  = 200
	maxEmailBytes = 254
)

// checkName checks a name (of an organisation, a team, a token, a person):
// required unless optional, at most maxNameBytes, no control characters.
func (fe *fieldErrors) checkName(field, s string, optional bool) {
	fe.checkLine(field, s, maxNameBytes, optional)
}

// checkLine checks one line of text (a name, a title): required unless
// optional, at most maxBytes, no control characters.
func (fe *fieldErrors) checkLine(field, s string, maxBytes int, optional bool) {
	switch {
	case strings.TrimSpace(s) == "":
		if !optional {
			fe.add(field, "required")
		}
	case len(s) > maxBytes:
		fe.add(field, fmt.Sprintf("at most %d bytes", maxBytes))
	case !utf8.ValidString(s) || strings.IndexFunc(s, unicode.IsControl) >= 0:
		fe.add(field, "must not contain control characters")
	}
}

// checkText checks free text (a message, a note): required unless
// optional, at most maxBytes bytes of UTF-8, no control characters but line
// breaks and tabs.
func (fe *fieldErrors) checkText(field, s string, maxBytes int, optional bool) {
	switch {
	case strings.TrimSpace(s) == "":
		if !optional {
			fe.add(field, "required")
		}
	case len(s) > maxBytes:
		fe.add(field, fmt.Sprintf("at most %d bytes", maxBytes))
	case !utf8.ValidString(s) || strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' }) >= 0:
		fe.add(field, "must be UTF-8 text without control characters (line breaks and tabs are fine)")
	}
}

// checkEmail checks a bare email address (no display name, no brackets).
func (fe *fieldErrors) checkEmail(field, s string) {
	if s == "" {
		fe.add(field, "required")
		return
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" || len(s) > maxEmailBytes {
		fe.add(field, "must be an email address such as name@example.eu")
	}
}

// checkRole checks that role is a known role.
func (fe *fieldErrors) checkRole(field string, role store.Role) {
	if _, ok := roleRank[role]; !ok {
		fe.add(field, fmt.Sprintf("unknown role %q; roles: entity_reporter, entity_admin, authority_analyst, authority_supervisor, node_admin", role))
	}
}
