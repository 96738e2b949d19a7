package app

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strings"
	"time"

	"github.com/nisnet-eu/nisnet/internal/api"
	"github.com/nisnet-eu/nisnet/internal/auth"
	"github.com/nisnet-eu/nisnet/internal/incident"
	"github.com/nisnet-eu/nisnet/internal/report"
	"github.com/nisnet-eu/nisnet/internal/rules"
	"github.com/nisnet-eu/nisnet/internal/store"
)

// The demo's fixed sign-in details. They are printed at every start: the
// demo is for a laptop, never for a node that holds real data (demo
// refuses a database that holds anything but its own data).
const (
	demoPassword  = "nisnet demo password"
	demoTokenName = "SIEM (demo)"
	demoDataDir   = "./demo-data"
)

// demoUser is a seeded user; org is the key of its organisation in
// demoOrgs, or "authority".
type demoUser struct {
	email, name, org string
	role             store.Role
}

var demoUsers = []demoUser{
	{"admin@csirt.example", "Node Admin", "authority", store.RoleNodeAdmin},
	{"analyst@csirt.example", "Ana Analyst", "authority", store.RoleAuthorityAnalyst},
	{"supervisor@csirt.example", "Sam Supervisor", "authority", store.RoleAuthoritySupervisor},
	{"admin@dns.example", "Dana DNS", "dns", store.RoleEntityAdmin},
	{"soc@dns.example", "DNS Security Operations", "dns", store.RoleEntityReporter},
	{"ciso@hospital.example", "Hugo Hospital", "hospital", store.RoleEntityAdmin},
	{"ict-risk@bank.example", "Bea Bank", "bank", store.RoleEntityAdmin},
}

// demoOrg is a seeded entity with its NIS2 profile.
type demoOrg struct {
	key     string
	profile func(memberState string) rules.Entity
}

func ptr[T any](v T) *T { return &v }

var demoOrgs = []demoOrg{
	{"dns", func(ms string) rules.Entity {
		return rules.Entity{Name: "Example DNS B.V.", MemberState: ms, MainEstablishment: ms,
			EntityTypes: []string{"digital-infrastructure/dns"},
			Size:        &rules.Size{Employees: ptr[int64](40), AnnualTurnoverEUR: ptr(8e6)}}
	}},
	{"hospital", func(ms string) rules.Entity {
		return rules.Entity{Name: "Example General Hospital", MemberState: ms,
			EntityTypes: []string{"health/healthcare-provider"},
			Size:        &rules.Size{Employees: ptr[int64](3200), AnnualTurnoverEUR: ptr(4e8)}, GDPRRole: "controller"}
	}},
	{"bank", func(ms string) rules.Entity {
		return rules.Entity{Name: "Example Bank N.V.", MemberState: ms,
			EntityTypes: []string{"banking/credit-institution"},
			Size:        &rules.Size{Employees: ptr[int64](2500), AnnualTurnoverEUR: ptr(9e8)},
			DORA:        &rules.DORA{EntityType: "credit-institution"}}
	}},
}

// demoIncidentTitle names the DNS provider's incident, whose early warning
// the printed curl command files.
const demoIncidentTitle = "Authoritative DNS outage"

// demoInfo is what the demo prints once the node listens.
type demoInfo struct {
	token      string // the SIEM's API token
	incidentID string // the DNS provider's incident with the overdue early warning
	reference  string
	seeded     bool // false: the data of an earlier demo start
}

func runDemo(ctx context.Context, args []string, env Env) int {
	// Same flags as serve; only the data directory's default differs.
	denv := env
	denv.Getenv = func(name string) string {
		if v := env.Getenv(name); v != "" || name != "NISNET_DATA" {
			return v
		}
		return demoDataDir
	}
	cfg, err := parseServe(args, denv)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK
		}
		fmt.Fprintf(env.Stderr, "nisnet demo: %v\n", err)
		return ExitUsage
	}
	if err := Demo(ctx, cfg, env); err != nil {
		fmt.Fprintf(env.Stderr, "nisnet demo: %v\n", err)
		return ExitError
	}
	return ExitOK
}

