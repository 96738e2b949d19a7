package remind

import (
	"bufio"
	"context"
	"encoding/json"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nisnet-eu/nisnet/internal/incident"
	"github.com/nisnet-eu/nisnet/internal/report"
	"github.com/nisnet-eu/nisnet/internal/rules"
	"github.com/nisnet-eu/nisnet/internal/store"
	"github.com/nisnet-eu/nisnet/internal/store/storetest"
)

// fixture is a node's database with the authority and one entity.
type fixture struct {
	db        *store.DB
	authority store.Organisation
	entity    store.Organisation
	eng       *rules.Engine
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	db := storetest.Open(t)
	authority, err := db.CreateOrganisation(ctx, store.Organisation{Kind: store.OrgAuthority, Name: "NCSC (test)", MemberState: "NL"})
	if err != nil {
		t.Fatal(err)
	}
	entity, err := db.CreateOrganisation(ctx, store.Organisation{Kind: store.OrgEntity, Name: "Example DNS B.V.", MemberState: "NL"})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{db: db, authority: authority, entity: entity, eng: rules.New(nil)}
}

// newIncident stores a DNS outage the entity became aware of at aware and
// assesses it, as the API does: the early warning is due at aware + 24 h,
// the notification at aware + 72 h (NIS2 Art 23(4)(a), (b)).
func (f *fixture) newIncident(t *testing.T, aware time.Time) store.Incident {
	t.Helper()
	ctx := context.Background()
	aware = aware.UTC().Truncate(time.Second) // as facts arrive in JSON
	facts := rules.Facts{Now: time.Now(), Entity: rules.Entity{MemberState: "NL", EntityTypes: []string{"digital-infrastructure/dns"}},
		Incident: rules.Incident{AwareAt: &aware, Impact: rules.Impact{CompleteUnavailability: rules.Duration(45 * time.Minute)}}}
	stored, err := incident.StoredFacts(facts, facts.Now)
	if err != nil {
		t.Fatal(err)
	}
	var inc store.Incident
	err = f.db.Transact(ctx, func(tx *store.Tx) error {
		inc, err = tx.CreateIncident(ctx, "NL", store.Incident{OrganisationID: f.entity.ID, Title: "DNS outage", Facts: stored})
		if err != nil {
			return err
		}
		_, inc, err = incident.Recompute(ctx, tx, f.eng, rules.Options{}, inc, time.Now())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return inc
}

// file submits a report for the incident and reassesses it.
func (f *fixture) file(t *testing.T, inc store.Incident, reportID, body string) {
	t.Helper()
	ctx := context.Background()
	b, err := report.Parse(reportID, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	err = f.db.Transact(ctx, func(tx *store.Tx) error {
		if _, _, err := tx.CreateSubmission(ctx, store.Submission{IncidentID: inc.ID, OrganisationID: inc.OrganisationID,
			Report: b.Report, Body: b.JSON, SubmittedBy: "test"}); err != nil {
			return err
		}
		cur, err := tx.GetIncident(ctx, inc.ID)
		if err != nil {
			return err
		}
		_, _, err = incident.Recompute(ctx, tx, f.eng, rules.Options{}, cur, time.Now())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// obligation returns the obligation with the given id in the incident's
// current assessment.
func (f *fixture) obligation(t *testing.T, incidentID, id string) rules.Obligation {
	t.Helper()
	a, err := f.db.GetAssessment(context.Background(), incidentID)
	if err != nil {
		t.Fatal(err)
	}
	var res rules.Result
	if err := json.Unmarshal(a.Result, &res); err != nil {
		t.Fatal(err)
	}
	for _, o := range res.Obligations {
		if o.ID == id {
			return o
		}
	}
	t.Fatalf("incident %s has no obligation %s", incidentID, id)
	return rules.Obligation{}
}

// enqueue queues a reminder job due now, without a dedupe key (so that it
// is a second job beside the one Recompute queued).
func (f *fixture) enqueue(t *testing.T, p incident.ReminderPayload) store.Job {
	t.Helper()
	b, _ := json.Marshal(p)
	j, _, err := f.db.EnqueueJob(context.Background(), store.Job{Kind: incident.JobReminder, Payload: b})
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// reminder is the payload of a reminder for the obligation as assessed.
func (f *fixture) reminder(t *testing.T, inc store.Incident, obligation, kind string) incident.ReminderPayload {
	t.Helper()
	o := f.obligation(t, inc.ID, obligation)
	if o.DueAt == nil {
		t.Fatalf("%s has no due instant", obligation)
	}
	return incident.ReminderPayload{IncidentID: inc.ID, Obligation: o.ID, Party: o.Party, DueAt: *o.DueAt, Kind: kind}
}

func (f *fixture) notifications(t *testing.T, orgID string) []store.Notification {
	t.Helper()
	ns, err := f.db.ListNotifications(context.Background(), orgID, false, store.Page{Limit: store.MaxPageSize})
	if err != nil {
		t.Fatal(err)
	}
	return ns
}

func (f *fixture) job(t *testing.T, id int64) store.Job {
	t.Helper()
	j, err := f.db.GetJob(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func (f *fixture) addUser(t *testing.T, org store.Organisation, email string, role store.Role, disabled bool) {
	t.Helper()
	_, err := f.db.CreateUser(context.Background(), store.User{OrganisationID: org.ID, Email: email, Role: role, Disabled: disabled})
	if err != nil {
		t.Fatal(err)
	}
}

// runAll runs the worker until a batch claims nothing.
func runAll(t *testing.T, w *Worker) {
	t.Helper()
	for range 100 {
		n, err := w.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
	t.Fatal("the queue did not drain")
}

// smtpServer is a minimal SMTP server on a loopback port that keeps what it
// receives. It can be stopped and started again on the same port.
type smtpServer struct {
	addr string
	mu   sync.Mutex
	ln   net.Listener
	msgs []smtpMessage
}

type smtpMessage struct {
	from string
	to   []string
	data string
}

func newSMTP(t *testing.T) *smtpServer {
	t.Helper()
	s := &smtpServer{}
	s.start(t)
	t.Cleanup(s.stop)
	return s
}

func (s *smtpServer) start(t *testing.T) {
	t.Helper()
	addr := s.addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	s.ln, s.addr = ln, ln.Addr().String()
	s.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.session(c)
		}
	}()
}

func (s *smtpServer) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln != nil {
		s.ln.Close()
		s.ln = nil
	}
}

func (s *smtpServer) port() int {
	_, port, _ := net.SplitHostPort(s.addr)
	n, _ := strconv.Atoi(port)
	return n
}

func (s *smtpServer) received() []smtpMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]smtpMessage(nil), s.msgs...)
}

// session speaks just enough SMTP for net/smtp: no STARTTLS, no AUTH.
func (s *smtpServer) session(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(c)
	reply := func(line string) { c.Write([]byte(line + "\r\n")) }
	reply("220 localhost test SMTP")
	var m smtpMessage
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		verb := strings.ToUpper(strings.SplitN(line, " ", 2)[0])
		arg := func(prefix string) string {
			return strings.Trim(strings.TrimSpace(line[min(len(prefix), len(line)):]), "<>")
		}
		switch verb {
		case "EHLO", "HELO":
			reply("250 localhost")
		case "MAIL":
			m = smtpMessage{from: arg("MAIL FROM:")}
			reply("250 sender ok")
		case "RCPT":
			m.to = append(m.to, arg("RCPT TO:"))
			reply("250 recipient ok")
		case "DATA":
			reply("354 end with <CRLF>.<CRLF>")
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
			m.data = b.String()
			s.mu.Lock()
			s.msgs = append(s.msgs, m)
			s.mu.Unlock()
			reply("250 accepted")
		case "RSET", "NOOP":
			reply("250 ok")
		case "QUIT":
			reply("221 bye")
			return
		default:
			reply("502 not implemented")
		}
	}
}
