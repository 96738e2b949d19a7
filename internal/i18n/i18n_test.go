package i18n

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

func load(t *testing.T) *Catalog {
	t.Helper()
	c, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return c
}

// group is a key as translators see it: a plain key, or the base of a
// plural group (key.one, key.other …) whose messages are its forms.
type group struct {
	file  string
	forms map[string]string // plural form → message; "" → the plain message
}

// groups returns a language's keys with plural groups folded.
func groups(c *Catalog, lang string) map[string]group {
	keys := c.Keys(lang)
	out := map[string]group{}
	for _, k := range keys {
		msg, file, _ := c.Message(lang, k)
		base, form := k, ""
		if i := strings.LastIndexByte(k, '.'); i > 0 && slices.Contains(PluralForms, k[i+1:]) {
			if _, _, ok := c.Message(lang, k[:i]+".other"); ok {
				base, form = k[:i], k[i+1:]
			}
		}
		g, ok := out[base]
		if !ok {
			g = group{file: file, forms: map[string]string{}}
		}
		g.forms[form] = msg
		out[base] = g
	}
	return out
}

// placeholders returns the placeholders of all of a group's messages.
func (g group) placeholders() []string {
	var all []string
	for _, msg := range g.forms {
		all = append(all, Placeholders(msg)...)
	}
	slices.Sort(all)
	return slices.Compact(all)
}

// problems lists what is wrong with a catalogue's translations: keys
// missing or extra compared with English, plural groups with the wrong
// forms, placeholders that differ from English's, empty messages.
func problems(c *Catalog) []string {
	var out []string
	en := groups(c, Default)
	for _, l := range c.Languages() {
		gs := groups(c, l.Code)
		for _, k := range slices.Sorted(maps.Keys(gs)) {
			g := gs[k]
			for form, msg := range g.forms {
				if strings.TrimSpace(msg) == "" {
					out = append(out, fmt.Sprintf("%s: %s%s is empty", g.file, k, dotted(form)))
				}
			}
			if !hasKey(g.forms, "") { // a plural group
				want := c.PluralForms(l.Code)
				if got := slices.Sorted(maps.Keys(g.forms)); !slices.Equal(got, slices.Sorted(slices.Values(want))) {
					out = append(out, fmt.Sprintf("%s: %s has plural forms %v, want %v (the language's rule)", g.file, k, got, want))
				}
			}
			if l.Code == Default {
				continue
			}
			e, ok := en[k]
			if !ok {
				out = append(out, fmt.Sprintf("%s: %s is not in English", g.file, k))
				continue
			}
			if hasKey(e.forms, "") != hasKey(g.forms, "") {
				out = append(out, fmt.Sprintf("%s: %s is a plural group in one of English and %s only", g.file, k, l.Code))
			}
			if got, want := g.placeholders(), e.placeholders(); !slices.Equal(got, want) {
				out = append(out, fmt.Sprintf("%s: %s has placeholders %v, English %v", g.file, k, got, want))
			}
		}
		if l.Code == Default {
			continue
		}
		for _, k := range slices.Sorted(maps.Keys(en)) {
			if _, ok := gs[k]; !ok {
				out = append(out, fmt.Sprintf("%s: lacks %s (English has it in %s)", l.Code, k, en[k].file))
			}
		}
	}
	return out
}

func hasKey(m map[string]string, k string) bool { _, ok := m[k]; return ok }

func dotted(form string) string {
	if form == "" {
		return ""
	}
	return "." + form
}

// TestCatalogueComplete is the gate for translations: every language has
// exactly English's keys, the same placeholders, the plural forms of its
// rule, and no empty message.
func TestCatalogueComplete(t *testing.T) {
	c := load(t)
	for _, p := range problems(c) {
		t.Error(p)
	}
	if len(c.Keys(Default)) < 50 {
		t.Errorf("English has %d keys; the seed set has more", len(c.Keys(Default)))
	}
}

func TestLanguages(t *testing.T) {
	got := load(t).Languages()
	want := []Lang{{"en", "English"}, {"nl", "Nederlands"}}
	if !slices.Equal(got, want) {
		t.Errorf("Languages() = %v, want %v", got, want)
	}
}

