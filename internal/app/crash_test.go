//go:build unix

package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/nisnet-eu/nisnet/internal/auth"
	"github.com/nisnet-eu/nisnet/internal/store"
)

// The crash test: a node is killed with SIGKILL while clients submit
// reports concurrently. After a restart, every submission the node
// acknowledged (2xx) is there with its receipt, no idempotency key is
// stored twice, each acknowledged request replayed with its key answers 200
// with its receipt, each request left without an answer can be retried with
// its key (201 if it was lost before commit, 200 if it had been committed),
// and the audit trail still verifies.

const (
	crashClients   = 16  // concurrent submitters
	crashIncidents = 8   // incidents they share
	crashAcked     = 200 // acknowledged submissions before the kill
)

// crashSubmission is one report a client filed: its key, incident and body.
type crashSubmission struct {
	key, incident, summary string
	body                   []byte
}

// crashReceipt is the part of a receipt the test checks.
type crashReceipt struct {
	ID         string `json:"id"`
	IncidentID string `json:"incident_id"`
	SHA256     string `json:"sha256"`
}

// crashOutcome is what the clients saw until the node died.
type crashOutcome struct {
	acked      map[string]crashReceipt    // key → receipt of each 2xx answer
	sent       map[string]crashSubmission // key → every request sent
	unanswered []crashSubmission          // no (complete) answer: in flight at the kill
	refused    []string                   // any other answer, or no answer before the kill
}

func TestCrashKeepsAcknowledgedSubmissions(t *testing.T) {
	if testing.Short() {
		t.Skip("builds nisnet and kills it: skipped with -short")
	}
	bin := buildNisnet(t)
	n := newNode(t)
	orgID, token := seedCrashEntity(t, n)

	p := startNisnet(t, bin, n)
	hc := crashHTTPClient()
	incidents := make([]string, crashIncidents)
	for i := range incidents {
		id, err := openLoadIncident(t.Context(), hc, p.url, token, i)
		if err != nil {
			t.Fatal(err)
		}
		incidents[i] = id
	}

	out := submitUntilKilled(t, p, hc, token, incidents)
	t.Logf("before the kill: %d sent, %d acknowledged, %d in flight, %d refused", len(out.sent), len(out.acked), len(out.unanswered), len(out.refused))
	for i, r := range out.refused {
		if i == 5 {
			t.Errorf("… and %d more", len(out.refused)-5)
			break
		}
		t.Errorf("a submission was refused while the node ran: %s", r)
	}
	if len(out.acked) == 0 {
		t.Fatalf("no submission acknowledged before the kill:\n%s", p.stderr)
	}

	// Restart on the same data and look at the store beside the node.
	p = startNisnet(t, bin, n)
	hc = crashHTTPClient()
	db := n.openStore(t)
	before := storedSubmissions(t, db, incidents)
	for key, rc := range out.acked {
		s, ok := before[key]
		switch {
		case !ok:
			t.Errorf("acknowledged submission %s (key %s) is missing after the restart", rc.ID, key)
		case s.ID != rc.ID || s.SHA256 != rc.SHA256 || s.IncidentID != rc.IncidentID:
			t.Errorf("key %s: stored %s of incident %s sha256 %s, acknowledged %s of %s sha256 %s",
				key, s.ID, s.IncidentID, s.SHA256, rc.ID, rc.IncidentID, rc.SHA256)
		}
	}
	for key := range before {
		if _, ok := out.sent[key]; !ok {
			t.Errorf("stored submission with key %s, which no client sent", key)
		}
	}
	committed := 0 // in flight at the kill, but committed
	for _, s := range out.unanswered {
		if _, ok := before[s.key]; ok {
			committed++
		}
	}
	if got, want := len(before), len(out.acked)+committed; got != want {
		t.Errorf("after the restart: %d submissions stored, want %d (%d acknowledged + %d committed in flight)", got, want, len(out.acked), committed)
	}

	checkReportsOverAPI(t, hc, p.url, token, out)
	replayAcknowledged(t, hc, p.url, token, out)

	// Retry every unanswered request with its key: it was either committed
	// (200, the stored receipt) or lost (201, stored now) — never twice.
	ackedBefore, recovered := len(out.acked), 0
	for _, s := range out.unanswered {
		status, rc, raw, err := submitCrashReport(t.Context(), hc, p.url, token, s)
		if err != nil {
			t.Errorf("retrying key %s: %v", s.key, err)
			continue
		}
		prev, wasStored := before[s.key]
		switch {
		case status == http.StatusOK && wasStored:
			if rc.ID != prev.ID {
				t.Errorf("retrying key %s: 200 with receipt %s, but %s was stored", s.key, rc.ID, prev.ID)
			}
			recovered++
		case status == http.StatusCreated && !wasStored:
		default:
			t.Errorf("retrying key %s: HTTP %d (stored before the retry: %t), want 200 if stored, else 201: %s", s.key, status, wasStored, raw)
			continue
		}
		out.acked[s.key] = rc
	}
	t.Logf("after the restart: %d acknowledged found; of %d in flight, %d had been committed (retry 200), %d lost (retry 201)",
		ackedBefore, len(out.unanswered), recovered, len(out.unanswered)-recovered)

	p.stop(t)
	after := storedSubmissions(t, db, incidents)
	if got, want := len(after), len(out.acked); got != want {
		t.Errorf("after the retries: %d submissions stored, want %d, one per key answered 2xx", got, want)
	}
	for key, rc := range out.acked {
		if s, ok := after[key]; !ok || s.ID != rc.ID {
			t.Errorf("key %s: stored %q, want %s", key, s.ID, rc.ID)
		}
	}
	checkSubmitAudit(t, db, orgID, after)

	cmd := exec.CommandContext(t.Context(), bin, append([]string{"audit", "verify"}, n.args()...)...)
	cmd.Env = envWithoutNisnet()
	if b, err := cmd.CombinedOutput(); err != nil || !strings.HasPrefix(string(b), "audit trail OK") {
		t.Errorf("nisnet audit verify after the crash: %v: %s", err, b)
	}
}

