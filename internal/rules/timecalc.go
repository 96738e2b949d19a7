package rules

import (
	"fmt"
	"time"

	"github.com/nisnet-eu/nisnet/internal/calendar"
)

// periodUnit is the unit a legal time limit is expressed in.
type periodUnit int

const (
	unitHours periodUnit = iota
	unitDays
	unitMonths
)

// period is a legal time limit such as "24 hours" or "one month".
type period struct {
	n    int
	unit periodUnit
}

func hours(n int) period  { return period{n, unitHours} }
func days(n int) period   { return period{n, unitDays} }
func months(n int) period { return period{n, unitMonths} }

func (p period) String() string {
	switch p.unit {
	case unitHours:
		return fmt.Sprintf("%d h", p.n)
	case unitDays:
		return fmt.Sprintf("%d days", p.n)
	default:
		if p.n == 1 {
			return "1 month"
		}
		return fmt.Sprintf("%d months", p.n)
	}
}

// clock does the time arithmetic of RULES.md §0.2 under the chosen readings.
type clock struct {
	reading    PeriodReading
	monthClock MonthClock
	loc        *time.Location // the entity's Member State time zone
	ms         string
	cal        *calendar.Calendar
}

// addMonths adds n calendar months to t on the given location's wall clock,
// keeping the clock time and clamping the day to the end of the target month
// (31 January + 1 month = 28 or 29 February), unlike time.AddDate, which
// normalises 31 February to early March.
func addMonths(t time.Time, n int, loc *time.Location) time.Time {
	lt := t.In(loc)
	y, m, d := lt.Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, loc)
	last := daysIn(first.Year(), first.Month())
	if d > last {
		d = last
	}
	return time.Date(first.Year(), first.Month(), d, lt.Hour(), lt.Minute(), lt.Second(), lt.Nanosecond(), loc).UTC()
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// due returns the end of period p running from anchor, under the clock's
// reading. Hour periods never roll over weekends or holidays under either
// reading (Reg. 1182/71 Art 3(3)–(4) apply Art 3(4) only to periods not
// expressed in hours).
func (c clock) due(anchor time.Time, p period) time.Time {
	anchor = anchor.UTC()
	if c.reading == ReadingReg1182 {
		return c.due1182(anchor, p)
	}
	switch p.unit {
	case unitHours:
		return anchor.Add(time.Duration(p.n) * time.Hour)
	case unitDays:
		return anchor.Add(time.Duration(p.n) * 24 * time.Hour)
	default:
		loc := time.UTC
		if c.monthClock == MonthClockLocal {
			loc = c.loc
		}
		return addMonths(anchor, p.n, loc)
	}
}

// due1182 implements Council Regulation 1182/71 Art 3: the hour (for hour
// periods) or the day (for day and month periods) in which the event occurs
// is not counted (Art 3(1)); a period ends at the expiry of its last hour or
// day (Art 3(2)); a period not expressed in hours whose last day is a
// Saturday, Sunday or public holiday ends at the expiry of the following
// working day (Art 3(4)). Days are those of the entity's Member State.
func (c clock) due1182(anchor time.Time, p period) time.Time {
	if p.unit == unitHours {
		return anchor.Truncate(time.Hour).Add(time.Duration(p.n+1) * time.Hour)
	}
	lt := anchor.In(c.loc)
	day := time.Date(lt.Year(), lt.Month(), lt.Day(), 0, 0, 0, 0, c.loc)
	var last time.Time // the start of the period's last day
	if p.unit == unitDays {
		last = day.AddDate(0, 0, p.n)
	} else {
		last = addMonths(day, p.n, c.loc).In(c.loc)
	}
	if c.cal != nil {
		for i := 0; i < 14; i++ {
			d := calendar.Date{Year: last.Year(), Month: last.Month(), Day: last.Day()}
			if c.cal.IsWorkingDay(c.ms, d) {
				break
			}
			last = last.AddDate(0, 0, 1)
		}
	}
	// expiry of the last hour of the last day
	return last.AddDate(0, 0, 1).Add(-time.Nanosecond).UTC()
}

func calendarLocation(ms string) (*time.Location, error) {
	if ms == "" {
		return time.UTC, nil
	}
	return calendar.Location(ms)
}