// Demo runs a node like Serve, on a database it first seeds — if the
// database is empty — with the authority and its staff, three entities,
// their users and incidents in different states, and prints how to sign in
// and a curl session with a fresh API token to env.Stderr. A database with
// the data of an earlier demo is reused; any other is refused.
func Demo(ctx context.Context, cfg Config, env Env) error {
	db, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	info, err := seedDemo(ctx, cfg, db)
	db.Close()
	if err != nil {
		return err
	}
	ready := make(chan string, 1)
	errc := make(chan error, 1)
	go func() { errc <- Serve(ctx, cfg, env, ready) }()
	select {
	case addr := <-ready:
		printDemo(env.Stderr, cfg, addr, info)
	case err := <-errc:
		return err
	}
	return <-errc
}

// seedDemo seeds an empty database, or finds the demo data of an earlier
// start, and issues a new API token for the DNS provider's SIEM (revoking
// the previous one).
func seedDemo(ctx context.Context, cfg Config, db *store.DB) (demoInfo, error) {
	authority, err := api.EnsureAuthority(ctx, db, cfg.authorityName(), cfg.NodeMemberState)
	if err != nil {
		return demoInfo{}, fmt.Errorf("authority organisation: %w", err)
	}
	users, err := db.CountUsers(ctx)
	if err != nil {
		return demoInfo{}, err
	}
	orgs, err := db.ListOrganisations(ctx, store.Page{Limit: 2})
	if err != nil {
		return demoInfo{}, err
	}
	var info demoInfo
	if users == 0 && len(orgs) == 1 {
		cal, err := loadCalendar(cfg.Holidays)
		if err != nil {
			return demoInfo{}, err
		}
		s := &seeder{ctx: ctx, eng: rules.New(cal), memberState: cfg.NodeMemberState, authority: authority}
		if err := db.Transact(ctx, s.seed); err != nil {
			return demoInfo{}, fmt.Errorf("seeding the demo data: %w", err)
		}
		info = demoInfo{incidentID: s.dnsIncident.ID, reference: s.dnsIncident.Reference, seeded: true}
	} else if info, err = findDemo(ctx, db); err != nil {
		return demoInfo{}, err
	}
	info.token, err = demoToken(ctx, db)
	return info, err
}

// DemoUser is a user that the demo seeds.
type DemoUser struct {
	Email, Name string
	Role        store.Role
}

// DemoData tells how to use the demo data that SeedDemo wrote.
type DemoData struct {
	Password string     // every demo user's password
	Users    []DemoUser // in the order the demo prints them
	// Token is a new API token of Example DNS B.V.'s SIEM
	// (entity_reporter); SeedDemo revokes the ones of earlier calls.
	Token string
	// IncidentID and IncidentReference name the DNS provider's incident,
	// whose NIS2 early warning is overdue.
	IncidentID, IncidentReference string
}

// SeedDemo writes the data of `nisnet demo` to db — the authority with its
// staff, three entities, their users and incidents in three states — or,
// when db holds the data of an earlier call, finds it; any other data is
// refused. Either way it issues a new API token. cfg supplies the node's
// Member State, authority name and holiday calendar. The reminder worker is
// not started: the caller runs it if it wants the overdue reminder.
func SeedDemo(ctx context.Context, cfg Config, db *store.DB) (DemoData, error) {
	info, err := seedDemo(ctx, cfg, db)
	if err != nil {
		return DemoData{}, err
	}
	d := DemoData{Password: demoPassword, Token: info.token, IncidentID: info.incidentID, IncidentReference: info.reference}
	for _, u := range demoUsers {
		d.Users = append(d.Users, DemoUser{Email: u.email, Name: u.name, Role: u.role})
	}
	return d, nil
}

// findDemo finds the DNS provider's incident of an earlier demo start.
func findDemo(ctx context.Context, db *store.DB) (demoInfo, error) {
	refuse := errors.New("the database holds data that is not the demo's; the demo seeds only an empty database (give it another --data directory)")
	u, err := db.GetUserByEmail(ctx, "soc@dns.example")
	if errors.Is(err, store.ErrNotFound) {
		return demoInfo{}, refuse
	}
	if err != nil {
		return demoInfo{}, err
	}
	items, _, err := db.ListIncidents(ctx, store.IncidentFilter{OrganisationID: u.OrganisationID}, store.Page{Limit: store.MaxPageSize})
	if err != nil {
		return demoInfo{}, err
	}
	for _, it := range items {
		if it.Title == demoIncidentTitle {
			return demoInfo{incidentID: it.ID, reference: it.Reference}, nil
		}
	}
	return demoInfo{}, refuse
}

