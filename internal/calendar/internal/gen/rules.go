package main

import (
	"time"

	"github.com/nisnet-eu/nisnet/internal/calendar"
)

// rule yields at most one holiday per year.
type rule struct {
	name string
	kind string // calendar.KindPublic or calendar.KindBank
	// date returns the date of the holiday in year y, or false if there is
	// none that year.
	date func(y int) (calendar.Date, bool)
	// substitutable: when the holiday falls on a Saturday or Sunday, the
	// country's substitute-day rule (country.substitutes) gives a day off.
	substitutable bool
}

// country is the rule set of one Member State.
type country struct {
	rules []rule
	// substitutes: whether substitutable holidays on a weekend give the
	// first following working day off (Bulgaria, Latvia).
	substitutes bool
}

func fixed(m time.Month, d int, name string) rule {
	return rule{name: name, kind: calendar.KindPublic, date: func(y int) (calendar.Date, bool) {
		return calendar.Date{Year: y, Month: m, Day: d}, true
	}}
}

// easter is offset days from (Gregorian) Easter Sunday.
func easter(offset int, name string) rule {
	return rule{name: name, kind: calendar.KindPublic, date: func(y int) (calendar.Date, bool) {
		return calendar.Easter(y).AddDays(offset), true
	}}
}

// orthodox is offset days from Orthodox Easter Sunday.
func orthodox(offset int, name string) rule {
	return rule{name: name, kind: calendar.KindPublic, date: func(y int) (calendar.Date, bool) {
		return calendar.OrthodoxEaster(y).AddDays(offset), true
	}}
}

// weekdayFrom is the first wd on or after day d of month m.
func weekdayFrom(m time.Month, d int, wd time.Weekday, name string) rule {
	return rule{name: name, kind: calendar.KindPublic, date: func(y int) (calendar.Date, bool) {
		x := calendar.Date{Year: y, Month: m, Day: d}
		return x.AddDays((int(wd) - int(x.Weekday()) + 7) % 7), true
	}}
}

// lastWeekday is the last wd of month m.
func lastWeekday(m time.Month, wd time.Weekday, name string) rule {
	return rule{name: name, kind: calendar.KindPublic, date: func(y int) (calendar.Date, bool) {
		x := calendar.Date{Year: y, Month: m + 1, Day: 1}.AddDays(-1)
		return x.AddDays(-((int(x.Weekday()) - int(wd) + 7) % 7)), true
	}}
}

// custom wraps an arbitrary date function.
func custom(name string, f func(y int) calendar.Date) rule {
	return rule{name: name, kind: calendar.KindPublic, date: func(y int) (calendar.Date, bool) { return f(y), true }}
}

// bank marks r as a bank holiday (banks closed, not a public holiday).
func bank(r rule) rule {
	r.kind = calendar.KindBank
	return r
}

// subst marks r as substitutable (see country.substitutes).
func subst(r rule) rule {
	r.substitutable = true
	return r
}

// since limits r to the years from first on.
func since(first int, r rule) rule {
	f := r.date
	r.date = func(y int) (calendar.Date, bool) {
		if y < first {
			return calendar.Date{}, false
		}
		return f(y)
	}
	return r
}

// until limits r to the years up to and including last.
func until(last int, r rule) rule {
	f := r.date
	r.date = func(y int) (calendar.Date, bool) {
		if y > last {
			return calendar.Date{}, false
		}
		return f(y)
	}
	return r
}

// Easter offsets.
const (
	maundyThursday = -3
	goodFriday     = -2
	holySaturday   = -1
	easterSunday   = 0
	easterMonday   = 1
	easterTuesday  = 2
	ascension      = 39
	whitSunday     = 49
	whitMonday     = 50
	corpusChristi  = 60
	cleanMonday    = -48
)