// testFS is a small catalogue: English, a complete Dutch, and Polish with
// its data-defined plural rule.
func testFS() fstest.MapFS {
	return fstest.MapFS{
		"en/meta.json":   {Data: []byte(`{"name":"English"}`)},
		"en/common.json": {Data: []byte(`{"hello":"Hello, {name}!","only.en":"English only","files.count.one":"{count} file","files.count.other":"{count} files"}`)},
		"nl/meta.json":   {Data: []byte(`{"name":"Nederlands"}`)},
		"nl/common.json": {Data: []byte(`{"hello":"Hallo, {name}!","files.count.one":"{count} bestand","files.count.other":"{count} bestanden"}`)},
		"pl/meta.json": {Data: []byte(`{"name":"Polski","plural":[
			{"form":"one","when":[{"in":[[1,1]]}]},
			{"form":"few","when":[{"mod":10,"in":[[2,4]]},{"mod":100,"in":[[12,14]],"not":true}]},
			{"form":"many"}]}`)},
		"pl/common.json": {Data: []byte(`{"hello":"Cześć, {name}!","only.en":"tylko po angielsku","files.count.one":"{count} plik","files.count.few":"{count} pliki","files.count.many":"{count} plików","files.count.other":"{count} pliku"}`)},
	}
}

func loadTest(t *testing.T, fsys fstest.MapFS) *Catalog {
	t.Helper()
	c, err := LoadFS(fsys)
	if err != nil {
		t.Fatalf("LoadFS: %v", err)
	}
	return c
}

func TestT(t *testing.T) {
	c := loadTest(t, testFS())
	for _, tc := range []struct {
		name, lang, key string
		args            []any
		want            string
	}{
		{"pairs", "nl", "hello", []any{"name", "Ana"}, "Hallo, Ana!"},
		{"map", "en", "hello", []any{map[string]any{"name": "Ana"}}, "Hello, Ana!"},
		{"string map", "pl", "hello", []any{map[string]string{"name": "Ana"}}, "Cześć, Ana!"},
		{"missing argument stays visible", "en", "hello", nil, "Hello, {name}!"},
		{"odd argument ignored", "en", "hello", []any{"name", "Ana", "extra"}, "Hello, Ana!"},
		{"missing in nl falls back to English", "nl", "only.en", nil, "English only"},
		{"unknown language is English", "xx", "hello", []any{"name", "Ana"}, "Hello, Ana!"},
		{"unknown key is marked", "nl", "no.such.key", nil, "[[no.such.key]]"},
		{"plural one", "en", "files.count", []any{"count", 1}, "1 file"},
		{"plural other", "en", "files.count", []any{"count", 0}, "0 files"},
		{"plural int64", "nl", "files.count", []any{"count", int64(1)}, "1 bestand"},
		{"plural nl other", "nl", "files.count", []any{"count", 7}, "7 bestanden"},
		{"plural without count is other", "nl", "files.count", nil, "{count} bestanden"},
		{"plural pl one", "pl", "files.count", []any{"count", 1}, "1 plik"},
		{"plural pl few", "pl", "files.count", []any{"count", 23}, "23 pliki"},
		{"plural pl many 12", "pl", "files.count", []any{"count", 12}, "12 plików"},
		{"plural pl many 5", "pl", "files.count", []any{"count", 5}, "5 plików"},
		{"a form is addressable", "en", "files.count.one", []any{"count", 9}, "9 file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := c.T(tc.lang, tc.key, tc.args...); got != tc.want {
				t.Errorf("T(%q, %q, %v) = %q, want %q", tc.lang, tc.key, tc.args, got, tc.want)
			}
		})
	}
}

func TestPlural(t *testing.T) {
	c := loadTest(t, testFS())
	for _, tc := range []struct {
		lang string
		n    int
		want string
	}{
		{"en", 1, "one"}, {"en", 0, "other"}, {"en", 2, "other"}, {"en", -1, "one"},
		{"nl", 1, "one"}, {"nl", 21, "other"},
		{"pl", 1, "one"}, {"pl", 2, "few"}, {"pl", 4, "few"}, {"pl", 5, "many"}, {"pl", 12, "many"},
		{"pl", 14, "many"}, {"pl", 22, "few"}, {"pl", 112, "many"}, {"pl", 0, "many"}, {"pl", 21, "many"},
	} {
		if got := c.Plural(tc.lang, tc.n); got != tc.want {
			t.Errorf("Plural(%q, %d) = %q, want %q", tc.lang, tc.n, got, tc.want)
		}
	}
	if got, want := c.PluralForms("pl"), []string{"one", "few", "many", "other"}; !slices.Equal(got, want) {
		t.Errorf("PluralForms(pl) = %v, want %v", got, want)
	}
	if got, want := c.PluralForms("en"), []string{"one", "other"}; !slices.Equal(got, want) {
		t.Errorf("PluralForms(en) = %v, want %v", got, want)
	}
}

