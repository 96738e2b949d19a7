package stix

import (
	"fmt"
	"regexp"
	"time"
)

// TimestampLayout is how nisnet writes STIX timestamps: UTC with millisecond
// precision, the minimum STIX 2.1 §3.2 requires for created and modified.
const TimestampLayout = "2006-01-02T15:04:05.000Z"

// Timestamp formats t as a STIX timestamp with millisecond precision.
func Timestamp(t time.Time) string { return t.UTC().Format(TimestampLayout) }

// STIX 2.1 §3.2: RFC 3339, UTC with a capital Z, optional fraction of any
// length. encoding/json and time.Parse alone would also accept offsets.
var timestampForm = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$`)

// ParseTimestamp parses a STIX timestamp (STIX 2.1 §3.2): RFC 3339 in UTC
// with the Z suffix and an optional fraction of a second.
func ParseTimestamp(s string) (time.Time, error) {
	if !timestampForm.MatchString(s) {
		return time.Time{}, fmt.Errorf("%q: want an RFC 3339 UTC timestamp such as 2026-11-28T09:30:00.000Z", s)
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q: %v", s, err)
	}
	return t, nil
}
