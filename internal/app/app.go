// Package app wires nisnet together: it parses the command line and the
// environment, and runs a command — the node (serve) or a tool (assess,
// admin, audit …). Tests run the real program through Run.
package app

import (
	"context"
	"fmt"
	"io"
	"strings"
)

// Env is the process environment a command runs in.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
}

// Exit codes.
const (
	ExitOK    = 0
	ExitError = 1 // the command failed
	ExitUsage = 2 // bad command line or invalid input
)

type command struct {
	name, summary string
	run           func(ctx context.Context, args []string, env Env) int
	subs          func() []command // for help
}

func commands() []command {
	return []command{
		{"serve", "run a node (HTTP API on --addr)", runServe, nil},
		{"demo", "run a node seeded with demo users, entities, incidents and an API token", runDemo, nil},
		{"assess", "assess incident facts: must it be reported, under which law, by when", runAssess, nil},
		{"admin", "administer the node's store directly (no running node needed)", runAdmin, adminCommands},
		{"audit", "inspect the audit trail", runAudit, auditCommands},
		{"load", "load-test a node: concurrent clients filing reports, rate and latency percentiles", runLoad, nil},
		{"version", "print the version", runVersion, nil},
		{"help", "show this help", nil, nil},
	}
}

// Version is the program version, set at build time with -ldflags.
var Version = "dev"

// Run runs the command named by args[0] and returns the exit code.
func Run(ctx context.Context, args []string, env Env) int {
	if env.Getenv == nil {
		env.Getenv = func(string) string { return "" }
	}
	if len(args) == 0 {
		usage(env.Stderr)
		return ExitUsage
	}
	name := args[0]
	if name == "help" || name == "-h" || name == "--help" {
		usage(env.Stdout)
		return ExitOK
	}
	for _, c := range commands() {
		if c.name == name && c.run != nil {
			return c.run(ctx, args[1:], env)
		}
	}
	fmt.Fprintf(env.Stderr, "nisnet: unknown command %q\n\n", name)
	usage(env.Stderr)
	return ExitUsage
}

func usage(w io.Writer) {
	var b strings.Builder
	b.WriteString("nisnet — the node software of the EU network of cybersecurity authorities\n\nUsage: nisnet <command> [flags]\n\nCommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(&b, "  %-19s %s\n", c.name, c.summary)
		if c.subs != nil {
			for _, s := range c.subs() {
				fmt.Fprintf(&b, "    %-17s %s\n", s.name, s.summary)
			}
		}
	}
	b.WriteString("\nRun 'nisnet <command> [<subcommand>] -h' for the flags.\n\nEnvironment (flags win):\n")
	for _, e := range [][2]string{
		{"NISNET_ADDR", "listen address (--addr, default 127.0.0.1:8080)"},
		{"NISNET_DATA", "data directory for the SQLite file (--data, default ./data)"},
		{"NISNET_DB", "PostgreSQL URL instead of SQLite (--db)"},
		{"NISNET_MEMBER_STATE", "Member State of the node's authority (--member-state, default NL)"},
		{"NISNET_NODE_NAME", "name of the authority organisation at first start (--node-name)"},
		{"NISNET_SECURE_COOKIES", "TLS terminated by a proxy: Secure, __Host- session cookies (--secure-cookies)"},
		{"NISNET_SMTP_HOST", "SMTP relay for e-mail reminders (--smtp-host; also _PORT, _FROM, _USER, _REQUIRE_TLS)"},
		{"NISNET_SMTP_PASSWORD", "SMTP password, from the environment only"},
		{"NISNET_NO_WORKER", "run no reminder worker in this process (--no-worker)"},
		{"NISNET_OPTIONS", "JSON file of the node's readings of the law's ambiguities (--options)"},
	} {
		fmt.Fprintf(&b, "  %-22s %s\n", e[0], e[1])
	}
	b.WriteString("\nFirst start: with no users, serve prints a one-time setup token for POST /api/v1/setup.\n")
	io.WriteString(w, b.String())
}

func runVersion(_ context.Context, _ []string, env Env) int {
	fmt.Fprintf(env.Stdout, "nisnet %s\n", Version)
	return ExitOK
}