// demoToken revokes the SIEM tokens of earlier starts and issues a new one:
// a token is shown once, and the demo shows one at every start.
func demoToken(ctx context.Context, db *store.DB) (string, error) {
	u, err := db.GetUserByEmail(ctx, "soc@dns.example")
	if err != nil {
		return "", err
	}
	old, err := db.ListAPITokens(ctx, u.OrganisationID, store.Page{Limit: store.MaxPageSize})
	if err != nil {
		return "", err
	}
	plain, hash := auth.NewToken(auth.APITokenPrefix)
	err = db.Transact(ctx, func(tx *store.Tx) error {
		for _, t := range old {
			if t.Name == demoTokenName && t.RevokedAt.IsZero() {
				if err := tx.RevokeAPIToken(ctx, t.OrganisationID, t.ID); err != nil {
					return err
				}
			}
		}
		t, err := tx.CreateAPIToken(ctx, store.APIToken{TokenHash: hash, OrganisationID: u.OrganisationID, Role: store.RoleEntityReporter,
			Name: demoTokenName, CreatedBy: "system", ExpiresAt: time.Now().Add(90 * 24 * time.Hour)})
		if err != nil {
			return err
		}
		return tx.Audit(ctx, store.AuditEvent{Actor: "system", OrganisationID: t.OrganisationID, Action: "api_token.create",
			ObjectType: "api_token", ObjectID: t.ID, Detail: map[string]string{"name": t.Name, "role": string(t.Role), "via": "demo"}})
	})
	return plain, err
}

// seeder writes the demo data in one transaction, through the code paths
// the API uses: incident.StoredFacts, store writes with audit records, and
// incident.Recompute after every change, which also queues the reminders.
type seeder struct {
	ctx         context.Context
	eng         *rules.Engine
	memberState string
	authority   store.Organisation
	now         time.Time

	tx          *store.Tx
	orgs        map[string]store.Organisation
	profiles    map[string]rules.Entity
	users       map[string]store.User // by e-mail
	dnsIncident store.Incident
}

func (s *seeder) seed(tx *store.Tx) error {
	s.tx, s.now = tx, time.Now().UTC().Truncate(time.Second)
	s.orgs = map[string]store.Organisation{"authority": s.authority}
	s.profiles = map[string]rules.Entity{}
	s.users = map[string]store.User{}
	for _, o := range demoOrgs {
		p := o.profile(s.memberState)
		raw, err := json.Marshal(p)
		if err != nil {
			return err
		}
		org, err := tx.CreateOrganisation(s.ctx, store.Organisation{Kind: store.OrgEntity, Name: p.Name, MemberState: p.MemberState, Profile: raw})
		if err != nil {
			return err
		}
		if err := s.audit("system", org.ID, "organisation.create", "organisation", org.ID, map[string]string{"name": org.Name, "kind": string(org.Kind), "via": "demo"}); err != nil {
			return err
		}
		s.orgs[o.key], s.profiles[o.key] = org, p
	}
	hash, err := auth.HashPassword(demoPassword) // one hash for all: the password is public anyway
	if err != nil {
		return err
	}
	for _, du := range demoUsers {
		u, err := tx.CreateUser(s.ctx, store.User{OrganisationID: s.orgs[du.org].ID, Email: du.email, DisplayName: du.name, Role: du.role, PasswordHash: hash})
		if err != nil {
			return err
		}
		if err := s.audit("system", u.OrganisationID, "user.create", "user", u.ID, map[string]string{"email": u.Email, "role": string(u.Role), "via": "demo"}); err != nil {
			return err
		}
		s.users[u.Email] = u
	}
	return s.incidents()
}

