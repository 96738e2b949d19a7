package calendar

import "time"

// Easter returns the date of Easter Sunday in the Gregorian calendar, as
// observed by the Catholic and Protestant churches (the "anonymous
// Gregorian algorithm" of Meeus/Jones/Butcher). Valid for years after 1582.
func Easter(year int) Date {
	a := year % 19
	b := year / 100
	c := year % 100
	d := b / 4
	e := b % 4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i := c / 4
	k := c % 4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	n := h + l - 7*m + 114
	return Date{Year: year, Month: time.Month(n / 31), Day: n%31 + 1}
}

// OrthodoxEaster returns the date of Easter Sunday as observed by the
// Orthodox churches (Greece, Cyprus, Romania, Bulgaria): the Julian
// computus (Meeus), converted to the Gregorian calendar. Valid for years
// after 1582.
func OrthodoxEaster(year int) Date {
	a := year % 4
	b := year % 7
	c := year % 19
	d := (19*c + 15) % 30
	e := (2*a + 4*b - d + 34) % 7
	n := d + e + 114
	julianMonth, julianDay := n/31, n%31+1
	// Julian Easter falls in March-May, after any Julian-only 29 February
	// of the year, so the calendar offset is the one of that year's spring.
	offset := year/100 - year/400 - 2
	return Date{Year: year, Month: time.Month(julianMonth), Day: julianDay}.AddDays(offset)
}
