package app

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nisnet-eu/nisnet/internal/store/storetest"
)

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// node is where a test's nisnet keeps its data: a temporary --data
// directory (SQLite), or a fresh PostgreSQL database passed with --db when
// NISNET_TEST_POSTGRES is set.
type node struct {
	dir string // --data
	dsn string // --db, PostgreSQL only
}

func newNode(t *testing.T) node {
	t.Helper()
	n := node{dir: filepath.Join(t.TempDir(), "data")}
	if storetest.Dialect() == "postgres" {
		n.dsn = storetest.DSN(t)
	}
	return n
}

// args returns the store flags for the node.
func (n node) args() []string {
	if n.dsn != "" {
		return []string{"--db", n.dsn}
	}
	return []string{"--data", n.dir}
}

// exec runs raw SQL on the node's database, around the program (to tamper).
func (n node) exec(t *testing.T, query string) {
	t.Helper()
	driver, dsn := "sqlite3", "file:"+filepath.Join(n.dir, "nisnet.db")
	if n.dsn != "" {
		driver, dsn = "pgx", n.dsn
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(query); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// run runs a nisnet command on the node.
func (n node) run(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return runCmd(t, stdin, append(args, n.args()...)...)
}

// server is `nisnet serve` running in the background.
type server struct {
	url    string
	stderr *syncBuffer
	stop   func() int // ends the server and returns its exit code
}

var listeningAddr = regexp.MustCompile(`"msg":"nisnet listening","addr":"([^"]+)"`)

// serve starts `nisnet serve` on 127.0.0.1:0 and waits until it listens.
func (n node) serve(t *testing.T, extra ...string) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stderr := &syncBuffer{}
	done := make(chan int, 1)
	args := append(append([]string{"serve", "--addr", "127.0.0.1:0"}, n.args()...), extra...)
	go func() {
		done <- Run(ctx, args, Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: stderr, Getenv: func(string) string { return "" }})
	}()
	s := &server{stderr: stderr}
	var once sync.Once
	code := -1
	s.stop = func() int {
		once.Do(func() { cancel(); code = <-done })
		return code
	}
	t.Cleanup(func() { s.stop() })
	deadline := time.Now().Add(20 * time.Second)
	for {
		if m := listeningAddr.FindStringSubmatch(stderr.String()); m != nil {
			s.url = "http://" + m[1]
			return s
		}
		select {
		case c := <-done:
			t.Fatalf("nisnet serve exited with %d: %s", c, stderr)
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("nisnet serve did not start: %s", stderr)
		}
	}
}

// call sends a JSON request and returns the status and body.
func call(t *testing.T, method, url, authorization string, body any) (int, []byte) {
	t.Helper()
	var in io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		in = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, in)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

var setupHint = regexp.MustCompile(`nisnet: no users yet — create the first admin with: curl -X POST (http://[^ ]+)/api/v1/setup .*"token":"(nsu_[A-Za-z0-9_-]+)"`)

