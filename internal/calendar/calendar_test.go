package calendar

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

func d(s string) Date {
	x, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return x
}

func TestEaster(t *testing.T) {
	tests := []struct {
		year int
		want string
	}{
		{1818, "1818-03-22"}, // earliest possible date
		{1943, "1943-04-25"}, // latest possible date
		{2019, "2019-04-21"},
		{2024, "2024-03-31"},
		{2025, "2025-04-20"},
		{2026, "2026-04-05"},
		{2027, "2027-03-28"},
		{2028, "2028-04-16"},
		{2029, "2029-04-01"},
		{2030, "2030-04-21"},
		{2038, "2038-04-25"},
		{2100, "2100-03-28"},
	}
	for _, tt := range tests {
		if got := Easter(tt.year); got.String() != tt.want {
			t.Errorf("Easter(%d) = %v, want %s", tt.year, got, tt.want)
		}
		if got := Easter(tt.year).Weekday(); got != time.Sunday {
			t.Errorf("Easter(%d) is a %v, want Sunday", tt.year, got)
		}
	}
}

func TestOrthodoxEaster(t *testing.T) {
	tests := []struct {
		year int
		want string
	}{
		{2021, "2021-05-02"},
		{2023, "2023-04-16"},
		{2024, "2024-05-05"},
		{2025, "2025-04-20"},
		{2026, "2026-04-12"},
		{2027, "2027-05-02"},
		{2028, "2028-04-16"},
		{2029, "2029-04-08"},
		{2030, "2030-04-28"},
	}
	for _, tt := range tests {
		if got := OrthodoxEaster(tt.year); got.String() != tt.want {
			t.Errorf("OrthodoxEaster(%d) = %v, want %s", tt.year, got, tt.want)
		}
	}
	// Over a long run: always a Sunday, never before the Gregorian one.
	for y := 1900; y <= 2200; y++ {
		o := OrthodoxEaster(y)
		if o.Weekday() != time.Sunday || o.Before(Easter(y)) || o.Year != y {
			t.Errorf("OrthodoxEaster(%d) = %v (%v), want a Sunday on or after %v", y, o, o.Weekday(), Easter(y))
		}
	}
}

