// Package i18n is nisnet's message catalogue: the user interface's texts
// in every supported language, looked up by key.
//
// # Files
//
// The catalogue is embedded from locales/<lang>/, one directory per
// language, named by its lower-case BCP 47 code ("en", "nl", "pt-br").
// Adding a language is adding a directory; no code changes. Each directory
// holds
//
//   - meta.json: {"name": "Nederlands"} — the language's native name, and
//     optionally its plural rule (see below);
//   - any number of *.json message files, one per area of the UI
//     (common.json, admin.json, operator.json …), each a flat JSON object of
//     key → message. A key appears in one file of a language only.
//
// English ("en") is required: it is the fallback for a key a language
// lacks. The package's tests fail when a language lacks a key English has
// or has one English lacks, when a translation's placeholders differ from
// English's, or when a message is empty — so a half-translated language
// fails CI.
//
// # Keys and messages
//
// Keys are dotted lower-case words: "nav.incidents", "deadline.overdue".
// A message names its arguments with placeholders: "due in {duration}".
// A placeholder is {name} with name made of ASCII letters, digits and _;
// any other brace is literal text. A placeholder without an argument stays
// visible as {name}.
//
// # Plurals
//
// A message that depends on a count is a group of keys: the base key plus
// one suffix per plural form, ".one", ".other" (and ".zero", ".two",
// ".few", ".many" where a language needs them), for example
//
//	"incidents.count.one":   "{count} incident",
//	"incidents.count.other": "{count} incidents"
//
// T(lang, "incidents.count", "count", n) chooses the form with the
// language's plural rule, Plural(lang, n). Every language has the form
// "other", the fallback.
//
// The rule is data: meta.json's "plural" is a list of cases tried in
// order, each a form and conditions on the count that must all hold; no
// case matches → "other". Without "plural", the rule is CLDR's for English,
// Dutch, German and most EU languages: one if n = 1, else other. French
// needs {"form":"one","when":[{"in":[[0,1]]}]}. Polish, Czech, Slovak,
// Croatian, Slovenian, Lithuanian, Latvian, Romanian, Irish and Maltese need
// more forms (few, many, two …); Polish, for whole numbers, is
//
//	"plural": [
//	  {"form": "one", "when": [{"in": [[1, 1]]}]},
//	  {"form": "few", "when": [{"mod": 10, "in": [[2, 4]]}, {"mod": 100, "in": [[12, 14]], "not": true}]},
//	  {"form": "many"}
//	]
//
// and its message files then have ".one", ".few", ".many" and ".other"
// for each plural group. Counts are whole numbers: the rules ignore CLDR's
// conditions on fractions.
package i18n

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Default is the language every other one falls back to; its directory
// must exist.
const Default = "en"

//go:embed locales
var embedded embed.FS

// Lang is a supported language.
type Lang struct {
	Code string // lower-case BCP 47 code: "en", "nl"
	Name string // native name: "English", "Nederlands"
}

// PluralCase is one case of a language's plural rule: the count is in
// plural form Form when every condition in When holds.
type PluralCase struct {
	Form string       `json:"form"`
	When []PluralCond `json:"when,omitempty"`
}

// PluralCond is a condition on a count n ≥ 0: n (or n % Mod when Mod > 0)
// lies in one of the inclusive ranges In — or, with Not, in none of them.
type PluralCond struct {
	Mod int      `json:"mod,omitempty"`
	In  [][2]int `json:"in"`
	Not bool     `json:"not,omitempty"`
}

// PluralForms are the form names, as in CLDR.
var PluralForms = []string{"zero", "one", "two", "few", "many", "other"}

// defaultPlural is CLDR's rule for English, Dutch, German …: one if n = 1.
var defaultPlural = []PluralCase{{Form: "one", When: []PluralCond{{In: [][2]int{{1, 1}}}}}}

// language is one loaded directory.
type language struct {
	Lang
	plural []PluralCase
	msgs   map[string]string
	file   map[string]string // key → file it came from
}

// Catalog holds the messages of every language. It is safe for concurrent
// use; it is never modified after loading.
type Catalog struct {
	langs []Lang // sorted by code
	by    map[string]*language
}

// Load loads the embedded catalogue.
func Load() (*Catalog, error) {
	sub, err := fs.Sub(embedded, "locales")
	if err != nil {
		return nil, err
	}
	return LoadFS(sub)
}