// TestProblemsCatchHalfTranslation proves the completeness gate works: a
// language lacking a key, with an extra one, a changed placeholder, an
// empty message or a missing plural form is reported.
func TestProblemsCatchHalfTranslation(t *testing.T) {
	fsys := testFS()
	if p := problems(loadTest(t, fsys)); len(p) != 1 || !strings.Contains(p[0], "nl: lacks only.en") {
		t.Fatalf("problems of the test catalogue = %q, want only nl lacking only.en", p)
	}
	fsys["nl/common.json"] = &fstest.MapFile{Data: []byte(`{"hello":"Hallo, {naam}!","only.en":"","extra":"x","files.count.other":"{count} bestanden"}`)}
	p := strings.Join(problems(loadTest(t, fsys)), "\n")
	for _, want := range []string{
		"nl/common.json: hello has placeholders [naam], English [name]",
		"nl/common.json: only.en is empty",
		"nl/common.json: extra is not in English",
		"nl/common.json: files.count has plural forms [other], want [one other]",
	} {
		if !strings.Contains(p, want) {
			t.Errorf("problems lack %q:\n%s", want, p)
		}
	}
	fsys["pl/common.json"] = &fstest.MapFile{Data: []byte(`{"hello":"Cześć, {name}!","only.en":"tylko","files.count.one":"{count} plik","files.count.other":"{count} pliku"}`)}
	if p := strings.Join(problems(loadTest(t, fsys)), "\n"); !strings.Contains(p, "pl/common.json: files.count has plural forms [one other], want [one few many other]") {
		t.Errorf("a Polish group without few and many is not reported:\n%s", p)
	}
}

func TestLoadErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string // replaces or adds to testFS; "" deletes
		want  []string          // substrings of the error
	}{
		{"invalid JSON", map[string]string{"nl/common.json": "{\n\"hello\": \"Hallo\",\n\"x\" \"y\"\n}"},
			[]string{"nl/common.json", "invalid JSON on line 3"}},
		{"truncated JSON", map[string]string{"nl/common.json": `{"hello": "Hallo"`}, []string{"nl/common.json", "unexpected end"}},
		{"duplicate key in one file", map[string]string{"nl/common.json": `{"hello":"a","hello":"b"}`},
			[]string{"nl/common.json", `key "hello" appears twice`}},
		{"duplicate key across files", map[string]string{"nl/admin.json": `{"admin.x":"a","hello":"b"}`},
			[]string{"nl/common.json", "nl/admin.json", `"hello"`}},
		{"nested object", map[string]string{"nl/common.json": `{"nav":{"x":"y"}}`}, []string{"nl/common.json", `key "nav"`, "string"}},
		{"not an object", map[string]string{"nl/common.json": `["a"]`}, []string{"nl/common.json", "JSON object"}},
		{"trailing data", map[string]string{"nl/common.json": `{"a":"b"} {}`}, []string{"nl/common.json", "after the object"}},
		{"bad key", map[string]string{"nl/common.json": `{"Nav Incidents":"x"}`}, []string{"nl/common.json", `"Nav Incidents"`}},
		{"no meta", map[string]string{"nl/meta.json": ""}, []string{"nl/meta.json"}},
		{"no name", map[string]string{"nl/meta.json": `{"name":" "}`}, []string{"nl/meta.json", "name"}},
		{"unknown meta field", map[string]string{"nl/meta.json": `{"name":"x","plurals":[]}`}, []string{"nl/meta.json", "plurals"}},
		{"bad plural form", map[string]string{"pl/meta.json": `{"name":"x","plural":[{"form":"several"}]}`}, []string{"pl/meta.json", "several"}},
		{"bad language directory", map[string]string{"NL_nl/meta.json": `{"name":"x"}`}, []string{"NL_nl"}},
		{"no English", map[string]string{"en/meta.json": "", "en/common.json": ""}, []string{`no "en" directory`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := testFS()
			for name, data := range tc.files {
				if data == "" {
					delete(fsys, name)
				} else {
					fsys[name] = &fstest.MapFile{Data: []byte(data)}
				}
			}
			_, err := LoadFS(fsys)
			if err == nil {
				t.Fatal("LoadFS succeeded, want an error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestMatch(t *testing.T) {
	c := load(t)
	for _, tc := range []struct{ accept, cookie, want string }{
		{"", "", "en"},
		{"nl", "", "nl"},
		{"nl-BE,nl;q=0.9,en;q=0.8", "", "nl"},
		{"de-DE,de;q=0.9,nl;q=0.5,en;q=0.7", "", "en"},
		{"de-DE,de;q=0.9,nl;q=0.8,en;q=0.7", "", "nl"},
		{"fr, *;q=0.1", "", "en"},
		{"nl;q=0", "", "en"},
		{"nl;q=abc, en;q=0.1", "", "en"},
		{"en", "nl", "nl"},
		{"nl", "en", "en"},
		{"nl", "xx", "nl"},
		{"", "NL", "nl"},
		{"EN-gb", "", "en"},
		{"nl_NL", "", "nl"},
		{";;,,", "", "en"},
	} {
		if got := c.Match(tc.accept, tc.cookie); got != tc.want {
			t.Errorf("Match(%q, %q) = %q, want %q", tc.accept, tc.cookie, got, tc.want)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	c := load(t)
	for _, tc := range []struct {
		d      time.Duration
		en, nl string
	}{
		{2*time.Hour + 15*time.Minute + 59*time.Second, "2 h 15 min", "2 u 15 min"},
		{2 * time.Hour, "2 h", "2 u"},
		{45 * time.Minute, "45 min", "45 min"},
		{30 * time.Second, "less than 1 min", "minder dan 1 min"},
		{0, "less than 1 min", "minder dan 1 min"},
		{3*24*time.Hour + 4*time.Hour + 30*time.Minute, "3 d 4 h", "3 d 4 u"},
		{24 * time.Hour, "1 d", "1 d"},
		{-(6*time.Hour + 1*time.Minute), "6 h 1 min", "6 u 1 min"},
	} {
		if got := c.FormatDuration("en", tc.d); got != tc.en {
			t.Errorf("FormatDuration(en, %v) = %q, want %q", tc.d, got, tc.en)
		}
		if got := c.FormatDuration("nl", tc.d); got != tc.nl {
			t.Errorf("FormatDuration(nl, %v) = %q, want %q", tc.d, got, tc.nl)
		}
	}
	// In a sentence, as the deadline column shows it.
	d := 2*time.Hour + 15*time.Minute
	if got, want := c.T("nl", "deadline.overdue_by", "duration", c.FormatDuration("nl", d)), "2 u 15 min te laat"; got != want {
		t.Errorf("overdue in Dutch = %q, want %q", got, want)
	}
	if got, want := c.T("en", "deadline.due_in", "duration", c.FormatDuration("en", d)), "due in 2 h 15 min"; got != want {
		t.Errorf("due in English = %q, want %q", got, want)
	}
}

func TestSeedKeys(t *testing.T) {
	c := load(t)
	for _, k := range []string{
		"nav.sign_in", "nav.sign_out", "nav.incidents", "nav.queue", "nav.dashboard", "nav.assess", "nav.admin",
		"nav.users", "nav.tokens", "nav.organisations", "nav.teams", "nav.language", "nav.time_zone",
		"action.save", "action.cancel", "action.submit", "form.required", "error.internal",
		"deadline.due_in", "deadline.overdue_by",
		"incident.state.received", "incident.state.triaged", "incident.state.in_progress", "incident.state.closed",
		"tlp.clear", "tlp.green", "tlp.amber", "tlp.amber_strict", "tlp.red",
	} {
		for _, l := range c.Languages() {
			if got := c.T(l.Code, k); strings.HasPrefix(got, "[[") {
				t.Errorf("%s: %s missing", l.Code, k)
			}
		}
	}
	// TLP labels are never translated (FIRST TLP 2.0).
	for _, k := range []string{"tlp.clear", "tlp.green", "tlp.amber", "tlp.amber_strict", "tlp.red"} {
		if en, nl := c.T("en", k), c.T("nl", k); en != nl || !strings.HasPrefix(en, "TLP:") {
			t.Errorf("%s: en %q, nl %q; want the same TLP: label", k, en, nl)
		}
	}
}

func TestPlaceholders(t *testing.T) {
	if got, want := Placeholders("{b} and {a}, {b} again; {not a placeholder} {} {x-y}"), []string{"a", "b"}; !slices.Equal(got, want) {
		t.Errorf("Placeholders = %v, want %v", got, want)
	}
}
