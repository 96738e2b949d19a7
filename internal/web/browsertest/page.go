package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// Page is a browser tab. Its methods are the steps of a test: each has a
// deadline (StepTimeout unless WithStepTimeout) and fails the test with
// what it tried, the page's URL and a screenshot. A Page is for one
// goroutine; open several tabs for parallel work.
type Page struct {
	b    *Browser
	ctx  context.Context // the tab's chromedp context, without deadline
	step time.Duration
	js   bool

	mu      sync.Mutex
	errors  []string // console errors, exceptions, failed loads
	csp     []string // Content Security Policy violations
	failure int      // screenshots of failed steps so far
}

// TabOption configures a tab.
type TabOption func(*tabConfig)

type tabConfig struct {
	noJS           bool
	width, height  int64
	acceptLanguage string
	timezone       string
	step           time.Duration
}

// WithoutJavaScript disables JavaScript in the tab, as a user who turned
// it off: the UI must work without it. The test's own steps (Text,
// Focused …) still work, through the DevTools protocol.
func WithoutJavaScript() TabOption { return func(c *tabConfig) { c.noJS = true } }

// WithViewport sets the tab's viewport in CSS pixels (default 1280×900);
// use 360×740 or so for a phone.
func WithViewport(width, height int64) TabOption {
	return func(c *tabConfig) { c.width, c.height = width, height }
}

// WithAcceptLanguage sends this Accept-Language header, e.g. "nl-NL,nl;q=0.9".
func WithAcceptLanguage(header string) TabOption {
	return func(c *tabConfig) { c.acceptLanguage = header }
}

// WithTimezone makes the tab's clock run in an IANA time zone, e.g.
// "Europe/Amsterdam".
func WithTimezone(tz string) TabOption { return func(c *tabConfig) { c.timezone = tz } }

// WithStepTimeout changes the deadline of each step in the tab.
func WithStepTimeout(d time.Duration) TabOption { return func(c *tabConfig) { c.step = d } }

// NewTab opens a tab, closed when the test ends.
func (b *Browser) NewTab(t testing.TB, opts ...TabOption) *Page {
	t.Helper()
	cfg := tabConfig{step: StepTimeout}
	for _, o := range opts {
		o(&cfg)
	}
	p := &Page{b: b, step: cfg.step, js: !cfg.noJS}
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithListener(p.listen))
	p.ctx = ctx
	t.Cleanup(cancel)
	// The first Do opens the tab and binds it to ctx: no deadline on it.
	if err := within(startTimeout, func() error { return chromedp.Do(ctx) }); err != nil {
		cancel()
		t.Fatalf("browsertest: opening a tab: %v\n%s", err, b.stderr)
	}
	type call struct {
		what string
		fn   func(ctx context.Context) error
	}
	var setup []call
	if cfg.noJS {
		setup = append(setup, call{"disabling JavaScript", func(ctx context.Context) error {
			_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
			return err
		}})
	}
	if cfg.width > 0 && cfg.height > 0 {
		setup = append(setup, call{"setting the viewport", func(ctx context.Context) error {
			return chromedp.Do(ctx, chromedp.EmulateViewport(cfg.width, cfg.height))
		}})
	}
	if cfg.acceptLanguage != "" {
		setup = append(setup, call{"setting Accept-Language", func(ctx context.Context) error {
			_, err := chromedp.Call(ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Accept-Language": cfg.acceptLanguage}})
			return err
		}})
	}
	if cfg.timezone != "" {
		setup = append(setup, call{"setting the time zone", func(ctx context.Context) error {
			_, err := chromedp.Call(ctx, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: cfg.timezone})
			return err
		}})
	}
	for _, c := range setup {
		sctx, scancel := context.WithTimeout(ctx, p.step)
		err := c.fn(sctx)
		scancel()
		if err != nil {
			t.Fatalf("browsertest: new tab: %s: %v", c.what, stepError(err, p.step))
		}
	}
	return p
}

// Context returns the tab's chromedp context, for chromedp actions the
// helpers lack. It has no deadline: derive one (Run does).
func (p *Page) Context() context.Context { return p.ctx }

