package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime/pprof"
	"strconv"
	"time"

	"github.com/nisnet-eu/nisnet/internal/auth"
	"github.com/nisnet-eu/nisnet/internal/load"
	"github.com/nisnet-eu/nisnet/internal/store"
)

// runLoad is `nisnet load`: sustained report submissions against a node's
// API from concurrent clients, with throughput and latency percentiles.
// Without --url it starts a node of its own (SQLite in a temporary
// directory, or --db) with an entity and its API token.
func runLoad(ctx context.Context, args []string, env Env) int {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	url := fs.String("url", "", "base URL of a running node; empty: start one in this process")
	token := fs.String("token", env.Getenv("NISNET_TOKEN"), "an entity's API token (env NISNET_TOKEN); needed with --url")
	clients := fs.Int("clients", 50, "concurrent API clients")
	rate := fs.Float64("rate", 0, "open loop: submissions per second in all, spread evenly over the clients, latency counted from each one's scheduled instant; 0: closed loop, as fast as the node answers")
	duration := fs.Duration("duration", 20*time.Second, "how long to submit")
	warmup := fs.Duration("warmup", 2*time.Second, "submissions in this first period are not measured")
	reportID := fs.String("report", "nis2.early_warning", "report each submission files")
	db := fs.String("db", env.Getenv("NISNET_DB"), "with no --url: PostgreSQL URL for the node started here (default: SQLite in a temporary directory)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of this process (node and clients, the whole run) to this file")
	fs.Usage = func() {
		fmt.Fprintf(env.Stderr, "Usage: nisnet load [flags]\n\n"+
			"Each client opens an incident, then files reports on it (every 2xx is a\n"+
			"durably stored submission). Closed loop (the default), each client files its\n"+
			"next report as soon as the node acknowledges the previous one: the most the\n"+
			"node sustains. Open loop (--rate N), N reports per second in all are\n"+
			"scheduled evenly over the clients whatever the answers, and each latency runs\n"+
			"from the report's scheduled instant, so a node that falls behind shows it.\n"+
			"Prints progress every second on stderr, then the rate and p50/p90/p99\n"+
			"latency on stdout.\n\n"+
			"  nisnet load --clients 50 --duration 15s\n"+
			"  nisnet load --clients 500 --rate 2000 --duration 15s\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK
		}
		return ExitUsage
	}
	base := *url
	if base == "" {
		var stop func()
		var err error
		base, *token, stop, err = startLoadNode(ctx, *db, env)
		if err != nil {
			fmt.Fprintf(env.Stderr, "nisnet load: %v\n", err)
			return ExitError
		}
		defer stop()
	} else if *token == "" {
		fmt.Fprintln(env.Stderr, "nisnet load: --token (or NISNET_TOKEN) is required with --url")
		return ExitUsage
	}
	if *cpuProfile != "" {
		stop, err := startCPUProfile(*cpuProfile)
		if err != nil {
			fmt.Fprintf(env.Stderr, "nisnet load: %v\n", err)
			return ExitError
		}
		defer stop()
	}
	prev := 0
	res, err := loadRun(ctx, base, *token, *reportID, load.Options{Clients: *clients, Duration: *duration, Warmup: *warmup, Rate: *rate,
		Progress: func(done, failed int, elapsed time.Duration) {
			fmt.Fprintf(env.Stderr, "nisnet load: %s: %d submissions (%d in the last second), %d failed\n",
				elapsed.Round(time.Second), done, done-prev, failed)
			prev = done
		}})
	if err != nil {
		fmt.Fprintf(env.Stderr, "nisnet load: %v\n", err)
		return ExitError
	}
	fmt.Fprintln(env.Stdout, res)
	if res.Failures > 0 {
		fmt.Fprintf(env.Stderr, "nisnet load: %d submissions failed; first: %s\n", res.Failures, res.FirstError)
		return ExitError
	}
	return ExitOK
}

// loadRun opens one incident per client and files reports on it.
func loadRun(ctx context.Context, base, token, reportID string, opts load.Options) (load.Result, error) {
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: opts.Clients, MaxConnsPerHost: opts.Clients}, Timeout: 30 * time.Second}
	incidents := make([]string, opts.Clients)
	for c := range incidents {
		id, err := openLoadIncident(ctx, hc, base, token, c)
		if err != nil {
			return load.Result{}, err
		}
		incidents[c] = id
	}
	body, err := loadReportBody(reportID)
	if err != nil {
		return load.Result{}, err
	}
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	return load.Run(ctx, hc, opts, func(ctx context.Context, c, i int) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, "POST", base+"/api/v1/incidents/"+incidents[c]+"/reports/"+reportID, bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", fmt.Sprintf("load-%s-%d-%d", run, c, i))
		return req, nil
	})
}

