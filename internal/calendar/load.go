package calendar

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
)

// Limits on the input accepted by Load.
const (
	// MinYear and MaxYear bound the years a calendar file may contain.
	MinYear = 1900
	MaxYear = 2200

	maxFileSize = 32 << 20 // bytes
)

var errTooLarge = fmt.Errorf("input larger than %d bytes", maxFileSize)

// Load reads a calendar in the JSON format described in the package
// documentation. It is strict: unknown or duplicate members, unknown
// Member State codes, years outside MinYear..MaxYear, malformed dates,
// dates outside their year, duplicate dates, empty names, unknown kinds
// and trailing data are all rejected, with an error that names the
// offending entry.
func Load(r io.Reader) (*Calendar, error) {
	data, err := io.ReadAll(&capReader{r: r, left: maxFileSize})
	if err != nil {
		return nil, fmt.Errorf("calendar: reading input: %w", err)
	}
	c, err := parse(data)
	if err != nil {
		return nil, fmt.Errorf("calendar: %w", err)
	}
	return c, nil
}

// capReader fails with errTooLarge once more than left bytes were read.
type capReader struct {
	r    io.Reader
	left int64
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.left < 0 {
		return 0, errTooLarge
	}
	if int64(len(p)) > c.left+1 {
		p = p[:c.left+1]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	if c.left < 0 {
		return n, errTooLarge
	}
	return n, err
}

// parser walks the JSON document token by token, so that it can reject
// duplicate keys (which encoding/json would silently merge) and name the
// entry at fault.
type parser struct {
	dec *json.Decoder
}

func parse(data []byte) (*Calendar, error) {
	p := &parser{dec: json.NewDecoder(bytes.NewReader(data))}
	p.dec.UseNumber()
	c := &Calendar{
		years: map[msYear][]Holiday{},
		days:  map[msDate]Holiday{},
	}
	var haveSource, haveStates bool
	err := p.object("top level", func(key string) error {
		switch key {
		case "source":
			haveSource = true
			s, err := p.str(`"source"`)
			if err != nil {
				return err
			}
			if s == "" {
				return errors.New(`"source" is empty: say what the data is and where it comes from`)
			}
			c.source = s
			return nil
		case "member_states":
			haveStates = true
			return p.memberStates(c)
		default:
			return fmt.Errorf("top level: unknown field %q (want \"source\" and \"member_states\")", key)
		}
	})
	if err != nil {
		return nil, err
	}
	if tok, err := p.dec.Token(); err != io.EOF {
		if err != nil {
			return nil, fmt.Errorf("after the top-level object: %v", err)
		}
		return nil, fmt.Errorf("after the top-level object: unexpected %s", describe(tok))
	}
	switch {
	case !haveSource:
		return nil, errors.New(`top level: missing "source"`)
	case !haveStates:
		return nil, errors.New(`top level: missing "member_states"`)
	case len(c.years) == 0:
		return nil, errors.New(`"member_states" lists no member state`)
	}
	return c, nil
}

func (p *parser) memberStates(c *Calendar) error {
	return p.object(`"member_states"`, func(code string) error {
		if _, ok := memberStateIndex(code); !ok {
			return fmt.Errorf("member_states: unknown member state %q%s", code, codeHint(code))
		}
		return p.object(code, func(yearKey string) error {
			where := code + " " + strconv.Quote(yearKey)
			year, err := strconv.Atoi(yearKey)
			if err != nil || strconv.Itoa(year) != yearKey {
				return fmt.Errorf("%s: year must be written as a plain decimal number such as \"2025\"", where)
			}
			if year < MinYear || year > MaxYear {
				return fmt.Errorf("%s: year %d outside %d-%d", where, year, MinYear, MaxYear)
			}
			list, err := p.holidays(code, year)
			if err != nil {
				return err
			}
			c.years[msYear{code, year}] = list
			for _, h := range list {
				c.days[msDate{code, h.Date}] = h
			}
			return nil
		})
	})
}

// holidays reads and checks the list of one Member State and year.
func (p *parser) holidays(code string, year int) ([]Holiday, error) {
	where := fmt.Sprintf("%s %d", code, year)
	if err := p.delim('[', where); err != nil {
		return nil, err
	}
	var list []Holiday
	seen := map[Date]int{} // date -> entry number
	for n := 1; p.dec.More(); n++ {
		entryWhere := fmt.Sprintf("%s, entry %d", where, n)
		var dateStr, name, kind string
		var haveDate, haveName, haveKind bool
		err := p.object(entryWhere, func(key string) error {
			var err error
			switch key {
			case "date":
				haveDate = true
				dateStr, err = p.str(entryWhere + ` "date"`)
			case "name":
				haveName = true
				name, err = p.str(entryWhere + ` "name"`)
			case "kind":
				haveKind = true
				kind, err = p.str(entryWhere + ` "kind"`)
			default:
				err = fmt.Errorf("%s: unknown field %q (want \"date\", \"name\" and optionally \"kind\")", entryWhere, key)
			}
			return err
		})
		if err != nil {
			return nil, err
		}
		if haveDate {
			entryWhere += fmt.Sprintf(" (date %q", dateStr)
			if haveName {
				entryWhere += fmt.Sprintf(", name %q", name)
			}
			entryWhere += ")"
		}
		switch {
		case !haveDate:
			return nil, fmt.Errorf("%s: missing \"date\"", entryWhere)
		case !haveName:
			return nil, fmt.Errorf("%s: missing \"name\"", entryWhere)
		case name == "":
			return nil, fmt.Errorf("%s: empty \"name\"", entryWhere)
		}
		d, err := ParseDate(dateStr)
		if err != nil {
			return nil, fmt.Errorf("%s: malformed date: want an existing date written YYYY-MM-DD", entryWhere)
		}
		if d.Year != year {
			return nil, fmt.Errorf("%s: date is not in %d", entryWhere, year)
		}
		if prev, dup := seen[d]; dup {
			return nil, fmt.Errorf("%s: duplicate date, already given in entry %d", entryWhere, prev)
		}
		seen[d] = n
		switch {
		case !haveKind:
			kind = KindPublic
		case kind != KindPublic && kind != KindBank:
			return nil, fmt.Errorf("%s: unknown kind %q (want %q or %q)", entryWhere, kind, KindPublic, KindBank)
		}
		list = append(list, Holiday{Date: d, Name: name, Kind: kind})
	}
	if err := p.delim(']', where); err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, fmt.Errorf("%s: empty list (leave the year out if there is no data for it)", where)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Date.Before(list[j].Date) })
	return list, nil
}