// incidents seeds three incidents in different states.
func (s *seeder) incidents() error {
	// 1. The DNS provider's outage, reported by its SOC 30 h after it
	// became aware: received, the early warning 6 h overdue (NIS2 Art
	// 23(4)(a)); the worker notifies the provider at once.
	aware := s.now.Add(-30 * time.Hour)
	dns, err := s.report("dns", "soc@dns.example", demoIncidentTitle, rules.Incident{
		OccurredAt: ptr(aware.Add(-30 * time.Minute)), AwareAt: &aware, SuspectedMalicious: true, CrossBorderImpact: true,
		AffectedMemberStates: []string{s.memberState},
		Impact:               rules.Impact{CompleteUnavailability: rules.Duration(45 * time.Minute)}})
	if err != nil {
		return err
	}
	s.dnsIncident = dns

	// 2. Ransomware at the hospital, aware 20 h ago: early warning and
	// notification filed on time; triaged and assigned to the analyst.
	// The CSIRT's 24 h feedback (Art 23(5)) and the final report are open.
	aware = s.now.Add(-20 * time.Hour)
	hosp, err := s.report("hospital", "ciso@hospital.example", "Ransomware on patient scheduling", rules.Incident{
		AwareAt: &aware, SuspectedMalicious: true,
		NIS2: &rules.NIS2Judgement{SevereOperationalDisruption: true, ConsiderableDamageToOthers: true,
			Reasons: "Outpatient appointments cancelled for two days."},
		PersonalData: &rules.PersonalData{Breach: true, Risk: "high", DataSubjects: 52000, Reasons: "Scheduling data exfiltrated."}})
	if err != nil {
		return err
	}
	if err := s.file(hosp, "ciso@hospital.example", "nis2.early_warning", map[string]any{
		"suspected_malicious": true, "cross_border_impact": false, "summary": "Ransomware encrypted the patient scheduling system."}); err != nil {
		return err
	}
	if err := s.file(hosp, "ciso@hospital.example", "nis2.notification", map[string]any{
		"initial_assessment": "Ransomware entered through a compromised VPN account; scheduling runs on paper.",
		"severity":           "high", "impact": "Outpatient appointments cancelled; no effect on emergency care.",
		"indicators_of_compromise": []any{"185.0.2.17", "scheduler-update.example"}}); err != nil {
		return err
	}
	analyst := s.users["analyst@csirt.example"]
	if err := s.setState(hosp, analyst, store.StateTriaged); err != nil {
		return err
	}
	if err := s.assign(hosp, analyst); err != nil {
		return err
	}

	// 3. An online banking outage at the bank, a major ICT-related incident
	// under DORA (which displaces NIS2 Art 23): initial, intermediate and
	// final reports filed, closed by the supervisor.
	aware = s.now.Add(-3 * time.Hour)
	classified := aware.Add(30 * time.Minute)
	bank, err := s.report("bank", "ict-risk@bank.example", "Online banking outage", rules.Incident{
		AwareAt: &aware, DetectedAt: &aware,
		DORA: &rules.DORAImpact{AffectsCriticalFunctions: true, ClientsAffected: 120000, ClientsTotal: 900000,
			ServiceDowntime: rules.Duration(3 * time.Hour), ClassifiedMajorAt: &classified}})
	if err != nil {
		return err
	}
	ref := "EXB-2026-0117"
	for _, r := range []struct {
		id   string
		body map[string]any
	}{
		{"dora.initial", map[string]any{"reference_code": ref, "detected_at": aware.Format(time.RFC3339), "classified_at": classified.Format(time.RFC3339),
			"description": "Online and mobile banking unavailable after a failed database failover.", "criteria_triggered": []any{"clients", "duration", "critical_services"},
			"discovery": "Monitoring alerts and customer calls.", "bcp_activated": true}},
		{"dora.intermediate", map[string]any{"reference_code": ref, "status_update": "Service restored; root cause under analysis.",
			"clients_affected": 120000, "regular_activities_recovered": true}},
		{"dora.final", map[string]any{"reference_code": ref, "root_cause": "A storage firmware defect stalled the database failover.",
			"impact": "120 000 clients without online banking for 3 hours.", "economic_impact_eur": 85000,
			"resolved_at": aware.Add(3 * time.Hour).Format(time.RFC3339), "measures": "Firmware updated; failover tested weekly."}},
	} {
		if err := s.file(bank, "ict-risk@bank.example", r.id, r.body); err != nil {
			return err
		}
	}
	return s.setState(bank, s.users["supervisor@csirt.example"], store.StateClosed)
}

