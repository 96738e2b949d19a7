package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/nisnet-eu/nisnet/internal/api"
	"github.com/nisnet-eu/nisnet/internal/rules"
	"github.com/nisnet-eu/nisnet/internal/vocab"
)

// Config is the node's configuration, from flags and NISNET_* variables.
type Config struct {
	Addr     string // listen address
	Data     string // data directory (SQLite file, keys)
	DB       string // PostgreSQL URL instead of SQLite
	Holidays string // holiday calendar update file
}

func parseServe(args []string, env Env) (Config, error) {
	c := Config{Addr: "127.0.0.1:8080", Data: "./data"}
	if v := env.Getenv("NISNET_ADDR"); v != "" {
		c.Addr = v
	}
	if v := env.Getenv("NISNET_DATA"); v != "" {
		c.Data = v
	}
	c.DB = env.Getenv("NISNET_DB")
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.StringVar(&c.Addr, "addr", c.Addr, "listen address (env NISNET_ADDR)")
	fs.StringVar(&c.Data, "data", c.Data, "data directory for the SQLite file and keys (env NISNET_DATA)")
	fs.StringVar(&c.DB, "db", c.DB, "PostgreSQL URL; SQLite in --data when empty (env NISNET_DB)")
	fs.StringVar(&c.Holidays, "holidays", "", "holiday calendar update file merged over the built-in one")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return c, nil
}

// Handler builds the node's HTTP handler.
func Handler(cfg Config, log *slog.Logger) (http.Handler, error) {
	cal, err := loadCalendar(cfg.Holidays)
	if err != nil {
		return nil, err
	}
	set, err := vocab.NewSet(rules.Vocabularies()...)
	if err != nil {
		return nil, fmt.Errorf("vocabularies: %w", err)
	}
	mux := http.NewServeMux()
	srv := &api.Server{Engine: rules.New(cal), Vocab: set, Log: log}
	srv.Routes(mux)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	return mux, nil
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
	log := slog.New(slog.NewJSONHandler(env.Stderr, nil))
	if err := Serve(ctx, cfg, log, nil); err != nil {
		fmt.Fprintf(env.Stderr, "nisnet serve: %v\n", err)
		return ExitError
	}
	return ExitOK
}

// Serve runs the node until ctx ends. If ready is not nil it receives the
// bound address once the listener is up (tests listen on port 0).
func Serve(ctx context.Context, cfg Config, log *slog.Logger, ready chan<- string) error {
	h, err := Handler(cfg, log)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second}
	log.Info("nisnet listening", "addr", ln.Addr().String())
	if ready != nil {
		ready <- ln.Addr().String()
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
	return nil
}
