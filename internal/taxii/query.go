package taxii

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nisnet-eu/nisnet/internal/stix"
	"github.com/nisnet-eu/nisnet/internal/store"
)

// Bounds on what a request may ask.
const (
	// maxQueryLength bounds the raw query string of a request, in bytes.
	maxQueryLength = 16 << 10
	// maxMatchValues bounds the comma-separated values of one parameter.
	maxMatchValues = 100
	// maxCursorLength bounds the next parameter, in bytes.
	maxCursorLength = 200
)

// endpoint names the endpoints that take URL filter parameters; it is part
// of every cursor, so that a cursor of one endpoint does not work on
// another.
type endpoint string

const (
	epObjects  endpoint = "objects"  // GET {api-root}/collections/{id}/objects/
	epManifest endpoint = "manifest" // GET {api-root}/collections/{id}/manifest/
	epObject   endpoint = "object"   // GET {api-root}/collections/{id}/objects/{object-id}/
	epVersions endpoint = "versions" // GET {api-root}/collections/{id}/objects/{object-id}/versions/
	epDelete   endpoint = "delete"   // DELETE {api-root}/collections/{id}/objects/{object-id}/
)

// params lists the parameters each endpoint defines (TAXII 2.1 §5.3–§5.8).
// Others are ignored, as unknown match fields may be (§3.4).
var params = map[endpoint][]string{
	epObjects:  {"added_after", "limit", "next", "match[id]", "match[type]", "match[version]", "match[spec_version]"},
	epManifest: {"added_after", "limit", "next", "match[id]", "match[type]", "match[version]", "match[spec_version]"},
	epObject:   {"added_after", "limit", "next", "match[version]", "match[spec_version]"},
	epVersions: {"added_after", "limit", "next", "match[spec_version]"},
	epDelete:   {"match[version]", "match[spec_version]"},
}

// filters is a parsed, checked query string.
type filters struct {
	AddedAfter   time.Time
	Limit        int    // 1 … the server's page size
	Next         string // the cursor as given; "" for none
	IDs, Types   []string
	Versions     store.VersionMatch
	SpecVersions []string
	// versionSet: match[version] was given (DELETE's default differs).
	versionSet bool
}

// badParam is the 400 of a malformed parameter; its description starts
// with the parameter's name.
func badParam(name, why string) *apiError {
	return fail(400, "Bad request", name+": "+why)
}

var specVersionForm = regexp.MustCompile(`^[0-9]{1,3}\.[0-9]{1,3}$`)

// parseFilters parses the query string of a request to an endpoint. Every
// TAXII parameter may be given once; a malformed one is a 400 naming it.
// pageSize caps limit (and is the limit when none is given).
func parseFilters(rawQuery string, ep endpoint, pageSize int) (filters, error) {
	f := filters{Limit: pageSize}
	if len(rawQuery) > maxQueryLength {
		return f, fail(400, "Bad request", "the query string is longer than "+strconv.Itoa(maxQueryLength)+" bytes")
	}
	vals, err := url.ParseQuery(rawQuery)
	if err != nil {
		return f, fail(400, "Bad request", "the query string is malformed: "+err.Error())
	}
	allowed := params[ep]
	for name, vs := range vals {
		taxiiParam := strings.HasPrefix(name, "match[") || name == "added_after" || name == "limit" || name == "next"
		if !taxiiParam {
			continue // not TAXII's: ignored
		}
		if len(vs) > 1 {
			return f, badParam(name, "give it at most once (comma-separate several values)")
		}
		if !slices.Contains(allowed, name) {
			continue // not defined for this endpoint, or an unknown match field: ignored
		}
		if err := f.set(name, vs[0], pageSize); err != nil {
			return f, err
		}
	}
	return f, nil
}

// set parses one parameter into f.
func (f *filters) set(name, v string, pageSize int) error {
	switch name {
	case "added_after":
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return badParam(name, "want a timestamp such as 2026-11-28T09:00:00.000000Z")
		}
		// date_added has microseconds: "after t" is "after t truncated".
		f.AddedAfter = t.UTC().Truncate(time.Microsecond)
		return nil
	case "limit":
		if v == "" || strings.Trim(v, "0123456789") != "" {
			return badParam(name, "want a positive integer")
		}
		n, err := strconv.Atoi(v)
		if err != nil { // too many digits: more than any page anyway
			n = pageSize
		}
		if n < 1 {
			return badParam(name, "want a positive integer")
		}
		f.Limit = min(n, pageSize)
		return nil
	case "next":
		if len(v) > maxCursorLength {
			return errCursor
		}
		f.Next = v
		return nil
	}
	list := strings.Split(v, ",")
	if len(list) > maxMatchValues {
		return badParam(name, "at most "+strconv.Itoa(maxMatchValues)+" values")
	}
	seen := make(map[string]bool, len(list))
	for _, x := range list {
		if x == "" {
			return badParam(name, "empty value (values are separated by a comma, without spaces)")
		}
		if seen[x] {
			return badParam(name, x+" is given twice")
		}
		seen[x] = true
	}
	switch name {
	case "match[id]":
		for _, id := range list {
			if err := stix.CheckID(id, ""); err != nil {
				return badParam(name, "not a STIX id: "+err.Error())
			}
		}
		f.IDs = list
	case "match[type]":
		for _, t := range list {
			if !stix.ValidType(t) {
				return badParam(name, strconv.Quote(t)+" is not a STIX type name (3 to 250 of a-z, 0-9 and -)")
			}
		}
		f.Types = list
	case "match[version]":
		f.versionSet = true
		var exact []time.Time
		for _, x := range list {
			switch x {
			case "all":
				f.Versions.All = true
			case "first":
				f.Versions.First = true
			case "last":
				f.Versions.Last = true
			default:
				t, err := stix.ParseTimestamp(x)
				if err != nil {
					return badParam(name, "want last, first, all or STIX timestamps such as 2026-11-28T09:00:00.000Z, got "+strconv.Quote(x))
				}
				t = t.UTC()
				if slices.ContainsFunc(exact, t.Equal) {
					return badParam(name, x+" is given twice")
				}
				exact = append(exact, t)
			}
		}
		if f.Versions.All && len(list) > 1 {
			return badParam(name, "all cannot be combined with other values")
		}
		f.Versions.Exact = exact
	case "match[spec_version]":
		for _, sv := range list {
			if !specVersionForm.MatchString(sv) {
				return badParam(name, "want versions such as 2.1, got "+strconv.Quote(sv))
			}
		}
		f.SpecVersions = list
	}
	return nil
}