// minYear is the first year the rules below are known to hold for: several
// countries changed their holidays shortly before (Denmark abolished Great
// Prayer Day in 2024, Romania added 6 and 7 January in 2024, Slovakia
// stopped 1 September being a day off in 2024 and 17 November in 2025,
// Poland added Christmas Eve in 2025). Do not generate earlier years without checking each country.
const minYear = 2025

// Months, for brevity.
const (
	jan = time.January
	feb = time.February
	mar = time.March
	apr = time.April
	may = time.May
	jun = time.June
	jul = time.July
	aug = time.August
	sep = time.September
	oct = time.October
	nov = time.November
	dec = time.December
)

// countries holds the nationwide holidays of each Member State.
var countries = map[string]country{
	"AT": {rules: []rule{
		fixed(jan, 1, "New Year's Day"),
		fixed(jan, 6, "Epiphany"),
		easter(easterMonday, "Easter Monday"),
		fixed(may, 1, "National Holiday (Labour Day)"),
		easter(ascension, "Ascension Day"),
		easter(whitMonday, "Whit Monday"),
		easter(corpusChristi, "Corpus Christi"),
		fixed(aug, 15, "Assumption Day"),
		fixed(oct, 26, "National Day"),
		fixed(nov, 1, "All Saints' Day"),
		fixed(dec, 8, "Immaculate Conception"),
		fixed(dec, 25, "Christmas Day"),
		fixed(dec, 26, "St Stephen's Day"),
	}},
	"BE": {rules: []rule{
		fixed(jan, 1, "New Year's Day"),
		easter(easterMonday, "Easter Monday"),
		fixed(may, 1, "Labour Day"),
		easter(ascension, "Ascension Day"),
		easter(whitMonday, "Whit Monday"),
		fixed(jul, 21, "Belgian National Day"),
		fixed(aug, 15, "Assumption Day"),
		fixed(nov, 1, "All Saints' Day"),
		fixed(nov, 11, "Armistice Day"),
		fixed(dec, 25, "Christmas Day"),
	}},
	// Bulgaria, Labour Code Art. 154: a holiday other than the Easter
	// holidays that falls on a Saturday or Sunday gives the first working
	// day after it off.
	"BG": {substitutes: true, rules: []rule{
		subst(fixed(jan, 1, "New Year's Day")),
		subst(fixed(mar, 3, "Liberation Day")),
		orthodox(goodFriday, "Good Friday (Orthodox)"),
		orthodox(holySaturday, "Holy Saturday (Orthodox)"),
		orthodox(easterSunday, "Easter Sunday (Orthodox)"),
		orthodox(easterMonday, "Easter Monday (Orthodox)"),
		subst(fixed(may, 1, "Labour Day")),
		subst(fixed(may, 6, "St George's Day (Day of the Bulgarian Army)")),
		subst(fixed(may, 24, "Day of Bulgarian Enlightenment and Culture and of the Slavonic Alphabet")),
		subst(fixed(sep, 6, "Unification Day")),
		subst(fixed(sep, 22, "Independence Day")),
		subst(fixed(dec, 24, "Christmas Eve")),
		subst(fixed(dec, 25, "Christmas Day")),
		subst(fixed(dec, 26, "Second Day of Christmas")),
	}},
	"CY": {rules: []rule{
		fixed(jan, 1, "New Year's Day"),
		fixed(jan, 6, "Epiphany"),
		orthodox(cleanMonday, "Green Monday"),
		fixed(mar, 25, "Greek Independence Day"),
		fixed(apr, 1, "Cyprus National Day"),
		orthodox(goodFriday, "Good Friday (Orthodox)"),
		orthodox(easterSunday, "Easter Sunday (Orthodox)"),
		orthodox(easterMonday, "Easter Monday (Orthodox)"),
		bank(orthodox(easterTuesday, "Easter Tuesday (Orthodox)")),
		fixed(may, 1, "Labour Day"),
		orthodox(whitMonday, "Whit Monday (Kataklysmos)"),
		fixed(aug, 15, "Assumption Day"),
		fixed(oct, 1, "Cyprus Independence Day"),
		fixed(oct, 28, "Ochi Day"),
		fixed(dec, 25, "Christmas Day"),
		fixed(dec, 26, "Boxing Day"),
	}},
	"CZ": {rules: []rule{
		fixed(jan, 1, "Restoration Day of the Independent Czech State; New Year's Day"),
		easter(goodFriday, "Good Friday"),
		easter(easterMonday, "Easter Monday"),
		fixed(may, 1, "Labour Day"),
		fixed(may, 8, "Liberation Day"),
		fixed(jul, 5, "Saints Cyril and Methodius Day"),
		fixed(jul, 6, "Jan Hus Day"),
		fixed(sep, 28, "St Wenceslas Day (Czech Statehood Day)"),
		fixed(oct, 28, "Independent Czechoslovak State Day"),
		fixed(nov, 17, "Struggle for Freedom and Democracy Day"),
		fixed(dec, 24, "Christmas Eve"),
		fixed(dec, 25, "Christmas Day"),
		fixed(dec, 26, "St Stephen's Day"),
	}},
	"DE": {rules: []rule{
		fixed(jan, 1, "New Year's Day"),
		easter(goodFriday, "Good Friday"),
		easter(easterMonday, "Easter Monday"),
		fixed(may, 1, "Labour Day"),
		easter(ascension, "Ascension Day"),
		easter(whitMonday, "Whit Monday"),
		fixed(oct, 3, "Day of German Unity"),
		fixed(dec, 25, "Christmas Day"),
		fixed(dec, 26, "Second Day of Christmas"),
	}},
	"DK": {rules: []rule{
		fixed(jan, 1, "New Year's Day"),
		easter(maundyThursday, "Maundy Thursday"),
		easter(goodFriday, "Good Friday"),
		easter(easterSunday, "Easter Sunday"),
		easter(easterMonday, "Easter Monday"),
		easter(ascension, "Ascension Day"),
		bank(easter(ascension+1, "Friday after Ascension Day")),
		easter(whitSunday, "Whit Sunday"),
		easter(whitMonday, "Whit Monday"),
		bank(fixed(jun, 5, "Constitution Day")),
		bank(fixed(dec, 24, "Christmas Eve")),
		fixed(dec, 25, "Christmas Day"),
		fixed(dec, 26, "Second Day of Christmas"),
		bank(fixed(dec, 31, "New Year's Eve")),
	}},
	"EE": {rules: []rule{
		fixed(jan, 1, "New Year's Day"),
		fixed(feb, 24, "Independence Day"),
		easter(goodFriday, "Good Friday"),
		easter(easterSunday, "Easter Sunday"),
		fixed(may, 1, "Spring Day"),
		easter(whitSunday, "Whit Sunday"),
		fixed(jun, 23, "Victory Day"),
		fixed(jun, 24, "Midsummer Day"),
		fixed(aug, 20, "Day of Restoration of Independence"),
		fixed(dec, 24, "Christmas Eve"),
		fixed(dec, 25, "Christmas Day"),
		fixed(dec, 26, "Second Day of Christmas"),
	}},
	"EL": {rules: []rule{
		fixed(jan, 1, "New Year's Day"),
		fixed(jan, 6, "Epiphany"),
		orthodox(cleanMonday, "Clean Monday"),
		fixed(mar, 25, "Independence Day"),
		orthodox(goodFriday, "Good Friday (Orthodox)"),
		orthodox(easterSunday, "Easter Sunday (Orthodox)"),
		orthodox(easterMonday, "Easter Monday (Orthodox)"),
		fixed(may, 1, "Labour Day"),
		orthodox(whitMonday, "Whit Monday (Orthodox)"),
		fixed(aug, 15, "Dormition of the Mother of God"),
		fixed(oct, 28, "Ochi Day"),
		fixed(dec, 25, "Christmas Day"),
		fixed(dec, 26, "Synaxis of the Mother of God"),
	}},
	"ES": {rules: []rule{
		fixed(jan, 1, "New Year's Day"),
		fixed(jan, 6, "Epiphany"),
		easter(goodFriday, "Good Friday"),
		fixed(may, 1, "Labour Day"),
		fixed(aug, 15, "Assumption Day"),
		fixed(oct, 12, "National Day of Spain"),
		fixed(nov, 1, "All Saints' Day"),
		fixed(dec, 6, "Constitution Day"),
		fixed(dec, 8, "Immaculate Conception"),
		fixed(dec, 25, "Christmas Day"),
	}},
	"FI": {rules: []rule{
		fixed(jan, 1, "New Year's Day"),
		fixed(jan, 6, "Epiphany"),
		easter(goodFriday, "Good Friday"),
		easter(easterSunday, "Easter Sunday"),
		easter(easterMonday, "Easter Monday"),
		fixed(may, 1, "May Day"),
		easter(ascension, "Ascension Day"),
		easter(whitSunday, "Whit Sunday"),
		bank(weekdayFrom(jun, 19, time.Friday, "Midsummer Eve")),
		weekdayFrom(jun, 20, time.Saturday, "Midsummer Day"),
		weekdayFrom(oct, 31, time.Saturday, "All Saints' Day"),
		fixed(dec, 6, "Independence Day"),
		bank(fixed(dec, 24, "Christmas Eve")),
		fixed(dec, 25, "Christmas Day"),
		fixed(dec, 26, "St Stephen's Day"),
	}},
	"FR": {rules: []rule{
		fixed(jan, 1, "New Year's Day"),
		easter(easterMonday, "Easter Monday"),
		fixed(may, 1, "Labour Day"),
		fixed(may, 8, "Victory in Europe Day"),
		easter(ascension, "Ascension Day"),
		easter(whitMonday, "Whit Monday"),
		fixed(jul, 14, "National Day"),
		fixed(aug, 15, "Assumption Day"),
		fixed(nov, 1, "All Saints' Day"),
		fixed(nov, 11, "Armistice Day"),
		fixed(dec, 25, "Christmas Day"),
	}},
	"HR": {rules: []rule{
		fixed(jan, 1, "New Year's Day"),
		fixed(jan, 6, "Epiphany"),
		easter(easterSunday, "Easter Sunday"),
		easter(easterMonday, "Easter Monday"),
		fixed(may, 1, "Labour Day"),
		fixed(may, 30, "Statehood Day"),
		fixed(jun, 22, "Anti-Fascist Struggle Day"),
		easter(corpusChristi, "Corpus Christi"),
		fixed(aug, 5, "Victory and Homeland Thanksgiving Day and Croatian Veterans' Day"),
		fixed(aug, 15, "Assumption Day"),
		fixed(nov, 1, "All Saints' Day"),
		fixed(nov, 18, "Remembrance Day"),
		fixed(dec, 25, "Christmas Day"),
		fixed(dec, 26, "St Stephen's Day"),
	}},
	"HU": {rules: []rule{
		fixed(jan, 1, "New Year's Day"),
		fixed(mar, 15, "National Day (1848 Revolution)"),
		easter(goodFriday, "Good Friday"),
		easter(easterSunday, "Easter Sunday"),
		easter(easterMonday, "Easter Monday"),
		fixed(may, 1, "Labour Day"),
		easter(whitSunday, "Whit Sunday"),
		easter(whitMonday, "Whit Monday"),
		fixed(aug, 20, "State Foundation Day"),
		fixed(oct, 23, "National Day (1956 Revolution)"),
		fixed(nov, 1, "All Saints' Day"),
		fixed(dec, 25, "Christmas Day"),
		fixed(dec, 26, "Second Day of Christmas"),
	}},
	"IE": {rules: []rule{
		fixed(jan, 1, "New Year's Day"),
		custom("St Brigid's Day", stBrigid),
		fixed(mar, 17, "St Patrick's Day"),
		bank(easter(goodFriday, "Good Friday")),
		easter(easterMonday, "Easter Monday"),
		weekdayFrom(may, 1, time.Monday, "May Bank Holiday"),
		weekdayFrom(jun, 1, time.Monday, "June Bank Holiday"),
		weekdayFrom(aug, 1, time.Monday, "August Bank Holiday"),
		lastWeekday(oct, time.Monday, "October Bank Holiday"),
		fixed(dec, 25, "Christmas Day"),
		fixed(dec, 26, "St Stephen's Day"),
	}},
	"IT": {rules: []rule{
		fixed(jan, 1, "New Year's Day"),
		fixed(jan, 6, "Epiphany"),
		easter(easterSunday, "Easter Sunday"),
		easter(easterMonday, "Easter Monday"),
		fixed(apr, 25, "Liberation Day"),
		fixed(may, 1, "Labour Day"),
		fixed(jun, 2, "Republic Day"),
		fixed(aug, 15, "Assumption Day"),
		since(2026, fixed(oct, 4, "St Francis of Assisi, Patron Saint of Italy")),
		fixed(nov, 1, "All Saints' Day"),
		fixed(dec, 8, "Immaculate Conception"),
		fixed(dec, 25, "Christmas Day"),
		fixed(dec, 26, "St Stephen's Day"),
	}},
	"LT": {rules: []rule{
		fixed(jan, 1, "New Year's Day"),
		fixed(feb, 16, "Day of Restoration of the State of Lithuania"),
		fixed(mar, 11, "Day of Restoration of Independence of Lithuania"),
		easter(easterSunday, "Easter Sunday"),
		easter(easterMonday, "Easter Monday"),
		fixed(may, 1, "International Workers' Day"),
		weekdayFrom(may, 1, time.Sunday, "Mother's Day"),
		weekdayFrom(jun, 1, time.Sunday, "Father's Day"),
		fixed(jun, 24, "St John's Day (Midsummer)"),
		fixed(jul, 6, "Statehood Day"),
		fixed(aug, 15, "Assumption Day"),
		fixed(nov, 1, "All Saints' Day"),
		fixed(nov, 2, "All Souls' Day"),
		fixed(dec, 24, "Christmas Eve"),
		fixed(dec, 25, "Christmas Day"),
		fixed(dec, 26, "Second Day of Christmas"),
	}},
	"LU": {rules: []rule{
		fixed(jan, 1, "New Year's Day"),
		easter(easterMonday, "Easter Monday"),
		fixed(may, 1, "Labour Day"),
		fixed(may, 9, "Europe Day"),
		easter(ascension, "Ascension Day"),
		easter(whitMonday, "Whit Monday"),
		fixed(jun, 23, "National Day"),
		fixed(aug, 15, "Assumption Day"),
		fixed(nov, 1, "All Saints' Day"),
		fixed(dec, 25, "Christmas Day"),
		fixed(dec, 26, "St Stephen's Day"),
	}},
	// Latvia, Law on Public Holidays: when 4 May or 18 November falls on
	// a Saturday or Sunday, the next working day is a holiday.
	"LV": {substitutes: true, rules: []rule{
		fixed(jan, 1, "New Year's Day"),
		easter(goodFriday, "Good Friday"),
		easter(easterSunday, "Easter Sunday"),
		easter(easterMonday, "Easter Monday"),
		fixed(may, 1, "Labour Day; Convocation of the Constituent Assembly"),
		subst(fixed(may, 4, "Restoration of Independence Day")),
		easter(whitSunday, "Whit Sunday"),
		fixed(jun, 23, "Midsummer Eve (Līgo Day)"),
		fixed(jun, 24, "Midsummer Day (Jāņi)"),
		subst(fixed(nov, 18, "Proclamation Day of the Republic of Latvia")),
		fixed(dec, 24, "Christmas Eve"),
		fixed(dec, 25, "Christmas Day"),
		fixed(dec, 26, "Second Day of Christmas"),
		fixed(dec, 31, "New Year's Eve"),
	}},
	"MT": {rules: []rule{
		fixed(jan, 1, "New Year's Day"),
		fixed(feb, 10, "Feast of St Paul's Shipwreck"),
		fixed(mar, 19, "Feast of St Joseph"),
		fixed(mar, 31, "Freedom Day"),
		easter(goodFriday, "Good Friday"),
		fixed(may, 1, "Workers' Day"),
		fixed(jun, 7, "Sette Giugno"),
		fixed(jun, 29, "Feast of St Peter and St Paul (Mnarja)"),
		fixed(aug, 15, "Feast of the Assumption"),
		fixed(sep, 8, "Victory Day"),
		fixed(sep, 21, "Independence Day"),
		fixed(dec, 8, "Feast of the Immaculate Conception"),
		fixed(dec, 13, "Republic Day"),
		fixed(dec, 25, "Christmas Day"),
	}},
	"NL": {rules: []rule{
		fixed(jan, 1, "New Year's Day"),
		easter(easterSunday, "Easter Sunday"),
		easter(easterMonday, "Easter Monday"),
		custom("King's Day", kingsDay),
		easter(ascension, "Ascension Day"),
		easter(whitSunday, "Whit Sunday"),
		easter(whitMonday, "Whit Monday"),
		fixed(dec, 25, "Christmas Day"),
		fixed(dec, 26, "Second Day of Christmas"),
	}},
	"PL": {rules: []rule{
		fixed(jan, 1, "New Year's Day"),
		fixed(jan, 6, "Epiphany"),
		easter(easterSunday, "Easter Sunday"),
		easter(easterMonday, "Easter Monday"),
		fixed(may, 1, "Labour Day"),
		fixed(may, 3, "Constitution Day"),
		easter(whitSunday, "Whit Sunday"),
		easter(corpusChristi, "Corpus Christi"),
		fixed(aug, 15, "Assumption Day (Armed Forces Day)"),
		fixed(nov, 1, "All Saints' Day"),
		fixed(nov, 11, "Independence Day"),
		since(2025, fixed(dec, 24, "Christmas Eve")),
		fixed(dec, 25, "Christmas Day"),
		fixed(dec, 26, "Second Day of Christmas"),
	}},
	"PT": {rules: []rule{
		fixed(jan, 1, "New Year's Day"),
		easter(goodFriday, "Good Friday"),
		easter(easterSunday, "Easter Sunday"),
		fixed(apr, 25, "Freedom Day"),
		fixed(may, 1, "Labour Day"),
		easter(corpusChristi, "Corpus Christi"),
		fixed(jun, 10, "Portugal Day"),
		fixed(aug, 15, "Assumption Day"),
		fixed(oct, 5, "Republic Day"),
		fixed(nov, 1, "All Saints' Day"),
		fixed(dec, 1, "Restoration of Independence"),
		fixed(dec, 8, "Immaculate Conception"),
		fixed(dec, 25, "Christmas Day"),
	}},
	"RO": {rules: []rule{
		fixed(jan, 1, "New Year's Day"),
		fixed(jan, 2, "Day after New Year's Day"),
		fixed(jan, 6, "Epiphany"),
		fixed(jan, 7, "Synaxis of St John the Baptist"),
		fixed(jan, 24, "Union Day"),
		orthodox(goodFriday, "Good Friday (Orthodox)"),
		orthodox(easterSunday, "Easter Sunday (Orthodox)"),
		orthodox(easterMonday, "Easter Monday (Orthodox)"),
		fixed(may, 1, "Labour Day"),
		fixed(jun, 1, "Children's Day"),
		orthodox(whitSunday, "Whit Sunday (Orthodox)"),
		orthodox(whitMonday, "Whit Monday (Orthodox)"),
		fixed(aug, 15, "Dormition of the Mother of God"),
		fixed(nov, 30, "St Andrew's Day"),
		fixed(dec, 1, "National Day"),
		fixed(dec, 25, "Christmas Day"),
		fixed(dec, 26, "Second Day of Christmas"),
	}},
	"SE": {rules: []rule{
		fixed(jan, 1, "New Year's Day"),
		fixed(jan, 6, "Epiphany"),
		easter(goodFriday, "Good Friday"),
		easter(easterSunday, "Easter Sunday"),
		easter(easterMonday, "Easter Monday"),
		fixed(may, 1, "May Day"),
		easter(ascension, "Ascension Day"),
		easter(whitSunday, "Whit Sunday"),
		fixed(jun, 6, "National Day"),
		bank(weekdayFrom(jun, 19, time.Friday, "Midsummer Eve")),
		weekdayFrom(jun, 20, time.Saturday, "Midsummer Day"),
		weekdayFrom(oct, 31, time.Saturday, "All Saints' Day"),
		bank(fixed(dec, 24, "Christmas Eve")),
		fixed(dec, 25, "Christmas Day"),
		fixed(dec, 26, "Second Day of Christmas"),
		bank(fixed(dec, 31, "New Year's Eve")),
	}},
	"SI": {rules: []rule{
		fixed(jan, 1, "New Year's Day"),
		fixed(jan, 2, "New Year's Day (second day)"),
		fixed(feb, 8, "Prešeren Day (Slovenian Cultural Holiday)"),
		easter(easterSunday, "Easter Sunday"),
		easter(easterMonday, "Easter Monday"),
		fixed(apr, 27, "Day of Uprising Against Occupation"),
		fixed(may, 1, "Labour Day"),
		fixed(may, 2, "Labour Day (second day)"),
		easter(whitSunday, "Whit Sunday"),
		fixed(jun, 25, "Statehood Day"),
		fixed(aug, 15, "Assumption Day"),
		fixed(oct, 31, "Reformation Day"),
		fixed(nov, 1, "Day of Remembrance for the Dead"),
		fixed(dec, 25, "Christmas Day"),
		fixed(dec, 26, "Independence and Unity Day"),
	}},
	// Slovakia, Act 241/1993 as amended by the consolidation laws: 1
	// September is no longer a day off from 2024, 17 November from 2025,
	// 8 May and 15 September from 2026 (they remain state holidays or
	// memorial days, but are working days).
	"SK": {rules: []rule{
		fixed(jan, 1, "Day of the Establishment of the Slovak Republic"),
		fixed(jan, 6, "Epiphany"),
		easter(goodFriday, "Good Friday"),
		easter(easterMonday, "Easter Monday"),
		fixed(may, 1, "Labour Day"),
		until(2025, fixed(may, 8, "Day of Victory over Fascism")),
		fixed(jul, 5, "Saints Cyril and Methodius Day"),
		fixed(aug, 29, "Slovak National Uprising Anniversary"),
		until(2025, fixed(sep, 15, "Our Lady of Seven Sorrows")),
		fixed(nov, 1, "All Saints' Day"),
		fixed(dec, 24, "Christmas Eve"),
		fixed(dec, 25, "Christmas Day"),
		fixed(dec, 26, "St Stephen's Day"),
	}},
}

// stBrigid: the first Monday in February, or 1 February itself when that
// is a Friday (Organisation of Working Time Act 1997, as amended in 2022).
func stBrigid(y int) calendar.Date {
	d := calendar.Date{Year: y, Month: feb, Day: 1}
	if d.Weekday() == time.Friday {
		return d
	}
	return d.AddDays((int(time.Monday) - int(d.Weekday()) + 7) % 7)
}

// kingsDay: 27 April, or 26 April when the 27th is a Sunday.
func kingsDay(y int) calendar.Date {
	d := calendar.Date{Year: y, Month: apr, Day: 27}
	if d.Weekday() == time.Sunday {
		return d.AddDays(-1)
	}
	return d
}
