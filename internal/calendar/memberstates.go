package calendar

import (
	"fmt"
	"sync"
	"time"

	_ "time/tzdata" // Location must work on hosts without system time zone data.
)

// MemberState is an EU Member State.
type MemberState struct {
	// Code is the two-letter code used by the EU institutions (Greece is
	// "EL", not the ISO 3166 "GR").
	Code string
	// Name is the English short name.
	Name string
	// TimeZone is the IANA time zone name of the capital.
	TimeZone string
}

// memberStates is sorted by Code.
var memberStates = [...]MemberState{
	{"AT", "Austria", "Europe/Vienna"},
	{"BE", "Belgium", "Europe/Brussels"},
	{"BG", "Bulgaria", "Europe/Sofia"},
	{"CY", "Cyprus", "Asia/Nicosia"},
	{"CZ", "Czechia", "Europe/Prague"},
	{"DE", "Germany", "Europe/Berlin"},
	{"DK", "Denmark", "Europe/Copenhagen"},
	{"EE", "Estonia", "Europe/Tallinn"},
	{"EL", "Greece", "Europe/Athens"},
	{"ES", "Spain", "Europe/Madrid"},
	{"FI", "Finland", "Europe/Helsinki"},
	{"FR", "France", "Europe/Paris"},
	{"HR", "Croatia", "Europe/Zagreb"},
	{"HU", "Hungary", "Europe/Budapest"},
	{"IE", "Ireland", "Europe/Dublin"},
	{"IT", "Italy", "Europe/Rome"},
	{"LT", "Lithuania", "Europe/Vilnius"},
	{"LU", "Luxembourg", "Europe/Luxembourg"},
	{"LV", "Latvia", "Europe/Riga"},
	{"MT", "Malta", "Europe/Malta"},
	{"NL", "Netherlands", "Europe/Amsterdam"},
	{"PL", "Poland", "Europe/Warsaw"},
	{"PT", "Portugal", "Europe/Lisbon"},
	{"RO", "Romania", "Europe/Bucharest"},
	{"SE", "Sweden", "Europe/Stockholm"},
	{"SI", "Slovenia", "Europe/Ljubljana"},
	{"SK", "Slovakia", "Europe/Bratislava"},
}

// MemberStates returns the 27 EU Member States sorted by Code. The slice is
// a fresh copy that the caller may modify.
func MemberStates() []MemberState {
	out := make([]MemberState, len(memberStates))
	copy(out, memberStates[:])
	return out
}

// LookupMemberState returns the Member State with the given code. Codes are
// matched exactly: upper case, EU convention ("EL" for Greece).
func LookupMemberState(code string) (MemberState, bool) {
	i, ok := memberStateIndex(code)
	if !ok {
		return MemberState{}, false
	}
	return memberStates[i], true
}

func memberStateIndex(code string) (int, bool) {
	for i := range memberStates {
		if memberStates[i].Code == code {
			return i, true
		}
	}
	return 0, false
}

var (
	locOnce sync.Once
	locs    [len(memberStates)]*time.Location
	locErrs [len(memberStates)]error
)

// Location returns the time zone of the capital of the Member State with
// the given code. The time zone data is embedded in the binary, so this
// does not depend on the host's time zone database.
func Location(code string) (*time.Location, error) {
	i, ok := memberStateIndex(code)
	if !ok {
		return nil, unknownMemberState(code)
	}
	locOnce.Do(func() {
		for j, ms := range memberStates {
			locs[j], locErrs[j] = time.LoadLocation(ms.TimeZone)
		}
	})
	if locErrs[i] != nil {
		return nil, fmt.Errorf("calendar: time zone %s of %s: %w", memberStates[i].TimeZone, code, locErrs[i])
	}
	return locs[i], nil
}

func unknownMemberState(code string) error {
	return fmt.Errorf("%w %q%s", ErrUnknownMemberState, code, codeHint(code))
}

// codeHint suggests the right code for a common mistake, or returns "".
func codeHint(code string) string {
	hint := ""
	switch code {
	case "GR":
		hint = ` (Greece is "EL" in the EU convention)`
	case "UK", "GB":
		hint = " (not an EU Member State)"
	default:
		for _, ms := range memberStates {
			if len(code) == 2 && (code[0]|0x20) == (ms.Code[0]|0x20) && (code[1]|0x20) == (ms.Code[1]|0x20) {
				hint = fmt.Sprintf(" (codes are upper case: %q)", ms.Code)
			}
		}
	}
	return hint
}