// queryHash is the SHA-256 of the normalized query a cursor belongs to:
// the endpoint, the collection, the object and every filter but next and
// limit (a client may change the page size while paging).
func queryHash(ep endpoint, collectionID, objectID string, f filters) [32]byte {
	var b strings.Builder
	field := func(s string) { b.WriteString(s); b.WriteByte(0) }
	list := func(vs []string) {
		vs = slices.Clone(vs)
		slices.Sort(vs)
		field(strings.Join(vs, ","))
	}
	field(string(ep))
	field(collectionID)
	field(objectID)
	if f.AddedAfter.IsZero() {
		field("")
	} else {
		field(strconv.FormatInt(f.AddedAfter.UnixMicro(), 10))
	}
	list(f.IDs)
	list(f.Types)
	v := f.Versions
	field(strconv.FormatBool(v.All) + strconv.FormatBool(v.First) + strconv.FormatBool(v.Last) + strconv.FormatBool(f.versionSet))
	var exact []string
	for _, t := range v.Exact {
		exact = append(exact, strconv.FormatInt(t.UnixNano(), 10))
	}
	list(exact)
	list(f.SpecVersions)
	return sha256.Sum256([]byte(b.String()))
}

// cursor is what a next value carries: where the page ended.
type cursor struct {
	Seq       int64     // the last row's seq
	DateAdded time.Time // the last row's date_added
	Expires   time.Time
}

// cursorVersion is the first byte of every cursor, so that its layout can
// change.
const cursorVersion = 1

// Cursor layout: version (1) | seq (8) | date_added µs (8) | expiry s (8) | HMAC-SHA256 (32).
const (
	cursorPayload = 1 + 8 + 8 + 8
	cursorSize    = cursorPayload + sha256.Size
)

// errCursor is the 400 of a next value that is not a cursor of this query
// for this caller; it does not say which.
var errCursor = badParam("next", "not a cursor this server issued for this query and caller; start again without next")

// errCursorExpired is the 400 of an expired cursor.
var errCursorExpired = badParam("next", "the cursor has expired; start again without next, or continue with added_after")

// sealCursor makes a next value: the cursor, MAC'd with key over the
// cursor itself, the query's hash and the caller's name.
func sealCursor(key []byte, c cursor, query [32]byte, caller string) string {
	b := make([]byte, cursorPayload, cursorSize)
	b[0] = cursorVersion
	binary.BigEndian.PutUint64(b[1:], uint64(c.Seq))
	binary.BigEndian.PutUint64(b[9:], uint64(c.DateAdded.UnixMicro()))
	binary.BigEndian.PutUint64(b[17:], uint64(c.Expires.Unix()))
	return base64.RawURLEncoding.EncodeToString(cursorMAC(key, b, query, caller, b))
}

// cursorMAC appends to dst the MAC of a cursor's payload for a query and a
// caller.
func cursorMAC(key, payload []byte, query [32]byte, caller string, dst []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(payload)
	m.Write(query[:])
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(caller)))
	m.Write(n[:])
	m.Write([]byte(caller))
	return m.Sum(dst)
}

// openCursor checks a next value against the query and the caller and
// returns its cursor: errCursor if it was not issued for them (or was
// altered), errCursorExpired if it has expired at now.
func openCursor(key []byte, next string, query [32]byte, caller string, now time.Time) (cursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(next)
	if err != nil || len(b) != cursorSize || b[0] != cursorVersion {
		return cursor{}, errCursor
	}
	if !hmac.Equal(cursorMAC(key, b[:cursorPayload], query, caller, nil), b[cursorPayload:]) {
		return cursor{}, errCursor
	}
	c := cursor{
		Seq:       int64(binary.BigEndian.Uint64(b[1:])),
		DateAdded: time.UnixMicro(int64(binary.BigEndian.Uint64(b[9:]))).UTC(),
		Expires:   time.Unix(int64(binary.BigEndian.Uint64(b[17:])), 0).UTC(),
	}
	if !now.Before(c.Expires) {
		return cursor{}, errCursorExpired
	}
	if c.Seq < 0 {
		return cursor{}, errCursor
	}
	return c, nil
}