// report creates an incident as the entity's user reports it, and assesses it.
func (s *seeder) report(org, email, title string, in rules.Incident) (store.Incident, error) {
	stored, err := incident.StoredFacts(rules.Facts{Entity: s.profiles[org], Incident: in}, s.now)
	if err != nil {
		return store.Incident{}, fmt.Errorf("%s: %w", title, err)
	}
	inc, err := s.tx.CreateIncident(s.ctx, s.memberState, store.Incident{OrganisationID: s.orgs[org].ID, Title: title, Facts: stored})
	if err != nil {
		return store.Incident{}, err
	}
	if err := s.audit(s.users[email].ID, inc.OrganisationID, "incident.create", "incident", inc.ID, map[string]string{"reference": inc.Reference, "via": "demo"}); err != nil {
		return store.Incident{}, err
	}
	_, inc, err = incident.Recompute(s.ctx, s.tx, s.eng, rules.Options{}, inc, time.Now())
	return inc, err
}

// file submits a report for the incident and reassesses it.
func (s *seeder) file(inc store.Incident, email, reportID string, fields map[string]any) error {
	raw, err := json.Marshal(fields)
	if err != nil {
		return err
	}
	body, err := report.Parse(reportID, strings.NewReader(string(raw)))
	if err != nil {
		return fmt.Errorf("%s: %w", inc.Title, err)
	}
	sub := store.Submission{IncidentID: inc.ID, OrganisationID: inc.OrganisationID, Report: body.Report, Body: body.JSON, SubmittedBy: s.users[email].ID}
	if o, ok := s.obligation(inc.ID, reportID); ok && o.DueAt != nil {
		onTime := !time.Now().After(*o.DueAt)
		sub.DueAt, sub.OnTime = *o.DueAt, &onTime
	}
	sub, _, err = s.tx.CreateSubmission(s.ctx, sub)
	if err != nil {
		return err
	}
	if err := s.audit(sub.SubmittedBy, inc.OrganisationID, "report.submit", "submission", sub.ID, map[string]string{"incident_id": inc.ID, "report": sub.Report, "sha256": sub.SHA256, "via": "demo"}); err != nil {
		return err
	}
	cur, err := s.tx.GetIncident(s.ctx, inc.ID)
	if err != nil {
		return err
	}
	_, _, err = incident.Recompute(s.ctx, s.tx, s.eng, rules.Options{}, cur, time.Now())
	return err
}

// obligation returns the obligation with the given id in the incident's
// current assessment.
func (s *seeder) obligation(incidentID, id string) (rules.Obligation, bool) {
	a, err := s.tx.GetAssessment(s.ctx, incidentID)
	if err != nil {
		return rules.Obligation{}, false
	}
	var res rules.Result
	if json.Unmarshal(a.Result, &res) != nil {
		return rules.Obligation{}, false
	}
	for _, o := range res.Obligations {
		if o.ID == id {
			return o, true
		}
	}
	return rules.Obligation{}, false
}

// setState moves the incident to state as the authority's user, with a
// timeline entry the entity sees.
func (s *seeder) setState(inc store.Incident, by store.User, state store.IncidentState) error {
	return s.change(inc, by, "incident.state", func(cur *store.Incident) (store.IncidentEvent, error) {
		from := cur.State
		if err := incident.Transition(incident.State(from), incident.State(state)); err != nil {
			return store.IncidentEvent{}, err
		}
		cur.State = state
		b, _ := json.Marshal(map[string]string{"from": string(from), "to": string(state)})
		return store.IncidentEvent{Kind: store.EventState, Visibility: store.VisibilityShared, Body: b}, nil
	})
}

// assign assigns the incident to the authority's user, an internal entry.
func (s *seeder) assign(inc store.Incident, to store.User) error {
	return s.change(inc, to, "incident.assign", func(cur *store.Incident) (store.IncidentEvent, error) {
		cur.AssignedUserID = to.ID
		b, _ := json.Marshal(map[string]string{"user_id": to.ID})
		return store.IncidentEvent{Kind: store.EventAssignment, Visibility: store.VisibilityAuthority, Body: b}, nil
	})
}