// submitUntilKilled runs the clients, each filing reports on its incident
// one after the other, kills the node with SIGKILL once crashAcked
// submissions are acknowledged (or after 5 s), and returns what the clients
// saw. A client stops at its first request without an answer.
func submitUntilKilled(t *testing.T, p *nisnetProcess, hc *http.Client, token string, incidents []string) crashOutcome {
	t.Helper()
	out := crashOutcome{acked: map[string]crashReceipt{}, sent: map[string]crashSubmission{}}
	var (
		mu      sync.Mutex
		wg      sync.WaitGroup
		seq     atomic.Int64
		acked   atomic.Int64
		killing atomic.Bool
	)
	for c := range crashClients {
		wg.Go(func() {
			for !killing.Load() {
				i := seq.Add(1)
				summary := fmt.Sprintf("crash test submission %d", i)
				s := crashSubmission{key: fmt.Sprintf("crash-%d", i), incident: incidents[c%len(incidents)], summary: summary,
					body: fmt.Appendf(nil, `{"suspected_malicious":false,"cross_border_impact":false,"summary":%q}`, summary)}
				mu.Lock()
				out.sent[s.key] = s
				mu.Unlock()
				status, rc, raw, err := submitCrashReport(t.Context(), hc, p.url, token, s)
				mu.Lock()
				switch {
				case err != nil && killing.Load():
					out.unanswered = append(out.unanswered, s)
				case err != nil:
					out.refused = append(out.refused, fmt.Sprintf("%s: %v (before the kill)", s.key, err))
				case status == http.StatusCreated:
					out.acked[s.key] = rc
					acked.Add(1)
				default:
					out.refused = append(out.refused, fmt.Sprintf("%s: HTTP %d: %s", s.key, status, raw))
				}
				mu.Unlock()
				if err != nil {
					return
				}
			}
		})
	}
	deadline := time.Now().Add(5 * time.Second)
	for acked.Load() < crashAcked && time.Now().Before(deadline) {
		select {
		case <-p.exited:
			t.Fatalf("nisnet exited during the load: %v\n%s", p.err, p.stderr)
		case <-time.After(5 * time.Millisecond):
		}
	}
	killing.Store(true)
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("SIGKILL: %v", err)
	}
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		t.Fatal("nisnet did not die within 10 s of SIGKILL")
	}
	if ws, ok := p.cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("nisnet ended with %v, want killed by SIGKILL", p.cmd.ProcessState)
	}
	wg.Wait()
	return out
}