// object reads a JSON object, calling member for each key; member must
// consume the value. Duplicate keys are rejected.
func (p *parser) object(where string, member func(key string) error) error {
	if err := p.delim('{', where); err != nil {
		return err
	}
	seen := map[string]bool{}
	for p.dec.More() {
		tok, err := p.dec.Token()
		if err != nil {
			return fmt.Errorf("%s: %v", where, err)
		}
		key, ok := tok.(string)
		if !ok { // cannot happen with encoding/json, which checks syntax
			return fmt.Errorf("%s: unexpected %s", where, describe(tok))
		}
		if seen[key] {
			return fmt.Errorf("%s: duplicate key %q", where, key)
		}
		seen[key] = true
		if err := member(key); err != nil {
			return err
		}
	}
	return p.delim('}', where)
}

// delim reads one token and checks that it is the delimiter want.
func (p *parser) delim(want json.Delim, where string) error {
	tok, err := p.dec.Token()
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return fmt.Errorf("%s: %v", where, err)
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		what := map[json.Delim]string{'{': "an object", '[': "a list", '}': "end of object", ']': "end of list"}[want]
		return fmt.Errorf("%s: want %s, got %s", where, what, describe(tok))
	}
	return nil
}

// str reads one token that must be a JSON string.
func (p *parser) str(where string) (string, error) {
	tok, err := p.dec.Token()
	if err != nil {
		return "", fmt.Errorf("%s: %v", where, err)
	}
	s, ok := tok.(string)
	if !ok {
		return "", fmt.Errorf("%s: want a string, got %s", where, describe(tok))
	}
	return s, nil
}

func describe(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		switch v {
		case '{':
			return "an object"
		case '[':
			return "a list"
		}
		return fmt.Sprintf("%q", string(v))
	case string:
		return fmt.Sprintf("string %q", v)
	case json.Number:
		return "number " + v.String()
	case bool:
		return fmt.Sprintf("%v", v)
	case nil:
		return "null"
	}
	return fmt.Sprintf("%v", tok)
}