func loadReportBody(reportID string) ([]byte, error) {
	switch reportID {
	case "nis2.early_warning":
		return []byte(`{"suspected_malicious":false,"cross_border_impact":false,"summary":"load test"}`), nil
	case "nis2.intermediate":
		return []byte(`{"status_update":"load test"}`), nil
	}
	return nil, fmt.Errorf("--report %s: the load generator files nis2.early_warning or nis2.intermediate", reportID)
}

// openLoadIncident opens an incident of a DNS provider that became aware an
// hour ago of a 45-minute outage (significant under 2024/2690 Art 5(a)).
func openLoadIncident(ctx context.Context, hc *http.Client, base, token string, c int) (string, error) {
	aware := time.Now().UTC().Add(-time.Hour).Format(time.RFC3339)
	body := fmt.Sprintf(`{"title":"load test incident %d","facts":{"entity":{"member_state":"NL","entity_types":["digital-infrastructure/dns"]},
		"incident":{"aware_at":%q,"impact":{"complete_unavailability":"45m"}}}}`, c, aware)
	req, err := http.NewRequestWithContext(ctx, "POST", base+"/api/v1/incidents", bytes.NewReader([]byte(body)))
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusCreated {
		return "", fmt.Errorf("opening an incident: HTTP %d: %s", resp.StatusCode, raw)
	}
	var v struct {
		Incident struct {
			ID string `json:"id"`
		} `json:"incident"`
	}
	if err := json.Unmarshal(raw, &v); err != nil || v.Incident.ID == "" {
		return "", fmt.Errorf("opening an incident: unexpected answer %s", raw)
	}
	return v.Incident.ID, nil
}

// startLoadNode starts a node in this process with an entity organisation
// and an API token for it, and returns its URL, the token and a stop
// function.
func startLoadNode(ctx context.Context, dsn string, env Env) (string, string, func(), error) {
	dir, err := os.MkdirTemp("", "nisnet-load-")
	if err != nil {
		return "", "", nil, err
	}
	cfg, err := configFromEnv(func(string) string { return "" })
	if err != nil {
		return "", "", nil, err
	}
	cfg.Addr, cfg.Data, cfg.DB, cfg.NoWorker = "127.0.0.1:0", dir, dsn, true
	db, err := openStore(ctx, cfg)
	if err != nil {
		os.RemoveAll(dir)
		return "", "", nil, err
	}
	plain, hash := auth.NewToken(auth.APITokenPrefix)
	err = db.Transact(ctx, func(tx *store.Tx) error {
		org, err := tx.CreateOrganisation(ctx, store.Organisation{Kind: store.OrgEntity, Name: "Load test DNS provider", MemberState: "NL",
			Profile: json.RawMessage(`{"member_state":"NL","entity_types":["digital-infrastructure/dns"]}`)})
		if err != nil {
			return err
		}
		_, err = tx.CreateAPIToken(ctx, store.APIToken{TokenHash: hash, OrganisationID: org.ID, Role: store.RoleEntityReporter, Name: "load",
			CreatedBy: "system", ExpiresAt: time.Now().Add(24 * time.Hour)})
		return err
	})
	db.Close()
	if err != nil {
		os.RemoveAll(dir)
		return "", "", nil, err
	}
	runCtx, cancel := context.WithCancel(ctx)
	ready := make(chan string, 1)
	done := make(chan error, 1)
	quiet := Env{Stdin: env.Stdin, Stdout: io.Discard, Stderr: io.Discard, Getenv: env.Getenv}
	go func() { done <- Serve(runCtx, cfg, quiet, ready) }()
	select {
	case addr := <-ready:
		fmt.Fprintf(env.Stderr, "nisnet load: node on http://%s (%s)\n", addr, storeKind(dsn))
		return "http://" + addr, plain, func() { cancel(); <-done; os.RemoveAll(dir) }, nil
	case err := <-done:
		cancel()
		os.RemoveAll(dir)
		return "", "", nil, err
	}
}

// startCPUProfile starts writing a CPU profile of the process to path and
// returns the function that stops it.
func startCPUProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

func storeKind(dsn string) string {
	if dsn == "" {
		return "SQLite"
	}
	return "PostgreSQL"
}
