// Package fedtest starts networks of real nisnet nodes in one test
// process: each node on its own port 0 listener with its own SQLite
// database (or PostgreSQL database when asked), its federation workers
// running, and peers configured with real credentials. Tests and
// benchmarks of the federation use it; nothing is mocked.
package fedtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/nisnet-eu/nisnet/internal/api"
	"github.com/nisnet-eu/nisnet/internal/app"
	"github.com/nisnet-eu/nisnet/internal/auth"
	"github.com/nisnet-eu/nisnet/internal/federation"
	"github.com/nisnet-eu/nisnet/internal/store"
)

// Spec describes one node of a network.
type Spec struct {
	Name        string // node id, e.g. "nl"
	MemberState string // e.g. "NL"
	// Audiences maps a peer's name to the audiences it belongs to, as this
	// node sees it ("network", "group:benelux"); a peer not in the map
	// belongs to the network.
	Audiences map[string][]string
	// WrongSecretFor: this node presents a wrong secret to these peers.
	WrongSecretFor []string
	// PersonalData: peers entitled to personal data.
	PersonalData []string
	// NoDemo: start the node without the demo data.
	NoDemo bool
}

// Options tune the network.
type Options struct {
	PullInterval time.Duration // default 1 s
	// NoDemo: start nodes empty (no demo incidents), for benchmarks.
	NoDemo bool
	// Quiet: log warnings and errors only (default: test log at warn).
	Log func(node string) *slog.Logger
}

// Node is one running node.
type Node struct {
	Spec  Spec
	URL   string // http://127.0.0.1:port
	Token string // an API token of the authority (analyst)
	// IncidentID is the demo's DNS incident (TLP:AMBER+STRICT by default).
	IncidentID string

	t      testing.TB
	cfg    app.Config
	addr   string
	dbPath string
	db     *store.DB
	node   *app.Node
	srv    *http.Server
	cancel context.CancelFunc
	wg     sync.WaitGroup
	opts   Options
}

// Network is a set of running nodes, every one a peer of every other.
type Network struct {
	Nodes  []*Node
	byName map[string]*Node
}

// Node returns the node named name.
func (n *Network) Node(name string) *Node { return n.byName[name] }

func secret(from, to string) string { return "secret-" + from + "-to-" + to + "-0123456789abcdef" }

// Start starts one node per spec. Every node has every other as a peer.
func Start(t testing.TB, specs []Spec, o Options) *Network {
	t.Helper()
	if o.PullInterval == 0 {
		o.PullInterval = time.Second
	}
	n := &Network{byName: map[string]*Node{}}
	for _, s := range specs {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		nd := &Node{Spec: s, t: t, addr: ln.Addr().String(), URL: "http://" + ln.Addr().String(), opts: o,
			dbPath: filepath.Join(t.TempDir(), "nisnet.db")}
		ln.Close() // reopened by start; the port stays this node's
		n.Nodes = append(n.Nodes, nd)
		n.byName[s.Name] = nd
	}
	for _, nd := range n.Nodes {
		var fc federation.Config
		fc.PullInterval = federation.Duration(o.PullInterval)
		for _, other := range n.Nodes {
			if other == nd {
				continue
			}
			aud, ok := nd.Spec.Audiences[other.Spec.Name]
			if !ok {
				aud = []string{"network"}
			}
			sec := secret(nd.Spec.Name, other.Spec.Name)
			for _, w := range nd.Spec.WrongSecretFor {
				if w == other.Spec.Name {
					sec = "wrong-" + sec
				}
			}
			p := federation.Peer{Name: other.Spec.Name, URL: other.URL + app.TAXIIRoot, Audiences: aud,
				Username: nd.Spec.Name, Secret: sec, InboundSecretSHA256: federation.SecretHash(secret(other.Spec.Name, nd.Spec.Name))}
			for _, pd := range nd.Spec.PersonalData {
				if pd == other.Spec.Name {
					p.PersonalData = true
				}
			}
			fc.Peers = append(fc.Peers, p)
		}
		if err := fc.Validate(); err != nil {
			t.Fatal(err)
		}
		nd.cfg = app.Config{Data: filepath.Dir(nd.dbPath), NodeMemberState: nd.Spec.MemberState, NodeID: nd.Spec.Name,
			NodeName: "CSIRT " + nd.Spec.MemberState, Federation: fc}
	}
	var wg sync.WaitGroup
	for _, nd := range n.Nodes {
		wg.Go(func() { nd.Start() })
	}
	wg.Wait()
	t.Cleanup(func() {
		for _, nd := range n.Nodes {
			nd.Stop()
		}
	})
	return n
}

