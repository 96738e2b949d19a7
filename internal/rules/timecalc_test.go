package rules

import (
	"testing"
	"time"

	"github.com/nisnet-eu/nisnet/internal/calendar"
)

func amsterdam(t *testing.T) *time.Location {
	t.Helper()
	loc, err := calendar.Location("NL")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestAddMonths(t *testing.T) {
	nl := amsterdam(t)
	tests := []struct {
		name   string
		from   string
		n      int
		loc    *time.Location
		want   string
		reason string
	}{
		{"RULES.md §0.2: 31 January + 1 month clamps to 28 February, not 3 March", "2025-01-31T10:00:00Z", 1, time.UTC, "2025-02-28T10:00:00Z", ""},
		{"leap year: 31 January 2024 + 1 month is 29 February", "2024-01-31T10:00:00Z", 1, time.UTC, "2024-02-29T10:00:00Z", ""},
		{"31 March + 1 month clamps to 30 April", "2025-03-31T10:00:00Z", 1, time.UTC, "2025-04-30T10:00:00Z", ""},
		{"December + 1 month is January of the next year", "2025-12-15T23:30:00Z", 1, time.UTC, "2026-01-15T23:30:00Z", ""},
		{"31 December + 2 months clamps to 28 February", "2025-12-31T08:00:00Z", 2, time.UTC, "2026-02-28T08:00:00Z", ""},
		{"a day that exists is kept", "2025-05-12T09:30:00Z", 1, time.UTC, "2025-06-12T09:30:00Z", ""},
		{"six months back from 31 August clamps to 28 February", "2026-08-31T12:00:00Z", -6, time.UTC, "2026-02-28T12:00:00Z", ""},
		{"six months back across a year end", "2026-03-05T10:00:00Z", -6, time.UTC, "2025-09-05T10:00:00Z", ""},
		{"nanoseconds are kept", "2025-01-31T10:00:00.123456789Z", 1, time.UTC, "2025-02-28T10:00:00.123456789Z", ""},
		{"month_clock local (ambiguity 17): 20:00 CEST on 6 October is 20:00 CET on 6 November", "2025-10-06T18:00:00Z", 1, nl, "2025-11-06T19:00:00Z", ""},
		{"month_clock local: 13:00 CET on 15 March is 13:00 CEST on 15 April", "2025-03-15T12:00:00Z", 1, nl, "2025-04-15T11:00:00Z", ""},
		{"local clock decides the day: 23:30 UTC on 30 April is 1 May in the Netherlands", "2025-04-30T23:30:00Z", 1, nl, "2025-05-31T23:30:00Z", ""},
		{"local clamping: 31 January 00:30 CET + 1 month is 28 February 00:30 CET", "2025-01-30T23:30:00Z", 1, nl, "2025-02-27T23:30:00Z", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := addMonths(at(tt.from), tt.n, tt.loc)
			if !got.Equal(at(tt.want)) {
				t.Errorf("addMonths(%s, %d): got %s, want %s", tt.from, tt.n, got.Format(time.RFC3339Nano), tt.want)
			}
			if got.Location() != time.UTC {
				t.Errorf("addMonths returns %v, want UTC", got.Location())
			}
		})
	}
}

func TestAddMonthsNotAddDate(t *testing.T) {
	// The pitfall RULES.md §0.2 warns about: the standard library normalises.
	from := at("2025-01-31T10:00:00Z")
	if std := from.AddDate(0, 1, 0); !std.Equal(at("2025-03-03T10:00:00Z")) {
		t.Fatalf("time.AddDate behaves differently than assumed: %s", std)
	}
	if got := addMonths(from, 1, time.UTC); got.Month() != time.February {
		t.Errorf("addMonths(31 Jan, 1): got %s, want a day in February", got)
	}
}