func TestKnownHolidays(t *testing.T) {
	cal := Default()
	tests := []struct {
		code string
		date string
		want bool
	}{
		{"NL", "2025-04-26", true},  // King's Day, moved from Sunday 27 April
		{"NL", "2025-04-27", false}, // Sunday
		{"NL", "2026-04-27", true},  // King's Day
		{"NL", "2025-04-18", false}, // Good Friday is not a holiday in NL
		{"NL", "2025-04-21", true},  // Easter Monday
		{"NL", "2025-05-29", true},  // Ascension
		{"NL", "2025-06-09", true},  // Whit Monday
		{"DE", "2025-10-03", true},  // German Unity Day
		{"DE", "2026-10-03", true},
		{"DE", "2030-10-03", true},
		{"DE", "2025-04-18", true},  // Good Friday
		{"DE", "2025-01-06", false}, // Epiphany: only some Länder
		{"DE", "2025-12-24", false},
		{"IE", "2025-03-17", true}, // St Patrick's Day
		{"IE", "2026-03-17", true},
		{"IE", "2025-02-03", true},  // St Brigid's Day: first Monday in February
		{"IE", "2030-02-01", true},  // ... or 1 February when a Friday
		{"IE", "2030-02-04", false}, // ... and then not the Monday
		{"IE", "2025-10-27", true},  // last Monday of October
		{"EL", "2025-04-18", true},  // Orthodox Good Friday
		{"EL", "2026-04-10", true},  // Orthodox Good Friday (Gregorian one is 3 April)
		{"EL", "2026-04-03", false},
		{"EL", "2026-04-13", true},  // Orthodox Easter Monday
		{"EL", "2025-03-03", true},  // Clean Monday
		{"EL", "2025-06-09", true},  // Orthodox Whit Monday
		{"CY", "2026-02-23", true},  // Green Monday
		{"CY", "2026-04-14", true},  // Easter Tuesday (bank holiday)
		{"CY", "2026-06-01", true},  // Kataklysmos
		{"RO", "2026-06-01", true},  // Children's Day and Orthodox Whit Monday
		{"RO", "2026-01-02", true},  // 2 January
		{"BG", "2026-04-13", true},  // Orthodox Easter Monday
		{"BG", "2025-05-26", true},  // substitute for 24 May (a Saturday)
		{"BG", "2027-05-04", true},  // substitute for 1 May (a Saturday, also Holy Saturday)
		{"BG", "2027-12-28", true},  // second Christmas substitute day
		{"LV", "2025-05-05", true},  // substitute for 4 May (a Sunday)
		{"LV", "2028-11-20", true},  // substitute for 18 November (a Saturday)
		{"FI", "2025-06-20", true},  // Midsummer Eve (bank holiday)
		{"FI", "2025-06-21", true},  // Midsummer Day
		{"SE", "2026-06-19", true},  // Midsummer Eve (bank holiday)
		{"SE", "2026-12-31", true},  // New Year's Eve (bank holiday)
		{"DK", "2026-05-15", true},  // Friday after Ascension (bank holiday)
		{"PL", "2025-12-24", true},  // Christmas Eve, a holiday from 2025
		{"PL", "2026-06-04", true},  // Corpus Christi
		{"IT", "2026-10-04", true},  // St Francis, a holiday from 2026
		{"IT", "2025-10-04", false}, // ... not yet in 2025
		{"SK", "2025-09-01", false}, // Constitution Day: no longer a day off
		{"SK", "2025-05-08", true},
		{"SK", "2026-05-08", false}, // no longer a day off from 2026
		{"ES", "2025-04-18", true},  // Good Friday
		{"ES", "2025-04-17", false}, // Maundy Thursday: regional
		{"FR", "2025-07-14", true},
		{"AT", "2025-10-26", true},
		{"MT", "2025-09-08", true},
		{"PT", "2025-06-19", true}, // Corpus Christi
		{"HR", "2025-06-19", true}, // Corpus Christi
		{"SI", "2026-02-09", false},
		{"SI", "2025-02-08", true},
		{"XX", "2025-01-01", false}, // unknown member state
		{"NL", "2031-01-01", false}, // not covered
	}
	for _, tt := range tests {
		if got := cal.IsHoliday(tt.code, d(tt.date)); got != tt.want {
			t.Errorf("IsHoliday(%s, %s) = %v, want %v", tt.code, tt.date, got, tt.want)
		}
	}
}

func TestHolidayLookup(t *testing.T) {
	cal := Default()
	h, ok := cal.Holiday("NL", d("2025-04-26"))
	if !ok || h.Name != "King's Day" || h.Kind != KindPublic {
		t.Errorf("Holiday(NL, 2025-04-26) = %+v, %v, want King's Day, public", h, ok)
	}
	h, ok = cal.Holiday("DK", d("2025-06-05"))
	if !ok || h.Kind != KindBank {
		t.Errorf("Holiday(DK, 2025-06-05) = %+v, %v, want a bank holiday", h, ok)
	}
	if h, ok := cal.Holiday("NL", d("2025-04-25")); ok {
		t.Errorf("Holiday(NL, 2025-04-25) = %+v, want none", h)
	}
}

func TestWeekend(t *testing.T) {
	cal := Default()
	tests := []struct {
		date    string
		weekend bool
		working bool // in NL
	}{
		{"2025-06-06", false, true},  // Friday
		{"2025-06-07", true, false},  // Saturday
		{"2025-06-08", true, false},  // Sunday (and Whit Sunday)
		{"2025-06-09", false, false}, // Whit Monday
		{"2025-06-10", false, true},  // Tuesday
		{"2026-01-01", false, false}, // New Year's Day, a Thursday
		{"2026-01-02", false, true},
		{"2026-01-03", true, false},
	}
	for _, tt := range tests {
		if got := d(tt.date).IsWeekend(); got != tt.weekend {
			t.Errorf("%s.IsWeekend() = %v, want %v", tt.date, got, tt.weekend)
		}
		if got := cal.IsWorkingDay("NL", d(tt.date)); got != tt.working {
			t.Errorf("IsWorkingDay(NL, %s) = %v, want %v", tt.date, got, tt.working)
		}
	}
}