// listen records the tab's console errors and CSP violations. It runs in
// chromedp's read loop: it must be quick and send no command.
func (p *Page) listen(ev any) {
	var text string
	csp := false
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type != runtime.ConsoleAPICalledTypeError && ev.Type != runtime.ConsoleAPICalledTypeAssert {
			return
		}
		var parts []string
		for _, a := range ev.Args {
			parts = append(parts, remoteText(a))
		}
		text = "console." + string(ev.Type) + ": " + strings.Join(parts, " ")
		if ev.StackTrace != nil && len(ev.StackTrace.CallFrames) > 0 {
			f := ev.StackTrace.CallFrames[0]
			text += fmt.Sprintf(" (%s:%d)", f.URL, f.LineNumber+1)
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		text = "uncaught: " + d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			text += " " + d.Exception.Description
		}
		if d.URL != "" {
			text += fmt.Sprintf(" (%s:%d)", d.URL, d.LineNumber+1)
		}
	case *cdplog.EventEntryAdded:
		e := ev.Entry
		if e == nil {
			return
		}
		csp = strings.Contains(e.Text, "Content Security Policy")
		if !csp && e.Level != cdplog.EntryLevelError {
			return
		}
		if !csp && e.Source == cdplog.EntrySourceNetwork && strings.HasSuffix(e.URL, "/favicon.ico") {
			return // the browser asks for it by itself, even for a JSON document
		}
		text = string(e.Source) + ": " + e.Text
		if e.URL != "" && !strings.Contains(e.Text, e.URL) {
			text += " (" + e.URL + ")"
		}
	default:
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if csp {
		p.csp = append(p.csp, text)
	} else {
		p.errors = append(p.errors, text)
	}
}

// remoteText renders a console argument.
func remoteText(o *runtime.RemoteObject) string {
	if o == nil {
		return ""
	}
	if len(o.Value) > 0 {
		var s string
		if json.Unmarshal(o.Value, &s) == nil {
			return s
		}
		return string(o.Value)
	}
	if o.Description != "" {
		return o.Description
	}
	return string(o.Type)
}

// flush makes sure the events the browser sent so far have been recorded:
// the listener sees an event before the reply of a later command.
func (p *Page) flush() {
	ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
	defer cancel()
	chromedp.Call(ctx, runtime.GetIsolateID, cdp.Empty{}) //nolint:errcheck // only a round trip
}

// ConsoleErrors returns what the page wrote to the console as errors, its
// uncaught exceptions and its failed loads, since the tab opened.
func (p *Page) ConsoleErrors() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.errors)
}

// CSPViolations returns the Content Security Policy violations the browser
// reported for the page since the tab opened.
func (p *Page) CSPViolations() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.csp)
}

// ClearConsole forgets the errors and violations recorded so far, e.g.
// after a step that provokes one on purpose.
func (p *Page) ClearConsole() {
	p.flush()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.errors, p.csp = nil, nil
}

// Run runs chromedp actions as one step with the tab's deadline; what
// names the step in the failure message.
func (p *Page) Run(t testing.TB, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := p.do(actions...); err != nil {
		p.fail(t, what, err)
	}
}

func (p *Page) do(actions ...chromedp.Action[chromedp.Void]) error {
	ctx, cancel := context.WithTimeout(p.ctx, p.step)
	defer cancel()
	return stepError(chromedp.Do(ctx, actions...), p.step)
}

// run runs one action that returns a value, with the tab's deadline.
func run[T any](t testing.TB, p *Page, what string, a chromedp.Action[T]) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, p.step)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		p.fail(t, what, stepError(err, p.step))
	}
	return v
}

// Eval evaluates a JavaScript expression in the page through the DevTools
// protocol (so also in a tab without JavaScript) and decodes its result.
func Eval[T any](t testing.TB, p *Page, expr string) T {
	t.Helper()
	return run(t, p, "evaluating "+expr, chromedp.Evaluate[T](expr))
}

// fail ends the test with what failed, where, and a screenshot.
func (p *Page) fail(t testing.TB, what string, err error) {
	t.Helper()
	where := p.location()
	p.mu.Lock()
	p.failure++
	n := p.failure
	p.mu.Unlock()
	shot := ""
	ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
	defer cancel()
	if png, serr := chromedp.Run(ctx, chromedp.FullScreenshot(100)); serr == nil {
		if path, werr := writeArtifact(t, fmt.Sprintf("failure-%d", n), png); werr == nil {
			shot = "\n\tscreenshot: " + path
		}
	}
	t.Fatalf("browsertest: %s: %v\n\tpage: %s%s", what, err, where, shot)
}

// location returns the tab's URL, or a note why it has none.
func (p *Page) location() string {
	ctx, cancel := context.WithTimeout(p.ctx, 2*time.Second)
	defer cancel()
	u, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return "(unknown: " + err.Error() + ")"
	}
	return u
}

// Navigate loads url and waits for it; it returns the HTTP status of the
// page. A network error fails the test.
func (p *Page) Navigate(t testing.TB, url string) int {
	t.Helper()
	status, err := p.navigate(url)
	if err != nil {
		p.fail(t, "navigating to "+url, err)
	}
	return status
}