// submitCrashReport files s. err is set when no complete answer came: a 2xx
// answer whose receipt cannot be read counts as no answer.
func submitCrashReport(ctx context.Context, hc *http.Client, base, token string, s crashSubmission) (status int, rc crashReceipt, raw []byte, err error) {
	req, err := http.NewRequestWithContext(ctx, "POST", base+"/api/v1/incidents/"+s.incident+"/reports/nis2.early_warning", bytes.NewReader(s.body))
	if err != nil {
		return 0, rc, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", s.key)
	resp, err := hc.Do(req)
	if err != nil {
		return 0, rc, nil, err
	}
	defer resp.Body.Close()
	raw, err = io.ReadAll(resp.Body)
	if err != nil {
		return 0, rc, nil, fmt.Errorf("HTTP %d, reading the answer: %w", resp.StatusCode, err)
	}
	if resp.StatusCode/100 != 2 {
		return resp.StatusCode, rc, raw, nil
	}
	var v struct {
		Receipt crashReceipt `json:"receipt"`
	}
	if err := json.Unmarshal(raw, &v); err != nil || v.Receipt.ID == "" || v.Receipt.SHA256 == "" {
		return 0, rc, raw, fmt.Errorf("HTTP %d without a receipt: %q", resp.StatusCode, raw)
	}
	if v.Receipt.IncidentID != s.incident {
		return 0, rc, raw, fmt.Errorf("receipt of incident %s, filed on %s", v.Receipt.IncidentID, s.incident)
	}
	return resp.StatusCode, v.Receipt, raw, nil
}

// checkReportsOverAPI reads every acknowledged report back as the entity:
// same id and hash, and a body that hashes to it and holds the summary sent.
func checkReportsOverAPI(t *testing.T, hc *http.Client, base, token string, out crashOutcome) {
	t.Helper()
	keys := make(chan string)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for key := range keys {
				if err := checkReportOverAPI(t.Context(), hc, base, token, out.sent[key], out.acked[key]); err != nil {
					t.Errorf("key %s: %v", key, err)
				}
			}
		})
	}
	for key := range out.acked {
		keys <- key
	}
	close(keys)
	wg.Wait()
}

func checkReportOverAPI(ctx context.Context, hc *http.Client, base, token string, s crashSubmission, rc crashReceipt) error {
	req, err := http.NewRequestWithContext(ctx, "GET", base+"/api/v1/incidents/"+rc.IncidentID+"/reports/"+rc.ID, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET report %s: HTTP %d, want 200: %s", rc.ID, resp.StatusCode, raw)
	}
	var got struct {
		crashReceipt
		Body map[string]any `json:"body"`
	}
	if err := json.Unmarshal(raw, &got); err != nil {
		return fmt.Errorf("GET report %s: %v: %s", rc.ID, err, raw)
	}
	canonical, err := json.Marshal(got.Body) // compact, keys sorted: the canonical form
	if err != nil {
		return err
	}
	sum := sha256.Sum256(canonical)
	switch {
	case got.crashReceipt != rc:
		return fmt.Errorf("GET report: %+v, acknowledged %+v", got.crashReceipt, rc)
	case hex.EncodeToString(sum[:]) != rc.SHA256:
		return fmt.Errorf("GET report %s: the body %s does not hash to the receipt's %s", rc.ID, canonical, rc.SHA256)
	case got.Body["summary"] != s.summary:
		return fmt.Errorf("GET report %s: summary %q, sent %q", rc.ID, got.Body["summary"], s.summary)
	}
	return nil
}

// replayAcknowledged sends every acknowledged request again with its key:
// each answers 200 with its original receipt and stores nothing.
func replayAcknowledged(t *testing.T, hc *http.Client, base, token string, out crashOutcome) {
	t.Helper()
	keys := make(chan string)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for key := range keys {
				status, rc, raw, err := submitCrashReport(t.Context(), hc, base, token, out.sent[key])
				switch {
				case err != nil:
					t.Errorf("replaying key %s: %v", key, err)
				case status != http.StatusOK || rc != out.acked[key]:
					t.Errorf("replaying key %s: HTTP %d with receipt %+v, want 200 with %+v: %s", key, status, rc, out.acked[key], raw)
				}
			}
		})
	}
	for key := range out.acked {
		keys <- key
	}
	close(keys)
	wg.Wait()
}

// storedSubmissions returns the incidents' submissions by idempotency key.
// It fails the test if a key is missing or stored twice, or if the
// submissions of a report do not form one chain.
func storedSubmissions(t *testing.T, db *store.DB, incidents []string) map[string]store.Submission {
	t.Helper()
	byKey := map[string]store.Submission{}
	for _, inc := range incidents {
		var subs []store.Submission
		for {
			page, err := db.ListSubmissions(t.Context(), inc, store.Page{Limit: store.MaxPageSize, Offset: len(subs)})
			if err != nil {
				t.Fatal(err)
			}
			subs = append(subs, page...)
			if len(page) < store.MaxPageSize {
				break
			}
		}
		ids := map[string]bool{}
		for _, s := range subs {
			ids[s.ID] = true
		}
		roots, successors := 0, map[string]string{}
		for _, s := range subs {
			if prev, dup := byKey[s.IdempotencyKey]; dup {
				t.Errorf("key %q stored twice: submissions %s and %s", s.IdempotencyKey, prev.ID, s.ID)
			}
			if s.IdempotencyKey == "" {
				t.Errorf("submission %s stored without its idempotency key", s.ID)
			}
			byKey[s.IdempotencyKey] = s
			switch next, forked := successors[s.SupersedesID]; {
			case s.SupersedesID == "":
				roots++
			case !ids[s.SupersedesID]:
				t.Errorf("submission %s supersedes %s, not a submission of incident %s", s.ID, s.SupersedesID, inc)
			case forked:
				t.Errorf("submissions %s and %s both supersede %s", next, s.ID, s.SupersedesID)
			}
			successors[s.SupersedesID] = s.ID
		}
		if len(subs) > 0 && roots != 1 {
			t.Errorf("incident %s: %d submissions supersede none, want 1 (one chain)", inc, roots)
		}
	}
	return byKey
}