func TestNextWorkingDayNoon(t *testing.T) {
	cal := Default()
	tests := []struct {
		name string
		code string
		t    string // RFC 3339
		want string // RFC 3339, UTC
	}{
		{"Friday evening to Monday, summer", "NL", "2025-06-13T18:00:00+02:00", "2025-06-16T10:00:00Z"},
		{"Friday evening to Monday, winter", "NL", "2025-01-10T18:00:00+01:00", "2025-01-13T11:00:00Z"},
		{"weekday to next day", "NL", "2025-06-10T09:00:00+02:00", "2025-06-11T10:00:00Z"},
		{"Saturday to Monday", "NL", "2025-06-14T10:00:00Z", "2025-06-16T10:00:00Z"},
		{"Friday to Tuesday over Whit Monday", "NL", "2025-06-06T12:00:00Z", "2025-06-10T10:00:00Z"},
		{"23:30Z Friday is Saturday in Amsterdam", "NL", "2025-06-06T23:30:00Z", "2025-06-10T10:00:00Z"},
		{"22:30Z Thursday is Friday in Amsterdam", "NL", "2025-06-12T22:30:00Z", "2025-06-16T10:00:00Z"},
		{"22:30Z Thursday is still Thursday in Lisbon", "PT", "2025-06-12T22:30:00Z", "2025-06-13T11:00:00Z"},
		{"23:30Z Thursday is Friday in Lisbon", "PT", "2025-06-12T23:30:00Z", "2025-06-16T11:00:00Z"},
		{"21:30Z Thursday is Friday in Helsinki", "FI", "2025-06-12T21:30:00Z", "2025-06-16T09:00:00Z"},
		{"over Easter Monday (NL)", "NL", "2025-04-18T17:00:00+02:00", "2025-04-22T10:00:00Z"},
		{"over Good Friday and Easter Monday (DE)", "DE", "2025-04-17T17:00:00+02:00", "2025-04-22T10:00:00Z"},
		{"over Orthodox Easter (EL)", "EL", "2026-04-09T17:00:00+03:00", "2026-04-14T09:00:00Z"},
		{"year end over 1 January", "NL", "2025-12-31T16:00:00+01:00", "2026-01-02T11:00:00Z"},
		{"year end over 1 and 2 January (SI)", "SI", "2025-12-31T16:00:00+01:00", "2026-01-05T11:00:00Z"},
		{"Christmas substitutes (BG)", "BG", "2027-12-23T10:00:00+02:00", "2027-12-29T10:00:00Z"},
		{"DST change weekend (spring)", "NL", "2025-03-28T18:00:00+01:00", "2025-03-31T10:00:00Z"},
		{"DST change weekend (autumn)", "NL", "2025-10-24T18:00:00+02:00", "2025-10-27T11:00:00Z"},
		{"Madrid", "ES", "2025-12-05T12:00:00+01:00", "2025-12-09T11:00:00Z"}, // 6 Dec Sat, 8 Dec holiday
		{"Cyprus", "CY", "2025-09-30T12:00:00+03:00", "2025-10-02T09:00:00Z"},
	}
	for _, tt := range tests {
		in, err := time.Parse(time.RFC3339, tt.t)
		if err != nil {
			t.Fatal(err)
		}
		got, err := cal.NextWorkingDayNoon(tt.code, in)
		if err != nil {
			t.Errorf("%s: NextWorkingDayNoon(%s, %s): unexpected error %v", tt.name, tt.code, tt.t, err)
			continue
		}
		if got.Location() != time.UTC {
			t.Errorf("%s: got location %v, want UTC", tt.name, got.Location())
		}
		if g := got.Format(time.RFC3339); g != tt.want {
			t.Errorf("%s: NextWorkingDayNoon(%s, %s) = %s, want %s", tt.name, tt.code, tt.t, g, tt.want)
		}
	}
}

