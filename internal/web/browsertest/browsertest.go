// Package browsertest runs end-to-end tests of nisnet's web UI in a real,
// headless Chromium, driven with chromedp over the DevTools protocol.
//
// A test starts a node and a browser, opens a tab and works through the UI
// with steps that fail the test with a readable message — and a screenshot —
// and never hang (every step has a deadline, StepTimeout by default):
//
//	func TestSignIn(t *testing.T) {
//		node := browsertest.StartNode(t)
//		b := browsertest.New(t)
//		p := b.NewTab(t)
//		p.Navigate(t, node.URL+"/")
//		p.FillLabel(t, "E-mail address", node.Demo.Users[1].Email)
//		p.FillLabel(t, "Password", node.Demo.Password)
//		p.ClickNavigate(t, "button[type=submit]")
//		if got := p.Text(t, "h1"); got != "Dashboard" { … }
//		browsertest.Screenshot(t, p, "dashboard")
//		b.AssertNoConsoleErrors(t, p)
//	}
//
// # The browser
//
// New uses Debian's Chromium (/usr/bin/chromium, or $NISNET_CHROMIUM, or
// chromium, chromium-browser or google-chrome on $PATH). Without one the test
// is skipped — unless NISNET_REQUIRE_BROWSER=1, as in CI, which fails it, so
// CI cannot skip the browser tests silently. Chromium runs headless, without
// sandbox, GPU, QUIC, first-run, sync, component updates and background
// networking, in a fresh profile in t.TempDir(). It reaches nothing but
// 127.0.0.1: every other request goes to a proxy of the Browser that refuses
// it and records it (BlockedRequests), and host names other than localhost do
// not resolve.
//
// # Artifacts
//
// Screenshot writes full-page PNGs to $NISNET_ARTIFACTS when it is set, else
// to testdata/artifacts/ beside the test (git-ignored). A failing step saves
// one too.
//
// # Running
//
//	go test ./internal/web/...                            # skips without Chromium
//	NISNET_REQUIRE_BROWSER=1 go test ./internal/web/...    # fails without it
//	NISNET_TEST_POSTGRES=postgres://… go test -p 1 ./internal/web/...
package browsertest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Environment variables the package reads.
const (
	// EnvRequire set to 1 makes New fail, not skip, when no Chromium is found.
	EnvRequire = "NISNET_REQUIRE_BROWSER"
	// EnvArtifacts names the directory for screenshots.
	EnvArtifacts = "NISNET_ARTIFACTS"
	// EnvChromium names the browser binary, overriding the search.
	EnvChromium = "NISNET_CHROMIUM"
)

// Timeouts. StepTimeout is the default deadline of each step of a Page;
// WithStepTimeout changes it for one tab.
const (
	StepTimeout  = 15 * time.Second
	startTimeout = 30 * time.Second // starting the browser, opening a tab
	closeTimeout = 10 * time.Second
)

// Browser is a headless Chromium that New started for one test. It is
// closed when the test ends.
type Browser struct {
	ctx    context.Context // the browser's chromedp context
	stderr *limitedBuffer  // the browser's output, for failure messages
	proxy  *httptest.Server

	mu      sync.Mutex
	blocked []string
	done    bool // the test has ended: logging must stop
	log     func(format string, args ...any)
}

// FindChromium returns the path of the Chromium binary New would use, or ""
// when there is none.
func FindChromium() string {
	if p := os.Getenv(EnvChromium); p != "" {
		if full, err := exec.LookPath(p); err == nil {
			return full
		}
		return ""
	}
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if full, err := exec.LookPath(name); err == nil {
			return full
		}
	}
	return ""
}

