package browsertest

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/nisnet-eu/nisnet/internal/api"
	"github.com/nisnet-eu/nisnet/internal/app"
	"github.com/nisnet-eu/nisnet/internal/store"
	"github.com/nisnet-eu/nisnet/internal/store/storetest"
)

// Node is a nisnet node running in the test process.
type Node struct {
	URL    string       // base URL, http://127.0.0.1:<port>, no trailing slash
	DB     *store.DB    // the node's database, for arranging and checking data
	Config app.Config   // the configuration the handler was built with
	Demo   app.DemoData // the demo users, password and API token; zero WithoutDemo
	// SetupToken creates the first administrator (POST /api/v1/setup);
	// set only WithoutDemo, while the node has no users.
	SetupToken string
}

// NodeOption configures StartNode.
type NodeOption func(*nodeConfig)

type nodeConfig struct {
	cfg    app.Config
	noDemo bool
}

// WithoutDemo starts a node as `nisnet serve` finds a new database: only
// the authority organisation, no users, a setup token.
func WithoutDemo() NodeOption { return func(c *nodeConfig) { c.noDemo = true } }

// WithConfig lets the test change the node's configuration (Member State,
// node name, secure cookies …) before the handler is built.
func WithConfig(fn func(*app.Config)) NodeOption { return func(c *nodeConfig) { fn(&c.cfg) } }

// StartNode starts a nisnet node for the test: a fresh database (SQLite in
// t.TempDir(), or PostgreSQL when NISNET_TEST_POSTGRES is set, see
// storetest), the demo data of `nisnet demo`, and the node's real handler
// (app.Handler) on an httptest server on 127.0.0.1 port 0. Everything is
// closed when the test ends. The background workers (reminders, session
// sweeping) do not run.
func StartNode(t testing.TB, opts ...NodeOption) *Node {
	t.Helper()
	nc := nodeConfig{cfg: app.Config{Addr: "127.0.0.1:0", NodeMemberState: "NL"}}
	for _, o := range opts {
		o(&nc)
	}
	ctx := context.Background()
	db := storetest.Open(t)
	n := &Node{DB: db, Config: nc.cfg}
	if nc.noDemo {
		if _, err := api.EnsureAuthority(ctx, db, authorityName(nc.cfg), nc.cfg.NodeMemberState); err != nil {
			t.Fatalf("browsertest: authority organisation: %v", err)
		}
		tok, err := api.NewSetupToken(ctx, db)
		if err != nil {
			t.Fatalf("browsertest: setup token: %v", err)
		}
		n.SetupToken = tok
	} else {
		d, err := app.SeedDemo(ctx, nc.cfg, db)
		if err != nil {
			t.Fatalf("browsertest: seeding the demo data: %v", err)
		}
		n.Demo = d
	}
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	h, err := app.Handler(nc.cfg, db, log)
	if err != nil {
		t.Fatalf("browsertest: the node's handler: %v", err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close) // before the database closes: cleanups run last-in first-out
	n.URL = srv.URL
	return n
}

// authorityName is the name `nisnet serve` gives the authority organisation.
func authorityName(c app.Config) string {
	if c.NodeName != "" {
		return c.NodeName
	}
	return "Authority (" + c.NodeMemberState + ")"
}
