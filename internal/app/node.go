package app

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/nisnet-eu/nisnet/internal/api"
	"github.com/nisnet-eu/nisnet/internal/federation"
	"github.com/nisnet-eu/nisnet/internal/rules"
	"github.com/nisnet-eu/nisnet/internal/stix"
	"github.com/nisnet-eu/nisnet/internal/stix/pattern"
	"github.com/nisnet-eu/nisnet/internal/stixmap"
	"github.com/nisnet-eu/nisnet/internal/store"
	"github.com/nisnet-eu/nisnet/internal/taxii"
	"github.com/nisnet-eu/nisnet/internal/vocab"
)

// Node is a node's HTTP handler and the federation behind it.
type Node struct {
	Handler    http.Handler
	Federation *federation.Service
}

// TAXIIRoot is the path of the node's TAXII 2.1 API root.
const TAXIIRoot = "/taxii2/nisnet/"

// NewNode builds the node on an open store: the API, the web interface,
// the TAXII 2.1 server and the federation (collections made on first use).
func NewNode(ctx context.Context, cfg Config, db *store.DB, log *slog.Logger) (*Node, error) {
	cal, err := loadCalendar(cfg.Holidays)
	if err != nil {
		return nil, err
	}
	set, err := vocab.NewSet(rules.Vocabularies()...)
	if err != nil {
		return nil, fmt.Errorf("vocabularies: %w", err)
	}
	validator := &stix.Validator{Pattern: func(s string) error { _, err := pattern.Parse(s); return err }}
	if cfg.STIXSchemas != "" {
		if validator.Schemas, err = stix.LoadSchemas(cfg.STIXSchemas); err != nil {
			return nil, fmt.Errorf("--stix-schemas: %w", err)
		}
	}
	nodeID := cfg.NodeID
	if nodeID == "" {
		nodeID = "nisnet-" + lowerASCII(cfg.NodeMemberState)
	}
	fed, err := federation.New(ctx, db, federation.Options{
		Node:     stixmap.Node{Name: nodeID, Title: cfg.authorityName(), MemberState: cfg.NodeMemberState},
		Config:   cfg.Federation,
		Validate: validator.Validate,
		Log:      log,
	})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	srv := &api.Server{Engine: rules.New(cal), Vocab: set, DB: db, Log: log, SecureCookies: cfg.SecureCookies, MemberState: cfg.NodeMemberState,
		Options: cfg.Options, Federation: fed}
	srv.Routes(mux)
	ts := &taxii.Server{DB: db, Title: "nisnet " + cfg.authorityName(), Description: "TAXII 2.1 server of a nisnet node (" + nodeID + ")",
		APIRoot: TAXIIRoot, Auth: fed.Authenticator(srv.TAXIIPrincipal), Policy: fed.Policy(),
		Validate: func(raw json.RawMessage) (stix.Object, error) { return validator.Validate(raw) }, Log: log}
	mux.Handle("/taxii2/", ts.Handler())
	ui, err := newUI(cfg, mux, log)
	if err != nil {
		return nil, err
	}
	if err := ui.Routes(mux); err != nil {
		return nil, err
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	return &Node{Handler: mux, Federation: fed}, nil
}

// Handler builds the node's HTTP handler on an open store.
func Handler(cfg Config, db *store.DB, log *slog.Logger) (http.Handler, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	n, err := NewNode(ctx, cfg, db, log)
	if err != nil {
		return nil, err
	}
	return n.Handler, nil
}

func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
