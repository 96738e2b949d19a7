package calendar

import (
	"fmt"
	"time"
)

// dateLayout is the textual form of a Date (ISO 8601 calendar date).
const dateLayout = "2006-01-02"

// Date is a civil (calendar) date without a time of day or a time zone.
// The zero value is not a valid date.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the civil date of t in t's own location. To get the date
// in a Member State, convert t first: DateOf(t.In(loc)).
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// ParseDate parses a date in the strict form "2006-01-02" (four-digit
// year, two-digit month and day) and rejects dates that do not exist,
// such as "2025-02-29".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		return Date{}, fmt.Errorf("calendar: invalid date %q: want YYYY-MM-DD", s)
	}
	d := DateOf(t)
	if d.String() != s { // defensive: reject anything that does not round-trip
		return Date{}, fmt.Errorf("calendar: invalid date %q: want YYYY-MM-DD", s)
	}
	return d, nil
}

// String returns the date as "2006-01-02".
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// IsValid reports whether d names an existing day of the Gregorian calendar
// (years 1 to 9999).
func (d Date) IsValid() bool {
	if d.Year < 1 || d.Year > 9999 {
		return false
	}
	return DateOf(d.noonUTC()) == d
}

// noonUTC is d at 12:00 UTC; noon keeps day arithmetic clear of any edge.
func (d Date) noonUTC() time.Time {
	return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC)
}

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday {
	return d.noonUTC().Weekday()
}

// IsWeekend reports whether d is a Saturday or a Sunday.
func (d Date) IsWeekend() bool {
	wd := d.Weekday()
	return wd == time.Saturday || wd == time.Sunday
}

// AddDays returns the date n days after d (before d if n is negative).
func (d Date) AddDays(n int) Date {
	return DateOf(d.noonUTC().AddDate(0, 0, n))
}

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int {
	switch {
	case d.Year != e.Year:
		return cmpInt(d.Year, e.Year)
	case d.Month != e.Month:
		return cmpInt(int(d.Month), int(e.Month))
	default:
		return cmpInt(d.Day, e.Day)
	}
}

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.Compare(e) < 0 }

// After reports whether d is after e.
func (d Date) After(e Date) bool { return d.Compare(e) > 0 }

// At returns the instant at hour:min on date d in loc.
func (d Date) At(hour, min int, loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, hour, min, 0, 0, loc)
}

// MarshalText implements encoding.TextMarshaler ("2006-01-02").
func (d Date) MarshalText() ([]byte, error) {
	return []byte(d.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler, using ParseDate.
func (d *Date) UnmarshalText(b []byte) error {
	p, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = p
	return nil
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