func (p *Page) navigate(url string) (int, error) {
	ctx, cancel := context.WithTimeout(p.ctx, p.step)
	defer cancel()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(url))
	if err != nil {
		return 0, stepError(err, p.step)
	}
	if resp == nil {
		return 0, nil
	}
	return int(resp.Status), nil
}

// URL returns the tab's current URL.
func (p *Page) URL(t testing.TB) string {
	t.Helper()
	return run(t, p, "reading the URL", chromedp.Location())
}

// Title returns the page's title.
func (p *Page) Title(t testing.TB) string {
	t.Helper()
	return run(t, p, "reading the title", chromedp.Title())
}

// Text returns the visible text (innerText) of the first element the CSS
// selector matches, waiting for it to exist.
func (p *Page) Text(t testing.TB, selector string) string {
	t.Helper()
	return run(t, p, "reading the text of "+selector, chromedp.Text(chromedp.CSS(selector)))
}

// Count returns how many elements the CSS selector matches now, without
// waiting.
func (p *Page) Count(t testing.TB, selector string) int {
	t.Helper()
	q, _ := json.Marshal(selector)
	return Eval[int](t, p, "document.querySelectorAll("+string(q)+").length")
}

// WaitVisible waits until the first element the CSS selector matches is
// visible.
func (p *Page) WaitVisible(t testing.TB, selector string) {
	t.Helper()
	p.Run(t, "waiting for "+selector+" to be visible", chromedp.WaitVisible(chromedp.CSS(selector)))
}

// Fill types value into the field the CSS selector matches, replacing
// what it held.
func (p *Page) Fill(t testing.TB, selector, value string) {
	t.Helper()
	p.Run(t, fmt.Sprintf("filling %s with %q", selector, value),
		clearField(chromedp.CSS(selector)), chromedp.SendKeys(chromedp.CSS(selector), value))
}

// FillLabel types value into the form field labelled label — by a <label>
// (for= or wrapping) whose text is label, or starts with label and a space
// ("E-mail address (required)"), or by aria-label.
func (p *Page) FillLabel(t testing.TB, label, value string) {
	t.Helper()
	sel := byXPath(labelledXPath(label))
	p.Run(t, fmt.Sprintf("filling the field labelled %q with %q", label, value),
		clearField(sel), chromedp.SendKeys(sel, value))
}

// clearField empties a text field as a user does: focus, select all,
// delete. (chromedp.Clear only resets the value attribute, and SetValue
// cannot set "".)
func clearField[S chromedp.Selectable](sel S) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Focus(sel),
		chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierCtrl)),
		chromedp.KeyEvent(kb.Delete),
	)
}

// Select chooses the option with value in the <select> the CSS selector
// matches.
func (p *Page) Select(t testing.TB, selector, value string) {
	t.Helper()
	p.Run(t, fmt.Sprintf("selecting %q in %s", value, selector), chromedp.SetValue(chromedp.CSS(selector), value))
}

// Click clicks the first element the CSS selector matches, once it is
// visible. To follow a link or submit a form, use ClickNavigate.
func (p *Page) Click(t testing.TB, selector string) {
	t.Helper()
	p.Run(t, "clicking "+selector, chromedp.Click(chromedp.CSS(selector)))
}

// ClickText clicks the link, button or submit input whose text is text.
func (p *Page) ClickText(t testing.TB, text string) {
	t.Helper()
	p.Run(t, fmt.Sprintf("clicking %q", text), chromedp.Click(byXPath(clickableXPath(text))))
}

// ClickNavigate clicks the first element the CSS selector matches and
// waits for the page that loads; it returns its HTTP status.
func (p *Page) ClickNavigate(t testing.TB, selector string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, p.step)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(selector)))
	if err != nil {
		p.fail(t, "clicking "+selector+" and waiting for the next page", stepError(err, p.step))
	}
	if resp == nil {
		return 0
	}
	return int(resp.Status)
}

// Press sends keys to the focused element: text, or keys of
// github.com/chromedp/chromedp/kb such as kb.Enter or kb.Escape.
func (p *Page) Press(t testing.TB, keys string) {
	t.Helper()
	p.Run(t, fmt.Sprintf("pressing %q", keys), chromedp.KeyEvent(keys))
}

// Tab presses Tab and returns Focused: for keyboard-only tests.
func (p *Page) Tab(t testing.TB) string {
	t.Helper()
	p.Run(t, "pressing Tab", chromedp.KeyEvent(kb.Tab))
	return p.Focused(t)
}

// ShiftTab presses Shift+Tab and returns Focused.
func (p *Page) ShiftTab(t testing.TB) string {
	t.Helper()
	p.Run(t, "pressing Shift+Tab", chromedp.KeyEvent(kb.Tab, chromedp.KeyModifiers(chromedp.ModifierShift)))
	return p.Focused(t)
}