func TestNextWorkingDayErrors(t *testing.T) {
	cal := Default()
	at := time.Date(2025, 6, 6, 12, 0, 0, 0, time.UTC)
	for _, code := range []string{"GR", "nl", "UK", "", "XX"} {
		_, err := cal.NextWorkingDayNoon(code, at)
		if !errors.Is(err, ErrUnknownMemberState) {
			t.Errorf("NextWorkingDayNoon(%q): got error %v, want ErrUnknownMemberState", code, err)
		}
		_, err = cal.FallsOnNonWorkingDay(code, at)
		if !errors.Is(err, ErrUnknownMemberState) {
			t.Errorf("FallsOnNonWorkingDay(%q): got error %v, want ErrUnknownMemberState", code, err)
		}
	}
	_, err := cal.NextWorkingDayNoon("GR", at)
	if err == nil || !strings.Contains(err.Error(), `"EL"`) {
		t.Errorf("NextWorkingDayNoon(GR): got error %v, want a hint at EL", err)
	}
	// 31 December 2030 is a Tuesday; the next weekday is in 2031.
	_, err = cal.NextWorkingDayNoon("NL", time.Date(2030, 12, 31, 12, 0, 0, 0, time.UTC))
	if !errors.Is(err, ErrNotCovered) || !strings.Contains(err.Error(), "2031") {
		t.Errorf("NextWorkingDayNoon(NL, 2030-12-31): got error %v, want ErrNotCovered naming 2031", err)
	}
	_, err = cal.NextWorkingDay("NL", d("2024-06-03"))
	if !errors.Is(err, ErrNotCovered) {
		t.Errorf("NextWorkingDay(NL, 2024-06-03): got error %v, want ErrNotCovered", err)
	}
	// Friday 29 December 2028 to Tuesday 2 January 2029 is within coverage.
	got, err := cal.NextWorkingDay("NL", d("2029-12-28"))
	if err != nil || got != d("2029-12-31") {
		t.Errorf("NextWorkingDay(NL, 2029-12-28) = %v, %v, want 2029-12-31", got, err)
	}
}

func TestFallsOnNonWorkingDay(t *testing.T) {
	cal := Default()
	tests := []struct {
		code string
		t    string
		want bool
	}{
		{"NL", "2025-06-06T21:59:59Z", false}, // Friday 23:59:59 in Amsterdam
		{"NL", "2025-06-06T22:00:00Z", true},  // Saturday 00:00 in Amsterdam
		{"NL", "2025-06-06T23:30:00Z", true},  // Saturday 01:30 in Amsterdam
		{"PT", "2025-06-06T23:30:00Z", true},  // Saturday 00:30 in Lisbon
		{"PT", "2025-06-06T22:30:00Z", false}, // Friday 23:30 in Lisbon
		{"FI", "2025-06-08T21:30:00Z", false}, // Monday 00:30 in Helsinki
		{"NL", "2025-06-08T22:30:00Z", true},  // Whit Monday 00:30 in Amsterdam
		{"DE", "2025-10-03T09:00:00Z", true},
		{"IE", "2026-03-17T09:00:00Z", true},
		{"IE", "2026-03-16T09:00:00Z", false},
		{"NL", "2031-01-04T12:00:00Z", true}, // Saturday: no data needed
	}
	for _, tt := range tests {
		in, err := time.Parse(time.RFC3339, tt.t)
		if err != nil {
			t.Fatal(err)
		}
		got, err := cal.FallsOnNonWorkingDay(tt.code, in)
		if err != nil {
			t.Errorf("FallsOnNonWorkingDay(%s, %s): unexpected error %v", tt.code, tt.t, err)
			continue
		}
		if got != tt.want {
			t.Errorf("FallsOnNonWorkingDay(%s, %s) = %v, want %v", tt.code, tt.t, got, tt.want)
		}
	}
	_, err := cal.FallsOnNonWorkingDay("NL", time.Date(2031, 1, 6, 12, 0, 0, 0, time.UTC))
	if !errors.Is(err, ErrNotCovered) {
		t.Errorf("FallsOnNonWorkingDay(NL, 2031-01-06): got error %v, want ErrNotCovered", err)
	}
}