// New starts a headless Chromium for the test, closed when the test ends.
// Without a Chromium binary it skips the test, or fails it when
// NISNET_REQUIRE_BROWSER=1.
func New(t testing.TB) *Browser {
	t.Helper()
	bin := FindChromium()
	if bin == "" {
		msg := "browsertest: no Chromium found (looked for $" + EnvChromium + ", /usr/bin/chromium, chromium, chromium-browser, google-chrome); install it with: apt-get install chromium"
		if os.Getenv(EnvRequire) == "1" {
			t.Fatal(msg + " — " + EnvRequire + "=1 requires it")
		}
		t.Skip(msg + " — set " + EnvRequire + "=1 to fail instead of skipping")
	}
	b := &Browser{stderr: &limitedBuffer{max: 64 << 10}, log: t.Logf}
	b.proxy = httptest.NewServer(http.HandlerFunc(b.refuse))
	profile := t.TempDir()

	opts := append(slices.Clone(chromedp.DefaultExecAllocatorOptions[:]),
		chromedp.ExecPath(bin),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 900),
		chromedp.CombinedOutput(b.stderr),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-domain-reliability", true),
		chromedp.Flag("no-pings", true),
		chromedp.Flag("disable-features", "Translate,BlinkGenPropertyTrees,OptimizationHints,MediaRouter,DialMediaRouteProvider,AutofillServerCommunication,CertificateTransparencyComponentUpdater,NetworkTimeServiceQuerying"),
		chromedp.Flag("disable-component-extensions-with-background-pages", true),
		chromedp.Flag("no-service-autorun", true),
		chromedp.Flag("allow-browser-signin", false),
		// No network beyond the test server: loopback goes direct (Chromium
		// never proxies it), everything else to a proxy that refuses it.
		chromedp.ProxyServer(b.proxy.URL),
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx, chromedp.WithErrorf(b.logf), chromedp.WithLogf(b.logf))
	b.ctx = ctx
	closeAll := func() {
		done := make(chan struct{})
		go func() {
			defer close(done)
			cctx, ccancel := context.WithTimeout(ctx, closeTimeout)
			defer ccancel()
			chromedp.Cancel(cctx) // closes the browser gracefully
		}()
		select {
		case <-done:
		case <-time.After(closeTimeout + time.Second):
		}
		cancel()
		cancelAlloc() // kills the process if it is still there, and waits for it
		b.proxy.Close()
	}
	// The first Do starts the browser and binds it to ctx, so it must not
	// carry a deadline: guard it from outside instead.
	if err := within(startTimeout, func() error { return chromedp.Do(ctx) }); err != nil {
		closeAll()
		t.Fatalf("browsertest: starting %s: %v\n%s", bin, err, b.stderr)
	}
	t.Cleanup(func() {
		closeAll()
		b.mu.Lock()
		b.done = true
		blocked := slices.Clone(b.blocked)
		b.mu.Unlock()
		if len(blocked) > 0 {
			t.Logf("browsertest: the browser tried to reach %d outside address(es), refused: %s", len(blocked), strings.Join(blocked, ", "))
		}
	})
	return b
}

// within runs fn and returns its error, or an error if it does not return
// within d. fn keeps running in the background then; the caller cancels it.
func within(d time.Duration, fn func() error) error {
	errc := make(chan error, 1)
	go func() { errc <- fn() }()
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case err := <-errc:
		return err
	case <-timer.C:
		return fmt.Errorf("no answer within %s", d)
	}
}

// refuse answers every request that reaches the proxy: the browser tried
// to leave 127.0.0.1.
func (b *Browser) refuse(w http.ResponseWriter, r *http.Request) {
	target := r.Host
	if r.Method != http.MethodConnect && r.URL.IsAbs() {
		target = r.URL.String()
	}
	b.mu.Lock()
	b.blocked = append(b.blocked, target)
	b.mu.Unlock()
	http.Error(w, "browsertest: no network beyond the test server", http.StatusForbidden)
}

// BlockedRequests returns the outside addresses the browser tried to
// reach (host:port for HTTPS, the URL for HTTP), in order. A page that
// loads a font or script from a CDN shows up here — and in its console
// errors — but so does Chromium's own chatter that no flag turns off
// (accounts.google.com, update.googleapis.com): filter before asserting.
func (b *Browser) BlockedRequests() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.blocked)
}

// logf passes chromedp's messages to the test log while the test runs.
func (b *Browser) logf(format string, args ...any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.done {
		b.log("chromedp: "+format, args...)
	}
}

// AssertNoConsoleErrors fails the test if the page wrote an error to the
// console, threw an uncaught exception, failed to load a resource or
// violated its Content Security Policy since it opened; it lists them all.
func (b *Browser) AssertNoConsoleErrors(t testing.TB, p *Page) {
	t.Helper()
	p.flush()
	errs, csp := p.ConsoleErrors(), p.CSPViolations()
	if len(errs) == 0 && len(csp) == 0 {
		return
	}
	var msg strings.Builder
	fmt.Fprintf(&msg, "browsertest: %d console error(s) and %d CSP violation(s) on %s:", len(errs), len(csp), p.location())
	for _, e := range csp {
		msg.WriteString("\n\tCSP: " + e)
	}
	for _, e := range errs {
		msg.WriteString("\n\t" + e)
	}
	t.Error(msg.String())
}

// limitedBuffer keeps the first max bytes written to it.
type limitedBuffer struct {
	mu  sync.Mutex
	max int
	buf bytes.Buffer
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if room := l.max - l.buf.Len(); room > 0 {
		l.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func (l *limitedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// stepError says which deadline a step's deadline error is.
func stepError(err error, d time.Duration) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("not done within %s (%w)", d, err)
	}
	return err
}