// Focused describes the focused element: its tag, #id, input type, its
// accessible name in quotes and a link's href — `a "Incidents"
// href=/incidents`, `input#email[type=email] "E-mail address"`, or "body"
// when nothing has the focus.
func (p *Page) Focused(t testing.TB) string {
	t.Helper()
	return Eval[string](t, p, focusedJS)
}

const focusedJS = `(() => {
	const e = document.activeElement;
	if (!e || e === document.body || e === document.documentElement) return "body";
	let d = e.tagName.toLowerCase();
	if (e.id) d += "#" + e.id;
	const type = e.getAttribute("type");
	if (e.tagName === "INPUT" && type) d += "[type=" + type + "]";
	let name = e.getAttribute("aria-label") || "";
	const by = e.getAttribute("aria-labelledby");
	if (!name && by) name = by.split(/\s+/).map(id => (document.getElementById(id) || {}).innerText || "").join(" ");
	if (!name && e.labels && e.labels.length) name = e.labels[0].innerText;
	if (!name && !["INPUT", "SELECT", "TEXTAREA"].includes(e.tagName)) name = e.innerText;
	if (!name && e.tagName === "INPUT" && ["submit", "button", "reset"].includes(type)) name = e.value;
	if (!name) name = e.getAttribute("title") || "";
	name = name.replace(/\s+/g, " ").trim();
	if (name) d += " " + JSON.stringify(name);
	const href = e.getAttribute("href");
	if (href) d += " href=" + href;
	return d;
})()`

// byXPath selects the first node an XPath expression finds. (A
// chromedp.Search also matches the expression as plain text and as CSS.)
func byXPath(xpath string) chromedp.JSPath {
	q, _ := json.Marshal(xpath)
	return chromedp.JSPath("document.evaluate(" + string(q) + ", document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue")
}

// xpathLiteral quotes s for XPath 1.0, which has no escapes.
func xpathLiteral(s string) string {
	if !strings.Contains(s, `"`) {
		return `"` + s + `"`
	}
	if !strings.Contains(s, "'") {
		return "'" + s + "'"
	}
	parts := strings.Split(s, `"`)
	for i, part := range parts {
		parts[i] = `"` + part + `"`
	}
	return "concat(" + strings.Join(parts, `, '"', `) + ")"
}

// labelledXPath finds the form field labelled label.
func labelledXPath(label string) string {
	l := xpathLiteral(label)
	match := fmt.Sprintf(`(normalize-space(.)=%[1]s or starts-with(normalize-space(.), concat(%[1]s, " ")))`, l)
	field := `(self::input or self::select or self::textarea)`
	return fmt.Sprintf(`(//*[%[3]s and @id=//label[%[1]s]/@for] | //label[%[1]s]//*[%[3]s] | //*[%[3]s and @aria-label=%[2]s])[1]`, match, l, field)
}

// clickableXPath finds the link or button whose text is text.
func clickableXPath(text string) string {
	l := xpathLiteral(text)
	return fmt.Sprintf(`(//*[(self::a or self::button or self::summary) and normalize-space(.)=%[1]s] | //input[(@type="submit" or @type="button") and @value=%[1]s])[1]`, l)
}

// Screenshot saves a full-page PNG of the page as <test>--<name>.png in
// $NISNET_ARTIFACTS, else in testdata/artifacts/, and returns its path.
func Screenshot(t testing.TB, p *Page, name string) string {
	t.Helper()
	png := run(t, p, "taking screenshot "+name, chromedp.FullScreenshot(100))
	path, err := writeArtifact(t, name, png)
	if err != nil {
		t.Fatalf("browsertest: screenshot %s: %v", name, err)
	}
	t.Logf("browsertest: screenshot %s", path)
	return path
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// ArtifactDir returns the directory screenshots go to, creating it:
// $NISNET_ARTIFACTS (made absolute), else testdata/artifacts.
func ArtifactDir() (string, error) {
	dir := os.Getenv(EnvArtifacts)
	if dir == "" {
		dir = filepath.Join("testdata", "artifacts")
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	return dir, os.MkdirAll(dir, 0o755)
}

func writeArtifact(t testing.TB, name string, data []byte) (string, error) {
	dir, err := ArtifactDir()
	if err != nil {
		return "", err
	}
	file := unsafeName.ReplaceAllString(t.Name(), "_") + "--" + unsafeName.ReplaceAllString(name, "_") + ".png"
	path := filepath.Join(dir, file)
	return path, os.WriteFile(path, data, 0o644)
}

// JavaScript reports whether the tab runs the page's scripts.
func (p *Page) JavaScript() bool { return p.js }