func TestCovers(t *testing.T) {
	cal := Default()
	for _, ms := range MemberStates() {
		for y := 2025; y <= 2030; y++ {
			if !cal.Covers(ms.Code, y) {
				t.Errorf("Covers(%s, %d) = false, want true", ms.Code, y)
			}
		}
		for _, y := range []int{2024, 2031} {
			if cal.Covers(ms.Code, y) {
				t.Errorf("Covers(%s, %d) = true, want false", ms.Code, y)
			}
		}
	}
	if cal.Covers("GR", 2025) {
		t.Errorf("Covers(GR, 2025) = true, want false")
	}
}

// TestDataSanity checks every list of the embedded data.
func TestDataSanity(t *testing.T) {
	cal := Default()
	for _, ms := range MemberStates() {
		for y := 2025; y <= 2030; y++ {
			hs := cal.Holidays(ms.Code, y)
			if len(hs) < 8 {
				t.Errorf("%s %d: got %d holidays, want at least 8", ms.Code, y, len(hs))
			}
			var weekday int
			for i, h := range hs {
				if h.Date.Year != y || !h.Date.IsValid() {
					t.Errorf("%s %d: holiday %v %q: got date outside the year, want within %d", ms.Code, y, h.Date, h.Name, y)
				}
				if i > 0 && !hs[i-1].Date.Before(h.Date) {
					t.Errorf("%s %d: got %v after %v, want strictly sorted", ms.Code, y, h.Date, hs[i-1].Date)
				}
				if h.Name == "" || (h.Kind != KindPublic && h.Kind != KindBank) {
					t.Errorf("%s %d: got holiday %+v, want a name and a valid kind", ms.Code, y, h)
				}
				if !h.Date.IsWeekend() {
					weekday++
				}
			}
			if weekday < 5 {
				t.Errorf("%s %d: got %d holidays on weekdays, want at least 5", ms.Code, y, weekday)
			}
			// Every Member State has New Year's Day and Christmas Day.
			for _, md := range []Date{{y, time.January, 1}, {y, time.December, 25}} {
				if !cal.IsHoliday(ms.Code, md) {
					t.Errorf("IsHoliday(%s, %v) = false, want true", ms.Code, md)
				}
			}
		}
	}
}

func TestHolidaysIsACopy(t *testing.T) {
	cal := Default()
	a := cal.Holidays("NL", 2025)
	a[0].Name = "changed"
	if b := cal.Holidays("NL", 2025); b[0].Name != "New Year's Day" {
		t.Errorf("after changing a copy, got %q, want %q", b[0].Name, "New Year's Day")
	}
	if got := cal.Holidays("NL", 2031); got != nil {
		t.Errorf("Holidays(NL, 2031) = %v, want nil", got)
	}
	if got := cal.Holidays("NL", 2025); len(got) != 9 {
		t.Errorf("len(Holidays(NL, 2025)) = %d, want 9", len(got))
	}
}

func TestSource(t *testing.T) {
	src := Default().Source()
	for _, want := range []string{"all 27 Member States: 2025-2030", "regions", "bank"} {
		if !strings.Contains(src, want) {
			t.Errorf("Source() = %q, want it to contain %q", src, want)
		}
	}
}

func TestDefaultConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	cals := make([]*Calendar, 8)
	for i := range cals {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cals[i] = Default()
			cals[i].IsWorkingDay("NL", d("2025-04-21"))
			if _, err := Location("NL"); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	for i, c := range cals {
		if c != cals[0] {
			t.Errorf("Default() call %d: got a different calendar, want the same one", i)
		}
	}
}

