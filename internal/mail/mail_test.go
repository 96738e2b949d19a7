package mail

import (
	"bufio"
	"context"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// smtpServer is a real, minimal SMTP server on a free loopback port that
// records what it receives.
type smtpServer struct {
	ln   net.Listener
	mu   sync.Mutex
	msgs []string
	rcpt []string
}

func startSMTP(t *testing.T) *smtpServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpServer{ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return s
}

func (s *smtpServer) serve(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	say := func(l string) { c.Write([]byte(l + "\r\n")) }
	say("220 test ESMTP")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			say("250-test")
			say("250 8BITMIME")
		case strings.HasPrefix(cmd, "MAIL FROM"):
			say("250 ok")
		case strings.HasPrefix(cmd, "RCPT TO"):
			s.mu.Lock()
			s.rcpt = append(s.rcpt, strings.TrimSpace(line[8:]))
			s.mu.Unlock()
			say("250 ok")
		case cmd == "DATA":
			say("354 go")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(l)
			}
			s.mu.Lock()
			s.msgs = append(s.msgs, b.String())
			s.mu.Unlock()
			say("250 queued")
		case cmd == "QUIT":
			say("221 bye")
			return
		default:
			say("250 ok")
		}
	}
}

func TestSend(t *testing.T) {
	srv := startSMTP(t)
	host, port, _ := net.SplitHostPort(srv.ln.Addr().String())
	p, _ := strconv.Atoi(port)
	s := New(Config{Host: host, Port: p, From: "nisnet@csirt.example"})
	err := s.Send(context.Background(), Message{To: []string{"ops@entity.example"}, Subject: "Früh warning due", Body: "The early warning is due at 2026-03-06T21:40:00Z.\nFile it."})
	if err != nil {
		t.Fatal(err)
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if len(srv.msgs) != 1 {
		t.Fatalf("server got %d messages, want 1", len(srv.msgs))
	}
	m := srv.msgs[0]
	for _, want := range []string{"To: ops@entity.example", "Subject: =?utf-8?q?Fr=C3=BCh_warning_due?=", "due at 2026-03-06T21:40:00Z.\r\nFile it."} {
		if !strings.Contains(m, want) {
			t.Errorf("message lacks %q:\n%s", want, m)
		}
	}
	if len(srv.rcpt) != 1 || !strings.Contains(srv.rcpt[0], "ops@entity.example") {
		t.Errorf("RCPT %v", srv.rcpt)
	}
}

func TestSendRefusals(t *testing.T) {
	if err := New(Config{}).Send(context.Background(), Message{To: []string{"a@b"}}); err != ErrDisabled {
		t.Errorf("unconfigured: got %v, want ErrDisabled", err)
	}
	s := New(Config{Host: "127.0.0.1", Port: 1, From: "x@y"})
	if err := s.Send(context.Background(), Message{To: []string{"a@b"}, Subject: "hi\r\nBcc: evil@x"}); err == nil || !strings.Contains(err.Error(), "line break") {
		t.Errorf("header injection: got %v", err)
	}
	srv := startSMTP(t)
	host, port, _ := net.SplitHostPort(srv.ln.Addr().String())
	p, _ := strconv.Atoi(port)
	err := New(Config{Host: host, Port: p, From: "x@y", RequireTLS: true}).Send(context.Background(), Message{To: []string{"a@b"}, Subject: "s"})
	if err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Errorf("TLS required against a plain server: got %v", err)
	}
}
