// Package mail sends the node's e-mail (deadline reminders, overdue
// notices) over SMTP, with STARTTLS when the server offers it.
package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/smtp"
	"strconv"
	"strings"
	"time"
)

// Config says how to reach the SMTP relay. An empty Host disables e-mail.
type Config struct {
	Host     string
	Port     int
	From     string
	Username string
	Password string
	// RequireTLS refuses to send without STARTTLS.
	RequireTLS bool
	Timeout    time.Duration
}

// Enabled reports whether e-mail is configured.
func (c Config) Enabled() bool { return c.Host != "" }

// Message is one e-mail.
type Message struct {
	To      []string
	Subject string
	Body    string // plain text
}

// Sender sends messages with a configuration.
type Sender struct {
	cfg Config
	now func() time.Time
}

// New returns a sender.
func New(cfg Config) *Sender {
	if cfg.Port == 0 {
		cfg.Port = 25
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 30 * time.Second
	}
	return &Sender{cfg: cfg, now: time.Now}
}

// ErrDisabled is returned when no SMTP host is configured.
var ErrDisabled = errors.New("mail: no SMTP host configured")

// Send delivers one message. Header injection through any field is refused.
func (s *Sender) Send(ctx context.Context, m Message) error {
	if !s.cfg.Enabled() {
		return ErrDisabled
	}
	if len(m.To) == 0 {
		return errors.New("mail: no recipient")
	}
	for _, v := range append([]string{s.cfg.From, m.Subject}, m.To...) {
		if strings.ContainsAny(v, "\r\n") {
			return errors.New("mail: line break in a header field")
		}
	}
	addr := net.JoinHostPort(s.cfg.Host, strconv.Itoa(s.cfg.Port))
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	c, err := smtp.NewClient(conn, s.cfg.Host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("mail: %w", err)
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(&tls.Config{ServerName: s.cfg.Host, MinVersion: tls.VersionTLS12}); err != nil {
			return fmt.Errorf("mail: STARTTLS: %w", err)
		}
	} else if s.cfg.RequireTLS {
		return errors.New("mail: the server does not offer STARTTLS and TLS is required")
	}
	if s.cfg.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", s.cfg.Username, s.cfg.Password, s.cfg.Host)); err != nil {
			return fmt.Errorf("mail: auth: %w", err)
		}
	}
	if err := c.Mail(s.cfg.From); err != nil {
		return fmt.Errorf("mail: MAIL FROM: %w", err)
	}
	for _, to := range m.To {
		if err := c.Rcpt(to); err != nil {
			return fmt.Errorf("mail: RCPT TO %s: %w", to, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("mail: DATA: %w", err)
	}
	fmt.Fprintf(w, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n",
		s.cfg.From, strings.Join(m.To, ", "), mime.QEncoding.Encode("utf-8", m.Subject), s.now().UTC().Format(time.RFC1123Z))
	body := strings.ReplaceAll(strings.ReplaceAll(m.Body, "\r\n", "\n"), "\n", "\r\n")
	if _, err := w.Write([]byte(body + "\r\n")); err != nil {
		return fmt.Errorf("mail: writing body: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	return c.Quit()
}