func TestMemberStates(t *testing.T) {
	ms := MemberStates()
	if len(ms) != 27 {
		t.Fatalf("len(MemberStates()) = %d, want 27", len(ms))
	}
	want := "AT BE BG CY CZ DE DK EE EL ES FI FR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK"
	var codes []string
	for _, m := range ms {
		codes = append(codes, m.Code)
		loc, err := Location(m.Code)
		if err != nil {
			t.Errorf("Location(%s): unexpected error %v", m.Code, err)
		} else if loc.String() != m.TimeZone {
			t.Errorf("Location(%s) = %v, want %s", m.Code, loc, m.TimeZone)
		}
	}
	if got := strings.Join(codes, " "); got != want {
		t.Errorf("codes = %s, want %s", got, want)
	}
	ms[0].Code = "ZZ"
	if MemberStates()[0].Code != "AT" {
		t.Errorf("MemberStates() after modifying a copy: got %s, want AT", MemberStates()[0].Code)
	}

	lookups := []struct {
		code   string
		ok     bool
		name   string
		tzName string
	}{
		{"EL", true, "Greece", "Europe/Athens"},
		{"NL", true, "Netherlands", "Europe/Amsterdam"},
		{"PT", true, "Portugal", "Europe/Lisbon"},
		{"ES", true, "Spain", "Europe/Madrid"},
		{"GR", false, "", ""},
		{"nl", false, "", ""},
		{"NLD", false, "", ""},
		{"", false, "", ""},
	}
	for _, tt := range lookups {
		got, ok := LookupMemberState(tt.code)
		if ok != tt.ok || got.Name != tt.name || got.TimeZone != tt.tzName {
			t.Errorf("LookupMemberState(%q) = %+v, %v, want %s %s, %v", tt.code, got, ok, tt.name, tt.tzName, tt.ok)
		}
	}
	if _, err := Location("GR"); !errors.Is(err, ErrUnknownMemberState) {
		t.Errorf("Location(GR): got error %v, want ErrUnknownMemberState", err)
	}
}

func TestDate(t *testing.T) {
	good := []struct {
		in   string
		want Date
	}{
		{"2025-01-01", Date{2025, time.January, 1}},
		{"2024-02-29", Date{2024, time.February, 29}},
		{"1900-12-31", Date{1900, time.December, 31}},
	}
	for _, tt := range good {
		got, err := ParseDate(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseDate(%q) = %v, %v, want %v", tt.in, got, err, tt.want)
		}
		if got.String() != tt.in {
			t.Errorf("String() = %q, want %q", got.String(), tt.in)
		}
	}
	for _, in := range []string{"2025-02-29", "2025-13-01", "2025-1-1", "25-01-01", "2025/01/01", "2025-01-01T00:00:00Z", " 2025-01-01", "", "2025-04-31"} {
		if got, err := ParseDate(in); err == nil {
			t.Errorf("ParseDate(%q) = %v, want an error", in, got)
		}
	}
	arith := []struct {
		from string
		n    int
		want string
	}{
		{"2025-12-31", 1, "2026-01-01"},
		{"2024-02-28", 1, "2024-02-29"},
		{"2025-03-30", -1, "2025-03-29"}, // across a DST change elsewhere
		{"2025-01-01", 365, "2026-01-01"},
	}
	for _, tt := range arith {
		if got := d(tt.from).AddDays(tt.n); got.String() != tt.want {
			t.Errorf("%s.AddDays(%d) = %v, want %s", tt.from, tt.n, got, tt.want)
		}
	}
	if got := d("2025-06-06").Compare(d("2025-06-07")); got != -1 {
		t.Errorf("Compare = %d, want -1", got)
	}
	if !d("2026-01-01").After(d("2025-12-31")) {
		t.Errorf("2026-01-01.After(2025-12-31) = false, want true")
	}
	if (Date{2025, time.February, 29}).IsValid() || (Date{}).IsValid() {
		t.Errorf("IsValid() = true for a non-existent date, want false")
	}
	var x Date
	if err := x.UnmarshalText([]byte("2025-04-26")); err != nil || x != d("2025-04-26") {
		t.Errorf("UnmarshalText = %v, %v, want 2025-04-26", x, err)
	}
	if b, _ := x.MarshalText(); string(b) != "2025-04-26" {
		t.Errorf("MarshalText = %s, want 2025-04-26", b)
	}
	ams, _ := Location("NL")
	if got := DateOf(time.Date(2025, 6, 6, 23, 30, 0, 0, time.UTC).In(ams)); got != d("2025-06-07") {
		t.Errorf("DateOf(2025-06-06T23:30Z in Amsterdam) = %v, want 2025-06-07", got)
	}
}