func TestClockDue(t *testing.T) {
	nl := amsterdam(t)
	cal := calendar.Default()
	exact := clock{reading: ReadingExact, monthClock: MonthClockUTC, loc: nl, ms: "NL", cal: cal}
	exactLocal := clock{reading: ReadingExact, monthClock: MonthClockLocal, loc: nl, ms: "NL", cal: cal}
	reg := clock{reading: ReadingReg1182, monthClock: MonthClockUTC, loc: nl, ms: "NL", cal: cal}
	tests := []struct {
		name   string
		clk    clock
		anchor string
		p      period
		want   string
	}{
		// Exact reading (platform default).
		{"exact: 24 h is anchor + 24 h", exact, "2026-03-05T10:20:00Z", hours(24), "2026-03-06T10:20:00Z"},
		{"exact: 72 h is anchor + 72 h", exact, "2026-03-05T10:20:00Z", hours(72), "2026-03-08T10:20:00Z"},
		{"exact: a 24 h limit ending on Saturday stays on Saturday", exact, "2026-03-06T10:00:00Z", hours(24), "2026-03-07T10:00:00Z"},
		{"exact: a 24 h limit ending on Easter Monday stays on Easter Monday", exact, "2026-04-05T09:00:00Z", hours(24), "2026-04-06T09:00:00Z"},
		{"exact: 24 h across the spring daylight-saving change is 24 real hours", exact, "2026-03-28T12:00:00Z", hours(24), "2026-03-29T12:00:00Z"},
		{"exact: 14 days is 14 × 24 h", exact, "2026-09-30T18:00:00Z", days(14), "2026-10-14T18:00:00Z"},
		{"exact: 14 days ending on Saturday do not roll", exact, "2026-10-03T10:00:00Z", days(14), "2026-10-17T10:00:00Z"},
		{"exact: 1 month keeps the UTC clock across the autumn change (ambiguity 17, utc)", exact, "2025-10-06T18:00:00Z", months(1), "2025-11-06T18:00:00Z"},
		{"exact: 1 month keeps the local clock with month_clock local", exactLocal, "2025-10-06T18:00:00Z", months(1), "2025-11-06T19:00:00Z"},
		{"exact: 1 month from 31 January clamps to 28 February", exact, "2025-01-31T10:00:00Z", months(1), "2025-02-28T10:00:00Z"},
		{"exact: 1 month ending on Saturday does not roll", exact, "2026-03-04T10:00:00Z", months(1), "2026-04-04T10:00:00Z"},
		{"exact: hour periods ignore month_clock local", exactLocal, "2025-10-25T18:00:00Z", hours(24), "2025-10-26T18:00:00Z"},

		// Council Regulation 1182/71 Art 3 (ambiguity 2).
		{"Reg 1182/71 Art 3(1): the hour of the event is not counted, 10:20 + 24 h ends 11:00 the next day", reg, "2026-03-05T10:20:00Z", hours(24), "2026-03-06T11:00:00Z"},
		{"Reg 1182/71 Art 3(1): an event at 10:00:00 falls in the 10:00 hour, 24 h end 11:00 the next day", reg, "2026-03-05T10:00:00Z", hours(24), "2026-03-06T11:00:00Z"},
		{"Reg 1182/71 Art 3(1): an event at 10:59:59 still ends at 11:00 after 72 h", reg, "2026-03-05T10:59:59Z", hours(72), "2026-03-08T11:00:00Z"},
		{"Reg 1182/71 Art 3(4): a 24 h limit ending on Saturday stays on Saturday (hours never roll)", reg, "2026-03-06T10:20:00Z", hours(24), "2026-03-07T11:00:00Z"},
		{"Reg 1182/71 Art 3(4): a 24 h limit ending on Easter Monday stays on it", reg, "2026-04-05T09:10:00Z", hours(24), "2026-04-06T10:00:00Z"},
		{"Reg 1182/71 Art 3(1),(2)(b): 14 days end at the end of the 14th day, local time", reg, "2026-09-30T18:00:00Z", days(14), "2026-10-14T21:59:59.999999999Z"},
		{"Reg 1182/71 Art 3(1): the event's day is the local day (00:30 CEST on 14 October)", reg, "2026-10-13T22:30:00Z", days(14), "2026-10-28T22:59:59.999999999Z"},
		{"Reg 1182/71 Art 3(4): 14 days ending on Saturday roll to Monday", reg, "2026-10-03T10:00:00Z", days(14), "2026-10-19T21:59:59.999999999Z"},
		{"Reg 1182/71 Art 3(4): 14 days ending on Sunday roll to Monday", reg, "2026-10-04T10:00:00Z", days(14), "2026-10-19T21:59:59.999999999Z"},
		{"Reg 1182/71 Art 3(4): 14 days ending on King's Day (NL holiday, Monday 27 April 2026) roll to Tuesday", reg, "2026-04-13T08:00:00Z", days(14), "2026-04-28T21:59:59.999999999Z"},
		{"Reg 1182/71 Art 3(2)(c): 1 month ends at the end of the day with the same date", reg, "2026-05-12T09:00:00Z", months(1), "2026-06-12T21:59:59.999999999Z"},
		{"Reg 1182/71 Art 3(4): 1 month ending on Easter Sunday rolls past Easter Monday to Tuesday", reg, "2026-03-05T10:00:00Z", months(1), "2026-04-07T21:59:59.999999999Z"},
		{"Reg 1182/71 Art 3(2)(c): 1 month from 31 January clamps to 28 February (Saturday), rolls to Monday 2 March", reg, "2026-01-31T10:00:00Z", months(1), "2026-03-02T22:59:59.999999999Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.clk.due(at(tt.anchor), tt.p)
			if !got.Equal(at(tt.want)) {
				t.Errorf("due(%s, %s): got %s, want %s", tt.anchor, tt.p, got.UTC().Format(time.RFC3339Nano), tt.want)
			}
		})
	}
}

func TestClockDueReadsTheInstantNotItsNotation(t *testing.T) {
	nl := amsterdam(t)
	c := clock{reading: ReadingExact, monthClock: MonthClockUTC, loc: nl, ms: "NL", cal: calendar.Default()}
	// 2025-01-31T10:00Z written as 11:00+01:00: the UTC clock decides.
	got := c.due(at("2025-01-31T11:00:00+01:00"), months(1))
	if want := at("2025-02-28T10:00:00Z"); !got.Equal(want) {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestPeriodString(t *testing.T) {
	for _, tt := range []struct {
		p    period
		want string
	}{{hours(24), "24 h"}, {days(14), "14 days"}, {months(1), "1 month"}, {months(2), "2 months"}} {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
}
