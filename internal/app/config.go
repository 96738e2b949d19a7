package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/nisnet-eu/nisnet/internal/calendar"
	"github.com/nisnet-eu/nisnet/internal/federation"
	"github.com/nisnet-eu/nisnet/internal/mail"
	"github.com/nisnet-eu/nisnet/internal/rules"
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
	// OptionsFile is a JSON file of rules.Options: the node's readings of
	// the law's ambiguities. Empty: the documented defaults.
	OptionsFile string
	// Options are the readings loaded from OptionsFile by validate.
	Options rules.Options
	// NodeID names the node among its peers: its STIX identity is derived
	// from it and peers know it by it. Default: nisnet-<member state>.
	NodeID string
	// FederationFile is the JSON file of the node's peers (see
	// docs/federation.md); empty: no peers (the TAXII server still runs).
	FederationFile string
	// Federation is the configuration loaded from FederationFile.
	Federation federation.Config
	// STIXSchemas is a folder of the official STIX 2.1 JSON Schemas
	// (oasis-open/cti-stix2-json-schemas "schemas"); when set, objects
	// received from peers are also checked against them.
	STIXSchemas string
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
	set(&c.NodeID, "NISNET_NODE_ID")
	set(&c.FederationFile, "NISNET_FEDERATION")
	set(&c.STIXSchemas, "NISNET_STIX_SCHEMAS")
	set(&c.OptionsFile, "NISNET_OPTIONS")
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

// federationFlags registers the flags of the node's federation.
func (c *Config) federationFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.NodeID, "node-id", c.NodeID, "name of this node among its peers, e.g. csirt-nl; default nisnet-<member state> (env NISNET_NODE_ID)")
	fs.StringVar(&c.FederationFile, "federation", c.FederationFile, "JSON file of the node's peers (see docs/federation.md); empty: no peers (env NISNET_FEDERATION)")
	fs.StringVar(&c.STIXSchemas, "stix-schemas", c.STIXSchemas, "folder of the official STIX 2.1 JSON Schemas to check received objects against as well (env NISNET_STIX_SCHEMAS)")
}

// optionsFlag registers the flag naming the options file.
func (c *Config) optionsFlag(fs *flag.FlagSet) {
	fs.StringVar(&c.OptionsFile, "options", c.OptionsFile, "JSON file of the node's readings of the law's ambiguities (rules options: period_reading, month_clock, …); defaults when empty (env NISNET_OPTIONS)")
}

// maxOptionsBytes bounds the options file.
const maxOptionsBytes = 64 << 10

// loadOptions reads a JSON object of rules.Options strictly: unknown
// fields, values of the wrong type, readings the engine does not know and
// trailing data are errors that name the field.
func loadOptions(file string) (rules.Options, error) {
	var o rules.Options
	f, err := os.Open(file)
	if err != nil {
		return o, fmt.Errorf("--options: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxOptionsBytes+1))
	if err != nil {
		return o, fmt.Errorf("--options %s: %w", file, err)
	}
	if len(b) > maxOptionsBytes {
		return o, fmt.Errorf("--options %s: larger than %d bytes", file, maxOptionsBytes)
	}
	var names []string
	for _, r := range rules.OptionDocs() {
		names = append(names, r.Option)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&o); err != nil {
		var (
			te *json.UnmarshalTypeError
			se *json.SyntaxError
		)
		switch msg := strings.TrimPrefix(err.Error(), "json: "); {
		case errors.As(err, &te) && te.Field == "":
			return o, fmt.Errorf("--options %s: want a JSON object of options, not %s", file, te.Value)
		case errors.As(err, &te):
			return o, fmt.Errorf("--options %s: %s: want a string, not %s", file, te.Field, te.Value)
		case errors.As(err, &se):
			return o, fmt.Errorf("--options %s: malformed JSON at byte %d: %v", file, se.Offset, se)
		case strings.HasPrefix(msg, "unknown field "):
			return o, fmt.Errorf("--options %s: %s; the options are %s", file, msg, strings.Join(names, ", "))
		case errors.Is(err, io.EOF):
			return o, fmt.Errorf("--options %s: empty; want a JSON object such as {\"period_reading\": \"exact\"}", file)
		default:
			return o, fmt.Errorf("--options %s: %s", file, msg)
		}
	}
	if _, err := dec.Token(); err != io.EOF {
		return o, fmt.Errorf("--options %s: unexpected data after the JSON object", file)
	}
	// The engine checks the readings when it validates facts: keep its
	// verdict on the options only.
	facts := rules.Facts{Now: time.Now(), Options: o}
	if ferr, ok := errors.AsType[*rules.FieldErrors](facts.Validate()); ok {
		var problems []string
		for _, fe := range ferr.List {
			if name, ok := strings.CutPrefix(fe.Field, "options."); ok {
				problems = append(problems, name+": "+fe.Message)
			}
		}
		if len(problems) > 0 {
			return o, fmt.Errorf("--options %s: %s", file, strings.Join(problems, "; "))
		}
	}
	return o, nil
}

// validate checks the configuration and loads the options file.
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
	if c.NodeID == "" {
		c.NodeID = "nisnet-" + strings.ToLower(c.NodeMemberState)
	}
	if _, err := federation.ParseAudience("peer:" + c.NodeID); err != nil {
		return fmt.Errorf("--node-id %q: want 1 to 63 of a-z, 0-9, '.', '_' and '-'", c.NodeID)
	}
	if c.FederationFile != "" {
		fc, err := federation.LoadConfig(c.FederationFile, os.Getenv)
		if err != nil {
			return fmt.Errorf("--federation: %w", err)
		}
		c.Federation = fc
	}
	if c.OptionsFile != "" {
		o, err := loadOptions(c.OptionsFile)
		if err != nil {
			return err
		}
		c.Options = o
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