var (
	langCode    = regexp.MustCompile(`^[a-z]{2,3}(-[a-z0-9]{2,8})*$`)
	keySyntax   = regexp.MustCompile(`^[a-z0-9_]+(\.[a-z0-9_]+)*$`)
	placeholder = regexp.MustCompile(`\{([A-Za-z_][A-Za-z0-9_]*)\}`)
)

// LoadFS loads a catalogue from fsys, which holds one directory per
// language (the layout of locales/). Errors name the file and key.
func LoadFS(fsys fs.FS) (*Catalog, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("i18n: %w", err)
	}
	c := &Catalog{by: map[string]*language{}}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		if !langCode.MatchString(e.Name()) {
			return nil, fmt.Errorf("i18n: directory %q: not a lower-case language code such as en, nl or pt-br", e.Name())
		}
		l, err := loadLanguage(fsys, e.Name())
		if err != nil {
			return nil, err
		}
		c.by[l.Code] = l
		c.langs = append(c.langs, l.Lang)
	}
	if c.by[Default] == nil {
		return nil, fmt.Errorf("i18n: no %q directory: English is every language's fallback", Default)
	}
	sort.Slice(c.langs, func(i, j int) bool { return c.langs[i].Code < c.langs[j].Code })
	return c, nil
}

func loadLanguage(fsys fs.FS, code string) (*language, error) {
	l := &language{Lang: Lang{Code: code}, msgs: map[string]string{}, file: map[string]string{}}
	metaPath := path.Join(code, "meta.json")
	raw, err := fs.ReadFile(fsys, metaPath)
	if err != nil {
		return nil, fmt.Errorf("i18n: %s: %w", metaPath, err)
	}
	var meta struct {
		Name   string       `json:"name"`
		Plural []PluralCase `json:"plural"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&meta); err != nil {
		return nil, fmt.Errorf("i18n: %s: %w", metaPath, err)
	}
	if strings.TrimSpace(meta.Name) == "" {
		return nil, fmt.Errorf("i18n: %s: \"name\" (the language's native name) is required", metaPath)
	}
	for i, pc := range meta.Plural {
		if !slices.Contains(PluralForms, pc.Form) || pc.Form == "other" {
			return nil, fmt.Errorf("i18n: %s: plural case %d: form %q: want one of zero, one, two, few, many (other is the fallback)", metaPath, i, pc.Form)
		}
		for _, cond := range pc.When {
			if cond.Mod < 0 || len(cond.In) == 0 {
				return nil, fmt.Errorf("i18n: %s: plural case %d (%s): each condition needs \"in\" ranges and a mod ≥ 0", metaPath, i, pc.Form)
			}
		}
	}
	l.Name = meta.Name
	l.plural = meta.Plural
	if l.plural == nil {
		l.plural = defaultPlural
	}

	files, err := fs.ReadDir(fsys, code)
	if err != nil {
		return nil, fmt.Errorf("i18n: %s: %w", code, err)
	}
	for _, f := range files {
		if f.IsDir() || !strings.HasSuffix(f.Name(), ".json") || f.Name() == "meta.json" {
			continue
		}
		p := path.Join(code, f.Name())
		raw, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", p, err)
		}
		if err := l.addFile(p, raw); err != nil {
			return nil, err
		}
	}
	return l, nil
}

// addFile adds the messages of one file: a flat JSON object of string
// values. Unlike encoding/json's Unmarshal it refuses a key given twice.
func (l *language) addFile(name string, raw []byte) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	fail := func(format string, args ...any) error {
		return fmt.Errorf("i18n: %s: "+format, append([]any{name}, args...)...)
	}
	syntax := func(err error) error {
		if se, ok := errors.AsType[*json.SyntaxError](err); ok {
			line := 1 + bytes.Count(raw[:min(int(se.Offset), len(raw))], []byte("\n"))
			return fail("invalid JSON on line %d: %v", line, err)
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return fail("invalid JSON: unexpected end of file")
		}
		return fail("invalid JSON: %v", err)
	}
	tok, err := dec.Token()
	if err != nil {
		return syntax(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return fail("want a JSON object of key → message")
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return syntax(err)
		}
		key := tok.(string) // object keys are strings
		tok, err = dec.Token()
		if err != nil {
			return syntax(err)
		}
		msg, ok := tok.(string)
		if !ok {
			return fail("key %q: the message must be a string (the object is flat: write nested keys with dots)", key)
		}
		if !keySyntax.MatchString(key) {
			return fail("key %q: want dotted lower-case words such as nav.incidents", key)
		}
		if prev, dup := l.file[key]; dup {
			if prev == name {
				return fail("key %q appears twice", key)
			}
			return fail("key %q is also in %s", key, prev)
		}
		l.msgs[key], l.file[key] = msg, name
	}
	if _, err := dec.Token(); err != nil {
		return syntax(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return fail("invalid JSON: data after the object")
	}
	return nil
}

// Languages returns the supported languages, sorted by code.
func (c *Catalog) Languages() []Lang { return slices.Clone(c.langs) }

// Supported reports whether lang is a language of the catalogue.
func (c *Catalog) Supported(lang string) bool { return c.by[lang] != nil }

// Keys returns a language's keys, sorted; nil for an unknown language.
func (c *Catalog) Keys(lang string) []string {
	l := c.by[lang]
	if l == nil {
		return nil
	}
	return slices.Sorted(maps.Keys(l.msgs))
}

// Message returns the message of key in lang as written, without fallback
// or placeholders filled in, and the file it comes from.
func (c *Catalog) Message(lang, key string) (msg, file string, ok bool) {
	l := c.by[lang]
	if l == nil {
		return "", "", false
	}
	msg, ok = l.msgs[key]
	return msg, l.file[key], ok
}

// Placeholders returns the names of msg's placeholders, sorted, each once.
func Placeholders(msg string) []string {
	var names []string
	for _, m := range placeholder.FindAllStringSubmatch(msg, -1) {
		if !slices.Contains(names, m[1]) {
			names = append(names, m[1])
		}
	}
	slices.Sort(names)
	return names
}

// Plural returns the plural form ("one", "few", "other" …) of the count n
// in lang, by the language's rule; English's rule for an unknown language.
// A negative n counts as its absolute value.
func (c *Catalog) Plural(lang string, n int) string {
	l := c.by[lang]
	if l == nil {
		l = c.by[Default]
	}
	return l.pluralForm(n)
}

// PluralForms returns the forms a language's messages must provide for a
// plural group: those its rule can choose, and "other".
func (c *Catalog) PluralForms(lang string) []string {
	l := c.by[lang]
	if l == nil {
		return nil
	}
	var forms []string
	for _, f := range PluralForms {
		if f == "other" || slices.ContainsFunc(l.plural, func(pc PluralCase) bool { return pc.Form == f }) {
			forms = append(forms, f)
		}
	}
	return forms
}

func (l *language) pluralForm(n int) string {
	if n < 0 {
		n = -n
	}
cases:
	for _, pc := range l.plural {
		for _, cond := range pc.When {
			if !cond.holds(n) {
				continue cases
			}
		}
		return pc.Form
	}
	return "other"
}

func (cond PluralCond) holds(n int) bool {
	v := n
	if cond.Mod > 0 {
		v = n % cond.Mod
	}
	in := slices.ContainsFunc(cond.In, func(r [2]int) bool { return r[0] <= v && v <= r[1] })
	return in != cond.Not
}

// T returns the message of key in lang with its placeholders filled in
// from args: key/value pairs ("duration", "2 h", "count", 3) or a single
// map[string]any or map[string]string. Values are formatted with fmt's %v.
//
// When lang lacks the key, T uses English; an unknown lang is English.
// When key is a plural group (key.one, key.other … exist), the argument
// "count" chooses the form with Plural. A key no language has comes back
// as [[key]], visible on the page and easy to grep.
func (c *Catalog) T(lang, key string, args ...any) string {
	vals := argMap(args)
	msg, ok := c.lookup(lang, key, vals)
	if !ok {
		return "[[" + key + "]]"
	}
	if len(vals) == 0 || !strings.Contains(msg, "{") {
		return msg
	}
	return placeholder.ReplaceAllStringFunc(msg, func(m string) string {
		if v, ok := vals[m[1:len(m)-1]]; ok {
			return fmt.Sprint(v)
		}
		return m
	})
}

// lookup finds key's message in lang, else in English; for a plural group,
// the form of vals["count"].
func (c *Catalog) lookup(lang, key string, vals map[string]any) (string, bool) {
	for _, code := range []string{lang, Default} {
		l := c.by[code]
		if l == nil {
			continue
		}
		if msg, ok := l.msgs[key]; ok {
			return msg, true
		}
		if _, group := l.msgs[key+".other"]; group {
			n, _ := toInt(vals["count"])
			if msg, ok := l.msgs[key+"."+l.pluralForm(n)]; ok {
				return msg, true
			}
			return l.msgs[key+".other"], true
		}
	}
	return "", false
}

func argMap(args []any) map[string]any {
	if len(args) == 1 {
		switch m := args[0].(type) {
		case map[string]any:
			return m
		case map[string]string:
			vals := make(map[string]any, len(m))
			for k, v := range m {
				vals[k] = v
			}
			return vals
		}
	}
	vals := make(map[string]any, len(args)/2)
	for i := 0; i+1 < len(args); i += 2 {
		if k, ok := args[i].(string); ok {
			vals[k] = args[i+1]
		}
	}
	return vals
}

func toInt(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, true
	case int8:
		return int(n), true
	case int16:
		return int(n), true
	case int32:
		return int(n), true
	case int64:
		return int(n), true
	case uint:
		return int(n), true
	case uint8:
		return int(n), true
	case uint16:
		return int(n), true
	case uint32:
		return int(n), true
	case uint64:
		return int(n), true
	case string:
		i, err := strconv.Atoi(n)
		return i, err == nil
	}
	return 0, false
}

// Match picks the language to show: the cookie's value if the catalogue has
// it, else the best supported language of the Accept-Language header (by
// q-value, then order; "nl-BE" matches "nl"), else English.
func (c *Catalog) Match(acceptLanguage, cookie string) string {
	if code, ok := c.match(cookie); ok {
		return code
	}
	type pref struct {
		tag string
		q   float64
	}
	var prefs []pref
	for part := range strings.SplitSeq(acceptLanguage, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		for p := range strings.SplitSeq(params, ";") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(p), "q="); ok {
				f, err := strconv.ParseFloat(v, 64)
				if err != nil || f < 0 || f > 1 {
					f = 0
				}
				q = f
			}
		}
		if tag = strings.TrimSpace(tag); tag != "" && q > 0 {
			prefs = append(prefs, pref{tag, q})
		}
	}
	sort.SliceStable(prefs, func(i, j int) bool { return prefs[i].q > prefs[j].q })
	for _, p := range prefs {
		if p.tag == "*" {
			return Default
		}
		if code, ok := c.match(p.tag); ok {
			return code
		}
	}
	return Default
}

// match maps a language tag to a supported code: the tag itself, else its
// shorter prefixes ("pt-BR-x" → "pt-br" → "pt"), case-insensitively.
func (c *Catalog) match(tag string) (string, bool) {
	tag = strings.ToLower(strings.ReplaceAll(strings.TrimSpace(tag), "_", "-"))
	for tag != "" {
		if c.by[tag] != nil {
			return tag, true
		}
		i := strings.LastIndexByte(tag, '-')
		if i < 0 {
			break
		}
		tag = tag[:i]
	}
	return "", false
}

// FormatDuration writes d for people, in its two largest units, truncated:
// "3 d 4 h", "2 h 15 min", "45 min" in English; "2 u 15 min" in Dutch.
// Under a minute it is "less than 1 min". A negative d is written as its
// absolute value: the message around it says "overdue by {duration}". The
// units are the catalogue's duration.days, duration.hours and
// duration.minutes messages.
func (c *Catalog) FormatDuration(lang string, d time.Duration) string {
	if d < 0 {
		d = -d
	}
	mins := int64(d / time.Minute)
	days, hours, minutes := mins/(24*60), mins/60%24, mins%60
	var parts []string
	add := func(key string, n int64) {
		parts = append(parts, c.T(lang, key, "n", n))
	}
	switch {
	case days > 0:
		add("duration.days", days)
		if hours > 0 {
			add("duration.hours", hours)
		}
	case hours > 0:
		add("duration.hours", hours)
		if minutes > 0 {
			add("duration.minutes", minutes)
		}
	case minutes > 0:
		add("duration.minutes", minutes)
	default:
		return c.T(lang, "duration.less_than_minute")
	}
	return strings.Join(parts, " ")
}