// Start starts (or restarts) the node on its address and database.
func (nd *Node) Start() {
	t := nd.t
	ctx := context.Background()
	db, err := store.Open(ctx, nd.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := api.EnsureAuthority(ctx, db, nd.cfg.NodeName, nd.cfg.NodeMemberState); err != nil {
		t.Fatal(err)
	}
	if !nd.opts.NoDemo && !nd.Spec.NoDemo && nd.IncidentID == "" {
		d, err := app.SeedDemo(ctx, nd.cfg, db)
		if err != nil {
			t.Fatal(err)
		}
		nd.IncidentID = d.IncidentID
	}
	if nd.Token == "" {
		org, err := db.AuthorityOrganisation(ctx)
		if err != nil {
			t.Fatal(err)
		}
		plain, hash := auth.NewToken(auth.APITokenPrefix)
		if _, err := db.CreateAPIToken(ctx, store.APIToken{TokenHash: hash, OrganisationID: org.ID, Role: store.RoleAuthorityAnalyst,
			Name: "fedtest", CreatedBy: "system"}); err != nil {
			t.Fatal(err)
		}
		nd.Token = plain
	}
	log := slog.New(slog.DiscardHandler)
	if nd.opts.Log != nil {
		log = nd.opts.Log(nd.Spec.Name)
	}
	node, err := app.NewNode(ctx, nd.cfg, db, log)
	if err != nil {
		t.Fatal(err)
	}
	var ln net.Listener
	for i := 0; ; i++ {
		if ln, err = net.Listen("tcp", nd.addr); err == nil {
			break
		}
		if i == 50 {
			t.Fatalf("node %s: listen on %s again: %v", nd.Spec.Name, nd.addr, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	nd.db, nd.node = db, node
	nd.srv = &http.Server{Handler: node.Handler, ReadHeaderTimeout: 10 * time.Second}
	runCtx, cancel := context.WithCancel(ctx)
	nd.cancel = cancel
	nd.wg.Go(func() { _ = nd.srv.Serve(ln) })
	nd.wg.Go(func() { node.Federation.Run(runCtx) })
}

// Stop stops the node (HTTP and workers) and closes its database; Start
// brings it back with everything it stored.
func (nd *Node) Stop() {
	if nd.srv == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = nd.srv.Shutdown(ctx)
	nd.srv.Close()
	nd.cancel()
	nd.wg.Wait()
	nd.db.Close()
	nd.srv = nil
}

// DB is the node's open database.
func (nd *Node) DB() *store.DB { return nd.db }

// Federation is the node's federation service.
func (nd *Node) Federation() *federation.Service { return nd.node.Federation }

// Call calls the node's API with the authority's token and decodes a JSON
// answer into out (if not nil); it returns the status code.
func (nd *Node) Call(method, path string, body any, out any) int {
	nd.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			nd.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, nd.URL+path, rd)
	if err != nil {
		nd.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+nd.Token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		nd.t.Fatalf("%s %s on %s: %v", method, path, nd.Spec.Name, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			nd.t.Fatalf("%s %s on %s: %v in %s", method, path, nd.Spec.Name, err, b)
		}
	}
	if resp.StatusCode >= 300 && out == nil {
		nd.t.Logf("%s %s on %s: %d %s", method, path, nd.Spec.Name, resp.StatusCode, b)
	}
	return resp.StatusCode
}

// MustCall is Call that fails the test unless the status is want.
func (nd *Node) MustCall(method, path string, body any, out any, want int) {
	nd.t.Helper()
	if got := nd.Call(method, path, body, out); got != want {
		nd.t.Fatalf("%s %s on %s: status %d, want %d", method, path, nd.Spec.Name, got, want)
	}
}

// Eventually polls cond every 20 ms until it holds or d passes.
func Eventually(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// String names the node.
func (nd *Node) String() string { return fmt.Sprintf("%s (%s)", nd.Spec.Name, nd.URL) }
