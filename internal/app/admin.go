package app

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/mail"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/nisnet-eu/nisnet/internal/api"
	"github.com/nisnet-eu/nisnet/internal/auth"
	"github.com/nisnet-eu/nisnet/internal/store"
)

// adminCommands are the subcommands of `nisnet admin`: scripted set-up,
// working directly on the store (no running node needed). Their audit
// records name the actor "system".
func adminCommands() []command {
	return []command{
		{"create-user", "create a user; the password is read from stdin or --password-file", runCreateUser, nil},
		{"create-token", "issue an API token and print it, once", runCreateToken, nil},
	}
}

func runAdmin(ctx context.Context, args []string, env Env) int {
	return runSub(ctx, "admin", adminCommands(), args, env)
}

// runSub dispatches to one of a command's subcommands.
func runSub(ctx context.Context, name string, subs []command, args []string, env Env) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		w := env.Stderr
		if len(args) > 0 {
			w = env.Stdout
		}
		fmt.Fprintf(w, "Usage: nisnet %s <subcommand> [flags]\n\nSubcommands:\n", name)
		for _, c := range subs {
			fmt.Fprintf(w, "  %-13s %s\n", c.name, c.summary)
		}
		if len(args) == 0 {
			return ExitUsage
		}
		return ExitOK
	}
	for _, c := range subs {
		if c.name == args[0] {
			return c.run(ctx, args[1:], env)
		}
	}
	fmt.Fprintf(env.Stderr, "nisnet %s: unknown subcommand %q; run 'nisnet %s help'\n", name, args[0], name)
	return ExitUsage
}

// usageError is a bad command line or bad input: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// exitCode reports err on stderr as the command name and returns the exit
// status: 0 for nil, 2 for a usage error, 1 otherwise.
func exitCode(env Env, name string, err error) int {
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, flag.ErrHelp):
		return ExitOK
	case errors.As(err, new(usageError)):
		fmt.Fprintf(env.Stderr, "nisnet %s: %v\n", name, err)
		return ExitUsage
	}
	fmt.Fprintf(env.Stderr, "nisnet %s: %v\n", name, err)
	return ExitError
}

// parseToolFlags parses the flags of a store tool: fs's own plus the
// store flags, defaults from the environment.
func parseToolFlags(fs *flag.FlagSet, c *Config, args []string, env Env) error {
	fs.SetOutput(env.Stderr)
	c.storeFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	if err := c.validate(); err != nil {
		return usageError{err.Error()}
	}
	return nil
}

// resolveOrg returns the organisation named on the command line: its id,
// or "authority" for the node's authority (created if missing).
func resolveOrg(ctx context.Context, db *store.DB, c Config, ref string) (store.Organisation, error) {
	if ref == "authority" {
		return api.EnsureAuthority(ctx, db, c.authorityName(), c.NodeMemberState)
	}
	o, err := db.GetOrganisation(ctx, ref)
	if errors.Is(err, store.ErrNotFound) {
		return o, usagef("--org: no organisation %q (give an organisation id, or authority)", ref)
	}
	return o, err
}

func runCreateUser(ctx context.Context, args []string, env Env) int {
	return exitCode(env, "admin create-user", createUser(ctx, args, env))
}

func createUser(ctx context.Context, args []string, env Env) error {
	c, err := configFromEnv(env.Getenv)
	if err != nil {
		return usageError{err.Error()}
	}
	fs := flag.NewFlagSet("admin create-user", flag.ContinueOnError)
	email := fs.String("email", "", "the user's email address (required)")
	role := fs.String("role", "", "entity_reporter, entity_admin, authority_analyst, authority_supervisor or node_admin (required)")
	org := fs.String("org", "", "organisation id, or authority for the node's authority (required)")
	name := fs.String("name", "", "display name")
	pwFile := fs.String("password-file", "", "read the password from this file instead of standard input")
	c.nodeFlags(fs) // for --org authority on a new node
	fs.Usage = func() {
		fmt.Fprintf(env.Stderr, "Usage: nisnet admin create-user --email E --role R --org ID|authority [flags] < password\n\nReads the password (at least %d characters) from the first line of standard input or --password-file.\n\nFlags:\n", auth.MinPasswordChars)
		fs.PrintDefaults()
	}
	if err := parseToolFlags(fs, &c, args, env); err != nil {
		return err
	}
	if a, err := mail.ParseAddress(*email); err != nil || a.Address != *email || a.Name != "" {
		return usagef("--email: want an email address such as name@example.eu")
	}
	if *org == "" {
		return usagef("--org is required: an organisation id, or authority")
	}
	if *role == "" {
		return usagef("--role is required")
	}
	if len(*name) > 200 || strings.ContainsFunc(*name, unicode.IsControl) {
		return usagef("--name: at most 200 bytes, no control characters")
	}
	pw, err := readPassword(env.Stdin, *pwFile)
	if err != nil {
		return err
	}
	if err := auth.ValidatePassword(pw); err != nil {
		return usageError{err.Error()}
	}

	db, err := openStore(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	o, err := resolveOrg(ctx, db, c, *org)
	if err != nil {
		return err
	}
	if !api.RoleFits(store.Role(*role), o.Kind) {
		return usagef("--role %q does not fit the %s organisation %s", *role, o.Kind, o.Name)
	}
	hash, err := auth.HashPassword(pw)
	if err != nil {
		return err
	}
	var u store.User
	err = db.Transact(ctx, func(tx *store.Tx) error {
		var err error
		u, err = tx.CreateUser(ctx, store.User{OrganisationID: o.ID, Email: *email, DisplayName: *name, Role: store.Role(*role), PasswordHash: hash})
		if err != nil {
			return err
		}
		return tx.Audit(ctx, store.AuditEvent{Actor: "system", OrganisationID: o.ID, Action: "user.create",
			ObjectType: "user", ObjectID: u.ID, Detail: map[string]string{"email": u.Email, "role": string(u.Role), "via": "cli"}})
	})
	if errors.Is(err, store.ErrConflict) {
		return usagef("a user with the email %s already exists", *email)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "created user %s <%s> (%s) in %s (%s)\n", u.ID, u.Email, u.Role, o.Name, o.ID)
	return nil
}

// readPassword reads a password: the first line of the file, or of r when
// file is empty. The line end is not part of it.
func readPassword(r io.Reader, file string) (string, error) {
	if file != "" {
		f, err := os.Open(file)
		if err != nil {
			return "", usagef("--password-file: %v", err)
		}
		defer f.Close()
		r = f
	}
	if r == nil {
		return "", usagef("no password: give it on standard input or with --password-file")
	}
	line, err := bufio.NewReader(io.LimitReader(r, auth.MaxPasswordBytes+2)).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", fmt.Errorf("reading the password: %w", err)
	}
	line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
	if line == "" {
		return "", usagef("no password: give it on standard input or with --password-file")
	}
	return line, nil
}