func TestServeFirstStart(t *testing.T) {
	n := newNode(t)
	s := n.serve(t, "--member-state", "BE", "--node-name", "CCB")
	m := setupHint.FindStringSubmatch(s.stderr.String())
	if m == nil {
		t.Fatalf("no setup hint on stderr:\n%s", s.stderr)
	}
	if m[1] != s.url {
		t.Errorf("the hint names %s, the server listens on %s", m[1], s.url)
	}
	token := m[2]

	status, out := call(t, "GET", s.url+"/healthz", "", nil)
	if status != 200 || strings.TrimSpace(string(out)) != "ok" {
		t.Errorf("healthz: %d %s", status, out)
	}
	status, out = call(t, "GET", s.url+"/api/v1/me", "", nil)
	if status != 401 {
		t.Errorf("me without credentials: %d %s, want 401", status, out)
	}
	status, out = call(t, "POST", s.url+"/api/v1/setup", "", map[string]string{"token": token, "email": "admin@ccb.example", "password": "a long enough password"})
	if status != 201 {
		t.Fatalf("setup: %d %s", status, out)
	}
	status, out = call(t, "POST", s.url+"/api/v1/setup", "", map[string]string{"token": token, "email": "again@ccb.example", "password": "a long enough password"})
	if status == 201 {
		t.Fatalf("the setup token worked twice: %s", out)
	}
	status, out = call(t, "POST", s.url+"/api/v1/session", "", map[string]string{"email": "admin@ccb.example", "password": "a long enough password"})
	if status != 201 {
		t.Fatalf("sign in: %d %s", status, out)
	}
	var me struct {
		Role         string `json:"role"`
		Organisation struct {
			Kind, Name  string
			MemberState string `json:"member_state"`
		} `json:"organisation"`
	}
	json.Unmarshal(out, &me)
	if me.Role != "node_admin" || me.Organisation.Kind != "authority" || me.Organisation.Name != "CCB" || me.Organisation.MemberState != "BE" {
		t.Errorf("signed in as %+v, want node_admin of the authority CCB in BE", me)
	}
	if code := s.stop(); code != ExitOK {
		t.Errorf("serve exited with %d after shutdown, want 0: %s", code, s.stderr)
	}
	if n.dsn == "" {
		fi, err := os.Stat(n.dir)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o700 {
			t.Errorf("data directory mode %v, want 0700", fi.Mode().Perm())
		}
		if _, err := os.Stat(filepath.Join(n.dir, "nisnet.db")); err != nil {
			t.Errorf("no SQLite file in the data directory: %v", err)
		}
	}

	// A restart with a user prints no setup token.
	s = n.serve(t)
	if strings.Contains(s.stderr.String(), "no users yet") {
		t.Errorf("setup hint after the first administrator exists:\n%s", s.stderr)
	}
}

func TestServeConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--member-state", "GR"}, "EL"},
		{[]string{"--member-state", "XX"}, "not an EU Member State"},
		{[]string{"--db", "mysql://x"}, "postgres://"},
		{[]string{"extra"}, "unexpected argument"},
	} {
		code, _, errs := runCmd(t, "", append([]string{"serve", "--data", t.TempDir()}, tc.args...)...)
		if code != ExitUsage || !strings.Contains(errs, tc.want) {
			t.Errorf("serve %v: exit %d, stderr %q; want exit 2 mentioning %q", tc.args, code, errs, tc.want)
		}
	}
}

