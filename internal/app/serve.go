package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/nisnet-eu/nisnet/internal/api"
	"github.com/nisnet-eu/nisnet/internal/store"
)

func parseServe(args []string, env Env) (Config, error) {
	c, err := configFromEnv(env.Getenv)
	if err != nil {
		return c, err
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.StringVar(&c.Addr, "addr", c.Addr, "listen address (env NISNET_ADDR)")
	c.storeFlags(fs)
	c.nodeFlags(fs)
	c.federationFlags(fs)
	fs.StringVar(&c.Holidays, "holidays", "", "holiday calendar update file merged over the built-in one")
	fs.BoolVar(&c.SecureCookies, "secure-cookies", c.SecureCookies, "TLS is terminated by a proxy in front: make session cookies Secure and __Host- prefixed (env NISNET_SECURE_COOKIES)")
	c.workerFlags(fs)
	c.optionsFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return c, err
	}
	return c, c.validate()
}

func runServe(ctx context.Context, args []string, env Env) int {
	cfg, err := parseServe(args, env)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK
		}
		fmt.Fprintf(env.Stderr, "nisnet serve: %v\n", err)
		return ExitUsage
	}
	if err := Serve(ctx, cfg, env, nil); err != nil {
		fmt.Fprintf(env.Stderr, "nisnet serve: %v\n", err)
		return ExitError
	}
	return ExitOK
}

// Serve runs the node until ctx ends: it opens the store (running
// migrations), makes sure the authority organisation exists, prints a
// one-time setup token to env.Stderr while the node has no users, and
// serves HTTP. Logs go to env.Stderr as JSON. If ready is not nil it
// receives the bound address once the listener is up (tests listen on
// port 0). On return the store is closed.
func Serve(ctx context.Context, cfg Config, env Env, ready chan<- string) error {
	log := slog.New(slog.NewJSONHandler(env.Stderr, nil))
	db, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()

	authority, err := api.EnsureAuthority(ctx, db, cfg.authorityName(), cfg.NodeMemberState)
	if err != nil {
		return fmt.Errorf("authority organisation: %w", err)
	}
	if authority.MemberState != cfg.NodeMemberState {
		log.Warn("the authority organisation's Member State differs from --member-state", "organisation", authority.MemberState, "config", cfg.NodeMemberState)
	}
	var setupToken string
	if n, err := db.CountUsers(ctx); err != nil {
		return err
	} else if n == 0 {
		if setupToken, err = api.NewSetupToken(ctx, db); err != nil {
			return fmt.Errorf("setup token: %w", err)
		}
	}

	node, err := NewNode(ctx, cfg, db, log)
	if err != nil {
		return err
	}
	m := newMetrics()
	node.Federation.RegisterMetrics(m.reg)
	h := m.handler(node.Handler)
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	addr := ln.Addr().String()
	log.Info("nisnet listening", "addr", addr, "store", db.Dialect(), "authority", authority.ID)
	if setupToken != "" {
		printSetupHint(env.Stderr, addr, setupToken)
	}
	if ready != nil {
		ready <- addr
	}

	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	var workers sync.WaitGroup
	// The workers outlive ctx until HTTP has drained: then they stop,
	// before the store closes.
	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	defer func() { stopWork(); workers.Wait() }()
	workers.Go(func() { sweepSessions(workCtx, db, log) })
	if !cfg.NoWorker {
		workers.Go(func() { runWorker(workCtx, cfg, db, log, m.observeJob) })
		workers.Go(func() { node.Federation.Run(workCtx) })
	}

	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(shut); err != nil {
		return err
	}
	<-errc
	log.Info("nisnet stopped")
	return nil
}

// printSetupHint tells the operator how to create the first administrator.
func printSetupHint(w io.Writer, addr, token string) {
	host, port, err := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); err == nil && ip != nil && ip.IsUnspecified() {
		addr = net.JoinHostPort("127.0.0.1", port)
	}
	fmt.Fprintf(w, "nisnet: no users yet — create the first admin with: curl -X POST http://%s/api/v1/setup -H 'Content-Type: application/json' -d '{\"token\":\"%s\",\"email\":\"you@example.eu\",\"password\":\"at least 12 characters\"}'\n", addr, token)
	fmt.Fprintf(w, "nisnet: the setup token works once; a restart without users replaces it. Or run: nisnet admin create-user --role node_admin --org authority --email …\n")
}

// sweepSessions deletes expired sessions every hour until ctx ends.
func sweepSessions(ctx context.Context, db *store.DB, log *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := db.DeleteExpiredSessions(ctx); err != nil && ctx.Err() == nil {
				log.Error("deleting expired sessions", "err", err)
			} else if n > 0 {
				log.Info("expired sessions deleted", "count", n)
			}
		}
	}
}