func runCreateToken(ctx context.Context, args []string, env Env) int {
	return exitCode(env, "admin create-token", createToken(ctx, args, env))
}

func createToken(ctx context.Context, args []string, env Env) error {
	c, err := configFromEnv(env.Getenv)
	if err != nil {
		return usageError{err.Error()}
	}
	fs := flag.NewFlagSet("admin create-token", flag.ContinueOnError)
	org := fs.String("org", "", "organisation id, or authority for the node's authority (required)")
	role := fs.String("role", "", "the token's role; must fit the organisation (required)")
	name := fs.String("name", "", "what the token is for (required)")
	expires := fs.String("expires", "", "lifetime: 90d, 36h … at most 366d (required)")
	c.nodeFlags(fs) // for --org authority on a new node
	fs.Usage = func() {
		fmt.Fprintf(env.Stderr, "Usage: nisnet admin create-token --org ID|authority --role R --name N --expires 90d [flags]\n\nPrints the new token on standard output, once: it cannot be shown again.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := parseToolFlags(fs, &c, args, env); err != nil {
		return err
	}
	switch {
	case *org == "":
		return usagef("--org is required: an organisation id, or authority")
	case *role == "":
		return usagef("--role is required")
	case strings.TrimSpace(*name) == "" || len(*name) > 200:
		return usagef("--name is required (at most 200 bytes)")
	}
	life, err := parseLifetime(*expires)
	if err != nil {
		return usagef("--expires: %v", err)
	}

	db, err := openStore(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	o, err := resolveOrg(ctx, db, c, *org)
	if err != nil {
		return err
	}
	if !api.RoleFits(store.Role(*role), o.Kind) {
		return usagef("--role %q does not fit the %s organisation %s", *role, o.Kind, o.Name)
	}
	plain, hash := auth.NewToken(auth.APITokenPrefix)
	var t store.APIToken
	err = db.Transact(ctx, func(tx *store.Tx) error {
		var err error
		t, err = tx.CreateAPIToken(ctx, store.APIToken{TokenHash: hash, OrganisationID: o.ID, Role: store.Role(*role),
			Name: strings.TrimSpace(*name), CreatedBy: "system", ExpiresAt: time.Now().Add(life)})
		if err != nil {
			return err
		}
		return tx.Audit(ctx, store.AuditEvent{Actor: "system", OrganisationID: o.ID, Action: "api_token.create",
			ObjectType: "api_token", ObjectID: t.ID, Detail: map[string]string{
				"name": t.Name, "role": string(t.Role), "expires_at": t.ExpiresAt.Format(time.RFC3339), "via": "cli"}})
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "nisnet: API token %s (%s, %s) for %s, expires %s; it is shown once:\n",
		t.ID, t.Name, t.Role, o.Name, t.ExpiresAt.Format(time.RFC3339))
	fmt.Fprintln(env.Stdout, plain)
	return nil
}

// parseLifetime parses a token lifetime: a number of days ("90d") or a Go
// duration ("36h"), positive and at most api.MaxTokenLifetime.
func parseLifetime(s string) (time.Duration, error) {
	if s == "" {
		return 0, errors.New("required, e.g. 90d")
	}
	var d time.Duration
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil {
			return 0, fmt.Errorf("%q: want a number of days such as 90d, or a duration such as 36h", s)
		}
		d = time.Duration(n) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return 0, fmt.Errorf("%q: want a number of days such as 90d, or a duration such as 36h", s)
		}
	}
	if d <= 0 || d > api.MaxTokenLifetime {
		return 0, fmt.Errorf("%q: must be positive and at most %dd", s, api.MaxTokenLifetime/(24*time.Hour))
	}
	return d, nil
}