func TestAdminCreateUserAndToken(t *testing.T) {
	n := newNode(t)
	code, out, errs := n.run(t, "a long enough password\n", "admin", "create-user", "--email", "root@csirt.example", "--role", "node_admin", "--org", "authority", "--name", "Root")
	if code != ExitOK || !strings.Contains(out, "created user") {
		t.Fatalf("create-user: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	pwFile := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(pwFile, []byte("another long password\r\n"), 0o600)
	code, _, errs = n.run(t, "", "admin", "create-user", "--email", "ana@csirt.example", "--role", "authority_analyst", "--org", "authority", "--password-file", pwFile)
	if code != ExitOK {
		t.Fatalf("create-user --password-file: exit %d: %s", code, errs)
	}
	code, out, errs = n.run(t, "", "admin", "create-token", "--org", "authority", "--role", "authority_supervisor", "--name", "ticketing", "--expires", "90d")
	token := strings.TrimSpace(out)
	if code != ExitOK || !strings.HasPrefix(token, "nsn_") || strings.Count(out, "\n") != 1 {
		t.Fatalf("create-token: exit %d, stdout %q, stderr %q; want the token alone", code, out, errs)
	}

	for _, tc := range []struct {
		name, stdin string
		args        []string
		want        string
	}{
		{"weak password", "short\n", []string{"create-user", "--email", "x@csirt.example", "--role", "node_admin", "--org", "authority"}, "at least 12"},
		{"no password", "", []string{"create-user", "--email", "x@csirt.example", "--role", "node_admin", "--org", "authority"}, "no password"},
		{"entity role in the authority", "a long enough password", []string{"create-user", "--email", "x@csirt.example", "--role", "entity_admin", "--org", "authority"}, "does not fit"},
		{"unknown organisation", "a long enough password", []string{"create-user", "--email", "x@csirt.example", "--role", "entity_admin", "--org", "nope"}, "no organisation"},
		{"duplicate email", "a long enough password", []string{"create-user", "--email", "root@csirt.example", "--role", "node_admin", "--org", "authority"}, "already exists"},
		{"bad email", "a long enough password", []string{"create-user", "--email", "root", "--role", "node_admin", "--org", "authority"}, "--email"},
		{"token too long-lived", "", []string{"create-token", "--org", "authority", "--role", "node_admin", "--name", "x", "--expires", "400d"}, "at most 366d"},
		{"token without expiry", "", []string{"create-token", "--org", "authority", "--role", "node_admin", "--name", "x"}, "--expires"},
		{"unknown subcommand", "", []string{"delete-everything"}, "unknown subcommand"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := n.run(t, tc.stdin, append([]string{"admin"}, tc.args...)...)
			if code != ExitUsage || !strings.Contains(errs, tc.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 2 mentioning %q", code, out, errs, tc.want)
			}
		})
	}

	// The node starts without a setup token, and both credentials work.
	s := n.serve(t)
	if strings.Contains(s.stderr.String(), "no users yet") {
		t.Errorf("setup hint although create-user made an administrator:\n%s", s.stderr)
	}
	status, out2 := call(t, "POST", s.url+"/api/v1/session", "", map[string]string{"email": "root@csirt.example", "password": "a long enough password"})
	if status != 201 {
		t.Errorf("sign in as the created user: %d %s", status, out2)
	}
	status, out2 = call(t, "POST", s.url+"/api/v1/session", "", map[string]string{"email": "ana@csirt.example", "password": "another long password"})
	if status != 201 {
		t.Errorf("sign in with the password from the file: %d %s", status, out2)
	}
	status, out2 = call(t, "GET", s.url+"/api/v1/me", "Bearer "+token, nil)
	if status != 200 || !strings.Contains(string(out2), `"authority_supervisor"`) {
		t.Errorf("me with the created token: %d %s", status, out2)
	}
}

func TestAuditVerify(t *testing.T) {
	n := newNode(t)
	code, _, errs := n.run(t, "a long enough password\n", "admin", "create-user", "--email", "root@csirt.example", "--role", "node_admin", "--org", "authority")
	if code != ExitOK {
		t.Fatalf("create-user: %d %s", code, errs)
	}
	code, _, errs = n.run(t, "", "admin", "create-token", "--org", "authority", "--role", "node_admin", "--name", "ci", "--expires", "1d")
	if code != ExitOK {
		t.Fatalf("create-token: %d %s", code, errs)
	}
	code, out, errs := n.run(t, "", "audit", "verify")
	if code != ExitOK || !strings.HasPrefix(out, "audit trail OK: 3 records") {
		t.Fatalf("verify: exit %d, stdout %q, stderr %q; want OK with 3 records (authority, user, token)", code, out, errs)
	}

	code, _, errs = runCmd(t, "", "audit", "verify", "--data", filepath.Join(t.TempDir(), "elsewhere"))
	if code != ExitError || !strings.Contains(errs, "no database") {
		t.Errorf("verify of a directory without a database: exit %d, stderr %q; want exit 1", code, errs)
	}

	n.exec(t, `UPDATE audit_log SET detail = '{"email":"mallory@evil.example"}' WHERE seq = 2`)
	code, out, _ = n.run(t, "", "audit", "verify")
	if code != ExitError || !strings.Contains(out, "BROKEN at seq 2: hash mismatch") {
		t.Errorf("verify after tampering: exit %d, stdout %q; want exit 1 naming seq 2", code, out)
	}
}

func TestHelpListsEverything(t *testing.T) {
	code, out, _ := runCmd(t, "", "help")
	if code != ExitOK {
		t.Fatalf("help: exit %d", code)
	}
	for _, want := range []string{"serve", "assess", "admin", "create-user", "create-token", "audit", "verify",
		"NISNET_ADDR", "NISNET_DATA", "NISNET_DB", "NISNET_MEMBER_STATE", "NISNET_NODE_NAME"} {
		if !strings.Contains(out, want) {
			t.Errorf("help lacks %q", want)
		}
	}
	code, _, errs := runCmd(t, "", "admin")
	if code != ExitUsage || !strings.Contains(errs, "create-user") {
		t.Errorf("admin without a subcommand: exit %d, stderr %q", code, errs)
	}
}