// change applies fn to the incident and records its timeline entry and
// audit record, as the authority's user.
func (s *seeder) change(inc store.Incident, by store.User, action string, fn func(cur *store.Incident) (store.IncidentEvent, error)) error {
	cur, err := s.tx.GetIncident(s.ctx, inc.ID)
	if err != nil {
		return err
	}
	ev, err := fn(&cur)
	if err != nil {
		return err
	}
	if _, err := s.tx.UpdateIncident(s.ctx, cur); err != nil {
		return err
	}
	ev.IncidentID, ev.Actor = inc.ID, by.ID
	if _, err := s.tx.AddIncidentEvent(s.ctx, ev); err != nil {
		return err
	}
	var detail map[string]string
	json.Unmarshal(ev.Body, &detail)
	detail["via"] = "demo"
	return s.audit(by.ID, inc.OrganisationID, action, "incident", inc.ID, detail)
}

func (s *seeder) audit(actor, orgID, action, objectType, objectID string, detail map[string]string) error {
	return s.tx.Audit(s.ctx, store.AuditEvent{Actor: actor, OrganisationID: orgID, Action: action, ObjectType: objectType, ObjectID: objectID, Detail: detail})
}

// printDemo tells the developer how to use the demo node.
func printDemo(w io.Writer, cfg Config, addr string, info demoInfo) {
	if host, port, err := net.SplitHostPort(addr); err == nil {
		if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
			addr = net.JoinHostPort("127.0.0.1", port)
		}
	}
	url := "http://" + addr
	where := "PostgreSQL (--db)"
	if cfg.DB == "" {
		where, _ = filepath.Abs(cfg.Data)
		where += " (delete it to start afresh)"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\nnisnet demo: open %s\n", url)
	if info.seeded {
		fmt.Fprintf(&b, "nisnet demo: seeded the demo data in %s\n", where)
	} else {
		fmt.Fprintf(&b, "nisnet demo: using the demo data in %s\n", where)
	}
	fmt.Fprintf(&b, "\nSign in with one of these e-mails and the password %q:\n", demoPassword)
	for _, u := range demoUsers {
		fmt.Fprintf(&b, "  %-26s %s\n", u.email, u.role)
	}
	fmt.Fprintf(&b, "\n  curl -s -c cookies.txt %s/api/v1/session -H 'Content-Type: application/json' -d '{\"email\":\"analyst@csirt.example\",\"password\":\"%s\"}'\n", url, demoPassword)
	fmt.Fprintf(&b, "  curl -s -b cookies.txt %s/api/v1/me\n", url)
	fmt.Fprintf(&b, "\nAPI token of Example DNS B.V.'s SIEM (%s; a new one at every demo start):\n\n", store.RoleEntityReporter)
	fmt.Fprintf(&b, "  export NISNET_TOKEN=%s\n", info.token)
	fmt.Fprintf(&b, "  curl -s %s/api/v1/me -H \"Authorization: Bearer $NISNET_TOKEN\"\n", url)
	fmt.Fprintf(&b, "  curl -s %s/api/v1/notifications -H \"Authorization: Bearer $NISNET_TOKEN\"   # the overdue reminder\n", url)
	fmt.Fprintf(&b, "\nFile the overdue early warning of %s:\n\n", info.reference)
	fmt.Fprintf(&b, "  curl -s %s/api/v1/incidents/%s/reports/nis2.early_warning -H \"Authorization: Bearer $NISNET_TOKEN\" \\\n", url, info.incidentID)
	fmt.Fprintf(&b, "       -H 'Content-Type: application/json' -d '{\"suspected_malicious\":true,\"cross_border_impact\":true,\"summary\":\"Authoritative DNS unreachable for 45 min\"}'\n")
	fmt.Fprintf(&b, "\nReport a new incident (the entity profile is the organisation's):\n\n")
	fmt.Fprintf(&b, "  curl -s %s/api/v1/incidents -H \"Authorization: Bearer $NISNET_TOKEN\" \\\n", url)
	fmt.Fprintf(&b, "       -H 'Content-Type: application/json' -d '{\"title\":\"Resolver flood\",\"facts\":{\"incident\":{\"aware_at\":\"%s\",\"impact\":{\"complete_unavailability\":\"40m\"}}}}'\n\n",
		time.Now().UTC().Add(-time.Hour).Format("2006-01-02T15:04:05Z"))
	io.WriteString(w, b.String())
}