// checkSubmitAudit checks that each stored submission has exactly one
// report.submit audit record, and that no such record names another.
func checkSubmitAudit(t *testing.T, db *store.DB, orgID string, stored map[string]store.Submission) {
	t.Helper()
	audited := map[string]int{}
	for after := int64(0); ; {
		recs, err := db.ListAudit(t.Context(), orgID, after, store.MaxPageSize)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			if r.Action == "report.submit" {
				audited[r.ObjectID]++
			}
			after = r.Seq
		}
		if len(recs) < store.MaxPageSize {
			break
		}
	}
	for _, s := range stored {
		if audited[s.ID] != 1 {
			t.Errorf("submission %s has %d report.submit audit records, want 1", s.ID, audited[s.ID])
		}
		delete(audited, s.ID)
	}
	for id := range audited {
		t.Errorf("report.submit audit record of submission %s, which is not stored", id)
	}
}

// buildNisnet builds the nisnet command into a temporary directory.
func buildNisnet(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "nisnet")
	cmd := exec.CommandContext(t.Context(), "go", "build", "-o", bin, "./cmd/nisnet")
	cmd.Dir = filepath.Join("..", "..")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	return bin
}

// seedCrashEntity creates the node's database with an entity organisation
// and an API token of one of its reporters, as `nisnet load` does.
func seedCrashEntity(t *testing.T, n node) (orgID, token string) {
	t.Helper()
	ctx := t.Context()
	db, err := openStore(ctx, Config{Data: n.dir, DB: n.dsn})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	token, hash := auth.NewToken(auth.APITokenPrefix)
	err = db.Transact(ctx, func(tx *store.Tx) error {
		org, err := tx.CreateOrganisation(ctx, store.Organisation{Kind: store.OrgEntity, Name: "Crash test DNS provider", MemberState: "NL",
			Profile: json.RawMessage(`{"member_state":"NL","entity_types":["digital-infrastructure/dns"]}`)})
		if err != nil {
			return err
		}
		orgID = org.ID
		_, err = tx.CreateAPIToken(ctx, store.APIToken{TokenHash: hash, OrganisationID: org.ID, Role: store.RoleEntityReporter, Name: "crash",
			CreatedBy: "system", ExpiresAt: time.Now().Add(time.Hour)})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return orgID, token
}

// nisnetProcess is `nisnet serve` running as a separate process.
type nisnetProcess struct {
	cmd    *exec.Cmd
	url    string
	stderr *syncBuffer
	exited chan struct{} // closed when the process has ended
	err    error         // cmd.Wait's result, once exited is closed
}

// startNisnet runs bin serve on 127.0.0.1:0 on the node's data, without the
// background worker, and waits until it listens.
func startNisnet(t *testing.T, bin string, n node) *nisnetProcess {
	t.Helper()
	args := append(append([]string{"serve", "--addr", "127.0.0.1:0"}, n.args()...), "--no-worker")
	p := &nisnetProcess{cmd: exec.Command(bin, args...), stderr: &syncBuffer{}, exited: make(chan struct{})}
	p.cmd.Env = envWithoutNisnet()
	p.cmd.Stderr = p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.exited
	})
	for deadline := time.Now().Add(20 * time.Second); ; {
		if m := listeningAddr.FindStringSubmatch(p.stderr.String()); m != nil {
			p.url = "http://" + m[1]
			return p
		}
		select {
		case <-p.exited:
			t.Fatalf("nisnet serve exited: %v\n%s", p.err, p.stderr)
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("nisnet serve did not start:\n%s", p.stderr)
		}
	}
}

// stop ends the process with SIGTERM and checks that it exits with 0.
func (p *nisnetProcess) stop(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		t.Fatalf("SIGTERM: %v", err)
	}
	select {
	case <-p.exited:
	case <-time.After(15 * time.Second):
		t.Fatalf("nisnet did not stop within 15 s of SIGTERM:\n%s", p.stderr)
	}
	if p.err != nil {
		t.Errorf("nisnet after SIGTERM: %v, want exit 0:\n%s", p.err, p.stderr)
	}
}

// envWithoutNisnet is the test's environment without NISNET_* variables,
// so that only the flags configure the node.
func envWithoutNisnet() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "NISNET_") {
			env = append(env, kv)
		}
	}
	return env
}

func crashHTTPClient() *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: crashClients}, Timeout: 30 * time.Second}
}
