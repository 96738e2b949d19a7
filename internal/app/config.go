package app

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/nisnet-eu/nisnet/internal/calendar"
	"github.com/nisnet-eu/nisnet/internal/mail"
	"github.com/nisnet-eu/nisnet/internal/store"
)

// Config is the node's configuration, from flags and NISNET_* variables;
// a flag wins over its variable.
type Config struct {
	Addr     string // listen address
	Data     string // data directory (SQLite file, keys)
	DB       string // PostgreSQL URL instead of SQLite
	Holidays string // holiday calendar update file
	// NodeMemberState is the Member State of the authority running the
	// node (EU code: NL, DE, EL …).
	NodeMemberState string
	// NodeName names the authority organisation when the node creates it
	// at first start.
	NodeName string
	// SecureCookies: TLS is terminated in front of the node, so session
	// cookies are Secure and __Host- prefixed.
	SecureCookies bool
	// SMTP is the relay that e-mails reminders; an empty Host: no e-mail.
	SMTP mail.Config
	// NoWorker: this process runs no background worker (see worker.go).
	NoWorker bool
}

// configFromEnv returns the defaults, overridden by the environment.
func configFromEnv(getenv func(string) string) (Config, error) {
	c := Config{Addr: "127.0.0.1:8080", Data: "./data", NodeMemberState: "NL"}
	set := func(dst *string, name string) {
		if v := getenv(name); v != "" {
			*dst = v
		}
	}
	set(&c.Addr, "NISNET_ADDR")
	set(&c.Data, "NISNET_DATA")
	set(&c.DB, "NISNET_DB")
	set(&c.NodeMemberState, "NISNET_MEMBER_STATE")
	set(&c.NodeName, "NISNET_NODE_NAME")
	if v := getenv("NISNET_SECURE_COOKIES"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return c, fmt.Errorf("NISNET_SECURE_COOKIES=%q: want true or false", v)
		}
		c.SecureCookies = b
	}
	if err := c.mailFromEnv(getenv); err != nil {
		return c, err
	}
	return c, nil
}

// storeFlags registers the flags that choose the database.
func (c *Config) storeFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.Data, "data", c.Data, "data directory for the SQLite file and keys, created 0700 (env NISNET_DATA)")
	fs.StringVar(&c.DB, "db", c.DB, "PostgreSQL URL (postgres://…); SQLite file nisnet.db in --data when empty (env NISNET_DB)")
}

// nodeFlags registers the flags that describe the node's authority.
func (c *Config) nodeFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.NodeMemberState, "member-state", c.NodeMemberState, "Member State of the authority running the node, EU code (env NISNET_MEMBER_STATE)")
	fs.StringVar(&c.NodeName, "node-name", c.NodeName, "name of the authority organisation, used when the node creates it (env NISNET_NODE_NAME)")
}

// validate checks the configuration.
func (c *Config) validate() error {
	if _, ok := calendar.LookupMemberState(c.NodeMemberState); !ok {
		if c.NodeMemberState == "GR" {
			return fmt.Errorf("--member-state: Greece is EL in EU usage, not GR")
		}
		return fmt.Errorf("--member-state %q: not an EU Member State code (NL, DE, EL …)", c.NodeMemberState)
	}
	if c.DB != "" && !strings.HasPrefix(c.DB, "postgres://") && !strings.HasPrefix(c.DB, "postgresql://") {
		return fmt.Errorf("--db: want a postgres:// URL (leave it empty for SQLite in --data)")
	}
	if c.DB == "" && c.Data == "" {
		return fmt.Errorf("--data: a directory is required when --db is empty")
	}
	if len(c.NodeName) > 200 {
		return fmt.Errorf("--node-name: at most 200 bytes")
	}
	return c.validateMail()
}

// authorityName is the name the authority organisation gets at first start.
func (c *Config) authorityName() string {
	if c.NodeName != "" {
		return c.NodeName
	}
	return "Authority (" + c.NodeMemberState + ")"
}

// openStore opens the configured database, running migrations: PostgreSQL
// when DB is set, else the SQLite file nisnet.db in Data (created 0700).
func openStore(ctx context.Context, c Config) (*store.DB, error) {
	dsn := c.DB
	if dsn == "" {
		if err := os.MkdirAll(c.Data, 0o700); err != nil {
			return nil, fmt.Errorf("data directory: %w", err)
		}
		dsn = filepath.Join(c.Data, "nisnet.db")
	}
	return store.Open(ctx, dsn)
}

// parseFlags parses args with fs, which must not leave arguments over.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return nil
}
