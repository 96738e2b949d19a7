package app

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	netmail "net/mail"
	"strconv"
	"strings"
	"time"

	"github.com/nisnet-eu/nisnet/internal/mail"
	"github.com/nisnet-eu/nisnet/internal/remind"
	"github.com/nisnet-eu/nisnet/internal/store"
)

// mailFromEnv reads the SMTP settings and NISNET_NO_WORKER from the
// environment. The SMTP password is read from the environment only, never
// from a flag, so that it does not show in the process list.
func (c *Config) mailFromEnv(getenv func(string) string) error {
	c.SMTP.Host = getenv("NISNET_SMTP_HOST")
	c.SMTP.From = getenv("NISNET_SMTP_FROM")
	c.SMTP.Username = getenv("NISNET_SMTP_USER")
	c.SMTP.Password = getenv("NISNET_SMTP_PASSWORD")
	c.SMTP.Port = 25
	if v := getenv("NISNET_SMTP_PORT"); v != "" {
		p, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("NISNET_SMTP_PORT=%q: want a port number", v)
		}
		c.SMTP.Port = p
	}
	for name, dst := range map[string]*bool{"NISNET_SMTP_REQUIRE_TLS": &c.SMTP.RequireTLS, "NISNET_NO_WORKER": &c.NoWorker} {
		if v := getenv(name); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return fmt.Errorf("%s=%q: want true or false", name, v)
			}
			*dst = b
		}
	}
	return nil
}

// workerFlags registers the flags of the background worker and its e-mail.
func (c *Config) workerFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.SMTP.Host, "smtp-host", c.SMTP.Host, "SMTP relay for e-mail reminders; empty: no e-mail, reminders are shown in the API only (env NISNET_SMTP_HOST)")
	fs.IntVar(&c.SMTP.Port, "smtp-port", c.SMTP.Port, "SMTP port (env NISNET_SMTP_PORT)")
	fs.StringVar(&c.SMTP.From, "smtp-from", c.SMTP.From, "sender address of the e-mails, e.g. nisnet@csirt.example (env NISNET_SMTP_FROM)")
	fs.StringVar(&c.SMTP.Username, "smtp-user", c.SMTP.Username, "SMTP user name; the password is read from NISNET_SMTP_PASSWORD (env NISNET_SMTP_USER)")
	fs.BoolVar(&c.SMTP.RequireTLS, "smtp-require-tls", c.SMTP.RequireTLS, "refuse to send unless the relay offers STARTTLS (env NISNET_SMTP_REQUIRE_TLS)")
	fs.BoolVar(&c.NoWorker, "no-worker", c.NoWorker, "run no background worker in this process: reminders are sent by other replicas (env NISNET_NO_WORKER)")
}

// validateMail checks the SMTP settings.
func (c *Config) validateMail() error {
	s := c.SMTP
	if s.Host == "" {
		if s.Username != "" || s.From != "" {
			return fmt.Errorf("--smtp-user and --smtp-from need --smtp-host")
		}
		return nil
	}
	if strings.ContainsAny(s.Host, " /\r\n") {
		return fmt.Errorf("--smtp-host %q: want a host name or IP address", s.Host)
	}
	if s.Port < 1 || s.Port > 65535 {
		return fmt.Errorf("--smtp-port %d: want 1 to 65535", s.Port)
	}
	if a, err := netmail.ParseAddress(s.From); err != nil || a.Address != s.From || a.Name != "" {
		return fmt.Errorf("--smtp-from: want the sender's address, such as nisnet@csirt.example")
	}
	if (s.Username == "") != (s.Password == "") {
		return fmt.Errorf("--smtp-user and NISNET_SMTP_PASSWORD go together: give both or neither")
	}
	return nil
}

// runWorker runs the reminder worker until ctx ends. observe, if not nil,
// counts the jobs it runs.
func runWorker(ctx context.Context, cfg Config, db *store.DB, log *slog.Logger, observe func(kind string, err error)) {
	w := &remind.Worker{DB: db, Log: log, Observe: observe}
	if cfg.SMTP.Host != "" {
		smtp := cfg.SMTP
		smtp.Timeout = 30 * time.Second // within the worker's lease
		w.Mail = mail.New(smtp)
	}
	if err := w.Run(ctx); err != nil {
		log.Error("reminder worker", "err", err)
	}
}