const goodFile = `{
  "source": "test data",
  "member_states": {
    "NL": {
      "2031": [
        {"date": "2031-01-01", "name": "New Year's Day"},
        {"date": "2031-04-14", "name": "Easter Monday", "kind": "public"},
        {"date": "2031-12-31", "name": "Test bank day", "kind": "bank"}
      ]
    }
  }
}`

func TestLoad(t *testing.T) {
	cal, err := Load(strings.NewReader(goodFile))
	if err != nil {
		t.Fatalf("Load: unexpected error %v", err)
	}
	if !cal.Covers("NL", 2031) || cal.Covers("NL", 2030) {
		t.Errorf("Covers(NL, 2031/2030) = %v/%v, want true/false", cal.Covers("NL", 2031), cal.Covers("NL", 2030))
	}
	hs := cal.Holidays("NL", 2031)
	if len(hs) != 3 || hs[2].Kind != KindBank || hs[0].Kind != KindPublic {
		t.Errorf("Holidays(NL, 2031) = %+v, want 3 with kinds public, public, bank", hs)
	}
	if got := cal.Source(); got != "test data [coverage: NL: 2031]" {
		t.Errorf("Source() = %q, want %q", got, "test data [coverage: NL: 2031]")
	}

	merged := Default().Merge(cal)
	if !merged.Covers("NL", 2031) || !merged.Covers("NL", 2030) || !merged.IsHoliday("NL", d("2031-04-14")) {
		t.Errorf("Merge: got Covers(NL, 2031)=%v Covers(NL, 2030)=%v, want both true", merged.Covers("NL", 2031), merged.Covers("NL", 2030))
	}
	got, err := merged.NextWorkingDayNoon("NL", time.Date(2030, 12, 31, 12, 0, 0, 0, time.UTC))
	if err != nil || got.Format(time.RFC3339) != "2031-01-02T11:00:00Z" {
		t.Errorf("merged NextWorkingDayNoon(NL, 2030-12-31) = %v, %v, want 2031-01-02T11:00:00Z", got, err)
	}
	if Default().Covers("NL", 2031) {
		t.Errorf("Merge modified the default calendar")
	}
	// An update replaces a whole year.
	upd, err := Load(strings.NewReader(`{"source": "u", "member_states": {"NL": {"2025": [{"date": "2025-01-01", "name": "N"}]}}}`))
	if err != nil {
		t.Fatal(err)
	}
	m2 := Default().Merge(upd)
	if m2.IsHoliday("NL", d("2025-04-26")) || !m2.IsHoliday("NL", d("2025-01-01")) || !m2.IsHoliday("NL", d("2026-04-27")) {
		t.Errorf("Merge: got King's Day 2025 %v, want the 2025 list replaced and 2026 kept", m2.IsHoliday("NL", d("2025-04-26")))
	}
}

