package store

import (
	"database/sql/driver"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// dialect holds the few real differences between SQLite and PostgreSQL.
// Queries are written once with ? placeholders in the common SQL subset;
// table definitions live in the per-dialect migration folders.
type dialect struct {
	name string // "sqlite" or "postgres"
}

var (
	sqliteDialect   = dialect{name: "sqlite"}
	postgresDialect = dialect{name: "postgres"}
)

func (d dialect) postgres() bool { return d.name == postgresDialect.name }

// rebind rewrites ? placeholders to $1, $2, … for PostgreSQL. Question marks
// inside single-quoted literals, double-quoted identifiers and comments are
// left alone.
func (d dialect) rebind(query string) string {
	if !d.postgres() || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 8)
	n := 0
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'' || c == '"':
			j := strings.IndexByte(query[i+1:], c)
			if j < 0 {
				b.WriteString(query[i:])
				return b.String()
			}
			b.WriteString(query[i : i+j+2])
			i += j + 1
		case c == '-' && i+1 < len(query) && query[i+1] == '-':
			j := strings.IndexByte(query[i:], '\n')
			if j < 0 {
				b.WriteString(query[i:])
				return b.String()
			}
			b.WriteString(query[i : i+j+1])
			i += j
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// skipLocked is the row-locking suffix for claiming queue rows: PostgreSQL
// lets concurrent workers skip rows another transaction holds; SQLite has a
// single writer, so a plain SELECT inside the write transaction suffices.
func (d dialect) skipLocked() string {
	if d.postgres() {
		return " FOR UPDATE SKIP LOCKED"
	}
	return ""
}

// forUpdate is the suffix that locks the rows a SELECT reads until the
// transaction ends, so that concurrent writers of the same row queue up on
// PostgreSQL. SQLite's write transaction already holds the database's write
// lock.
func (d dialect) forUpdate() string {
	if d.postgres() {
		return " FOR UPDATE"
	}
	return ""
}

// limit and limitOffset end a query that returns a page of rows; their
// arguments are the limit and, for limitOffset, the offset. SQLite reads
// the value bound to a bare LIMIT or OFFSET parameter when it plans the
// statement, so binding a new value makes it prepare the statement again on
// every run; an expression of the parameter leaves the plan alone.
func (d dialect) limit() string {
	if d.postgres() {
		return " LIMIT ?"
	}
	return " LIMIT ? + 0"
}

func (d dialect) limitOffset() string {
	if d.postgres() {
		return " LIMIT ? OFFSET ?"
	}
	return " LIMIT ? + 0 OFFSET ? + 0"
}

// indexedBy names the index SQLite is to read a table through, after the
// table's name in FROM, where its planner, lacking statistics, would pick
// a worse one. PostgreSQL plans with statistics and has no such clause.
func (d dialect) indexedBy(index string) string {
	if d.postgres() {
		return ""
	}
	return " INDEXED BY " + index
}

// contains returns an SQL condition that is true when the text expression
// haystack contains the text expression needle, compared exactly (LIKE
// would need escaping and ignores ASCII case on SQLite).
func (d dialect) contains(haystack, needle string) string {
	if d.postgres() {
		return "strpos(" + haystack + ", " + needle + ") > 0"
	}
	return "instr(" + haystack + ", " + needle + ") > 0"
}

// prefixEnd returns the least string greater than every string that starts
// with prefix, for a range condition col >= prefix AND col < end that an
// index on col can serve. It reports false where text does not compare byte
// by byte (PostgreSQL compares by the database's collation) or no such
// string exists.
func (d dialect) prefixEnd(prefix string) (string, bool) {
	if d.postgres() {
		return "", false
	}
	b := []byte(prefix)
	for len(b) > 0 && b[len(b)-1] == 0xff {
		b = b[:len(b)-1]
	}
	if len(b) == 0 {
		return "", false
	}
	b[len(b)-1]++
	return string(b), true
}

// args converts query arguments to their stored representation. Times are
// the only values that need it; see timeLayout.
// The caller's slice is not modified.
func (d dialect) args(args []any) []any {
	var out []any
	for i, a := range args {
		if t, ok := a.(time.Time); ok {
			if out == nil {
				out = append([]any(nil), args...)
			}
			out[i] = d.timeValue(t)
		}
	}
	if out == nil {
		return args
	}
	return out
}

// timeLayout is how a time is stored on SQLite: UTC, RFC 3339 with exactly six
// fractional digits, so values are fixed width and sort as text.
// PostgreSQL stores TIMESTAMPTZ, whose resolution is one microsecond.
// Every time the store writes is first truncated to the microsecond, so a
// value read back is equal (==, after UTC) to the value written on both
// dialects — the audit hash depends on that.
const timeLayout = "2006-01-02T15:04:05.000000Z"

// storedTime normalises t to what the database keeps: UTC, microseconds.
func storedTime(t time.Time) time.Time {
	return t.UTC().Truncate(time.Microsecond)
}

func (d dialect) timeValue(t time.Time) driver.Value {
	t = storedTime(t)
	if d.postgres() {
		return t
	}
	return t.Format(timeLayout)
}

// nullTime maps the zero time to SQL NULL.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// timeScanner scans a stored time from either dialect into *t, normalised to
// UTC. NULL scans to the zero time.
type timeScanner struct{ t *time.Time }

func scanTime(t *time.Time) timeScanner { return timeScanner{t} }

func (s timeScanner) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*s.t = time.Time{}
	case time.Time:
		*s.t = v.UTC()
	case string:
		return s.parse(v)
	case []byte:
		return s.parse(string(v))
	default:
		return fmt.Errorf("store: cannot scan %T into a time", src)
	}
	return nil
}

func (s timeScanner) parse(v string) error {
	t, err := time.Parse(timeLayout, v)
	if err != nil {
		return fmt.Errorf("store: stored time %q: %w", v, err)
	}
	*s.t = t
	return nil
}