func TestLoadRejects(t *testing.T) {
	entry := func(s string) string {
		return `{"source": "x", "member_states": {"NL": {"2025": [{"date": "2025-01-01", "name": "A"}, ` + s + `]}}}`
	}
	tests := []struct {
		name  string
		input string
		want  []string // substrings of the error
	}{
		{"unknown entry field", entry(`{"date": "2025-01-02", "name": "B", "extra": 1}`), []string{"NL 2025, entry 2", `unknown field "extra"`}},
		{"unknown top-level field", `{"source": "x", "version": 2, "member_states": {}}`, []string{"top level", `unknown field "version"`}},
		{"unknown member state", `{"source": "x", "member_states": {"XX": {"2025": []}}}`, []string{"unknown member state", `"XX"`}},
		{"GR for Greece", `{"source": "x", "member_states": {"GR": {"2025": []}}}`, []string{`"GR"`, `"EL"`}},
		{"lower-case code", `{"source": "x", "member_states": {"nl": {"2025": []}}}`, []string{`"nl"`, `"NL"`}},
		{"malformed date", entry(`{"date": "2025-02-30", "name": "B"}`), []string{"NL 2025, entry 2", `"2025-02-30"`, "malformed date"}},
		{"date in wrong format", entry(`{"date": "02/01/2025", "name": "B"}`), []string{"entry 2", `"02/01/2025"`, "malformed date"}},
		{"date as number", entry(`{"date": 20250102, "name": "B"}`), []string{"entry 2", `"date"`, "want a string"}},
		{"duplicate date", entry(`{"date": "2025-01-01", "name": "B"}`), []string{"NL 2025, entry 2", `"2025-01-01"`, "duplicate date", "entry 1"}},
		{"date outside its year", entry(`{"date": "2026-01-02", "name": "B"}`), []string{"entry 2", `"2026-01-02"`, "not in 2025"}},
		{"year too early", `{"source": "x", "member_states": {"NL": {"1899": [{"date": "1899-01-01", "name": "A"}]}}}`, []string{`NL "1899"`, "outside 1900-2200"}},
		{"year too late", `{"source": "x", "member_states": {"NL": {"2201": [{"date": "2201-01-01", "name": "A"}]}}}`, []string{`NL "2201"`, "outside 1900-2200"}},
		{"year not a number", `{"source": "x", "member_states": {"NL": {"20x5": []}}}`, []string{`NL "20x5"`, "year"}},
		{"year with sign", `{"source": "x", "member_states": {"NL": {"+2025": []}}}`, []string{`NL "+2025"`, "year"}},
		{"empty name", entry(`{"date": "2025-01-02", "name": ""}`), []string{"entry 2", `"2025-01-02"`, "empty \"name\""}},
		{"missing name", entry(`{"date": "2025-01-02"}`), []string{"entry 2", "missing \"name\""}},
		{"missing date", entry(`{"name": "B"}`), []string{"entry 2", "missing \"date\""}},
		{"unknown kind", entry(`{"date": "2025-01-02", "name": "B", "kind": "regional"}`), []string{"entry 2", `unknown kind "regional"`}},
		{"duplicate member state", `{"source": "x", "member_states": {"NL": {"2025": [{"date": "2025-01-01", "name": "A"}]}, "NL": {}}}`, []string{`duplicate key "NL"`}},
		{"duplicate year", `{"source": "x", "member_states": {"NL": {"2025": [{"date": "2025-01-01", "name": "A"}], "2025": []}}}`, []string{"NL", `duplicate key "2025"`}},
		{"duplicate entry field", entry(`{"date": "2025-01-02", "name": "B", "name": "C"}`), []string{"entry 2", `duplicate key "name"`}},
		{"empty year", `{"source": "x", "member_states": {"NL": {"2025": []}}}`, []string{"NL 2025", "empty list"}},
		{"no member states", `{"source": "x", "member_states": {}}`, []string{"no member state"}},
		{"missing source", `{"member_states": {"NL": {"2025": [{"date": "2025-01-01", "name": "A"}]}}}`, []string{`missing "source"`}},
		{"empty source", `{"source": "", "member_states": {}}`, []string{`"source" is empty`}},
		{"trailing data", goodFile + ` {}`, []string{"after the top-level object"}},
		{"not an object", `[]`, []string{"top level", "want an object"}},
		{"year list is an object", `{"source": "x", "member_states": {"NL": {"2025": {}}}}`, []string{"NL 2025", "want a list"}},
		{"truncated", goodFile[:len(goodFile)/2], []string{"calendar:"}},
		{"empty input", ``, []string{"calendar:"}},
		{"syntax error", `{"source": "x",, }`, []string{"calendar:"}},
	}
	for _, tt := range tests {
		cal, err := Load(strings.NewReader(tt.input))
		if err == nil {
			t.Errorf("%s: Load = %v, nil, want an error", tt.name, cal)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: got error %q, want it to contain %q", tt.name, err, w)
			}
		}
	}
}

func TestLoadTooLarge(t *testing.T) {
	big := strings.NewReader(`{"source": "` + strings.Repeat("x", maxFileSize) + `"}`)
	_, err := Load(big)
	if err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("Load(huge input): got error %v, want a size error", err)
	}
}

func TestEmbeddedRoundTrip(t *testing.T) {
	// The embedded file must load strictly (Default would panic otherwise).
	if _, err := Load(strings.NewReader(string(embedded))); err != nil {
		t.Fatalf("embedded holidays.json: got error %v, want none", err)
	}
}
