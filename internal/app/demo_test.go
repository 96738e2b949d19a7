package app

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nisnet-eu/nisnet/internal/rules"
	"github.com/nisnet-eu/nisnet/internal/store"
)

var (
	demoURL       = regexp.MustCompile(`nisnet demo: open (http://\S+)`)
	demoTokenLine = regexp.MustCompile(`export NISNET_TOKEN=(nsn_\S+)`)
	demoBodies    = regexp.MustCompile(`-d '(\{[^']*\})'`)
	demoCurl      = regexp.MustCompile(`curl -s (http://\S+)/api/v1/incidents/(\S+)/reports/nis2\.early_warning`)
)

// demo is `nisnet demo` running in the background.
type demo struct {
	url, token string
	stderr     *syncBuffer
	stop       func() int
}

// startDemo runs `nisnet demo` on 127.0.0.1:0 and waits for its banner.
func (n node) startDemo(t *testing.T) *demo {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stderr := &syncBuffer{}
	done := make(chan int, 1)
	args := append([]string{"demo", "--addr", "127.0.0.1:0"}, n.args()...)
	go func() {
		done <- Run(ctx, args, Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: stderr, Getenv: func(string) string { return "" }})
	}()
	d := &demo{stderr: stderr}
	var once sync.Once
	code := -1
	d.stop = func() int {
		once.Do(func() { cancel(); code = <-done })
		return code
	}
	t.Cleanup(func() { d.stop() })
	for deadline := time.Now().Add(30 * time.Second); ; {
		out := stderr.String()
		if m, tok := demoURL.FindStringSubmatch(out), demoTokenLine.FindStringSubmatch(out); m != nil && tok != nil {
			d.url, d.token = m[1], tok[1]
			return d
		}
		select {
		case c := <-done:
			t.Fatalf("nisnet demo exited with %d: %s", c, stderr)
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("nisnet demo did not start: %s", stderr)
		}
	}
}

// openStore opens the node's database beside the running program.
func (n node) openStore(t *testing.T) *store.DB {
	t.Helper()
	dsn := n.dsn
	if dsn == "" {
		dsn = filepath.Join(n.dir, "nisnet.db")
	}
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestDemo(t *testing.T) {
	n := newNode(t)
	d := n.startDemo(t)
	out := d.stderr.String()
	for _, want := range []string{"analyst@csirt.example", "soc@dns.example", "ciso@hospital.example", "ict-risk@bank.example", demoPassword} {
		if !strings.Contains(out, want) {
			t.Errorf("the banner lacks %q:\n%s", want, out)
		}
	}

	// A demo user signs in with the printed password; the session works.
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	resp, err := client.Post(d.url+"/api/v1/session", "application/json",
		strings.NewReader(`{"email":"analyst@csirt.example","password":"`+demoPassword+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("sign in: %d", resp.StatusCode)
	}
	resp, err = client.Get(d.url + "/api/v1/me")
	if err != nil {
		t.Fatal(err)
	}
	var me struct {
		Role         string                `json:"role"`
		Organisation struct{ Kind string } `json:"organisation"`
	}
	json.NewDecoder(resp.Body).Decode(&me)
	resp.Body.Close()
	if resp.StatusCode != 200 || me.Role != "authority_analyst" || me.Organisation.Kind != "authority" {
		t.Errorf("me: %d %+v, want the authority's analyst", resp.StatusCode, me)
	}
	// The printed token is the DNS provider's SIEM.
	status, body := call(t, "GET", d.url+"/api/v1/me", "Bearer "+d.token, nil)
	if status != 200 || !strings.Contains(string(body), `"entity_reporter"`) || !strings.Contains(string(body), "Example DNS B.V.") {
		t.Errorf("me with the demo token: %d %s", status, body)
	}

	// The seeded incidents are stored and assessed.
	db := n.openStore(t)
	items, _, err := db.ListIncidents(context.Background(), store.IncidentFilter{}, store.Page{})
	if err != nil {
		t.Fatal(err)
	}
	states := map[string]store.IncidentState{}
	for _, it := range items {
		states[it.Title] = it.State
		if it.Title == "Ransomware on patient scheduling" && it.AssignedUserID == "" {
			t.Error("the triaged incident is not assigned")
		}
		if _, err := db.GetAssessment(context.Background(), it.ID); err != nil {
			t.Errorf("%s: no assessment: %v", it.Title, err)
		}
	}
	want := map[string]store.IncidentState{
		demoIncidentTitle:                  store.StateReceived,
		"Ransomware on patient scheduling": store.StateTriaged,
		"Online banking outage":            store.StateClosed,
	}
	for title, state := range want {
		if states[title] != state {
			t.Errorf("incident %q is %q, want %q", title, states[title], state)
		}
	}
	m := demoCurl.FindStringSubmatch(out)
	if m == nil || m[1] != d.url {
		t.Fatalf("no curl command filing the early warning on %s:\n%s", d.url, out)
	}
	dns, err := db.GetIncident(context.Background(), m[2])
	if err != nil || dns.Title != demoIncidentTitle {
		t.Fatalf("the curl command names incident %s (%v), want the DNS outage", m[2], err)
	}
	if ob := assessedObligation(t, db, dns.ID, "nis2.early_warning"); ob.Status != rules.DueOverdue {
		t.Errorf("the DNS outage's early warning is %s, want overdue", ob.Status)
	}
	for _, tc := range []struct{ title, obligation, status string }{
		{"Ransomware on patient scheduling", "nis2.notification", rules.DueSubmitted},
		{"Ransomware on patient scheduling", "nis2.initial_feedback", rules.DueOpen},
		{"Online banking outage", "dora.final", rules.DueSubmitted},
	} {
		for _, it := range items {
			if it.Title == tc.title {
				if ob := assessedObligation(t, db, it.ID, tc.obligation); ob.Status != tc.status {
					t.Errorf("%s: %s is %s, want %s", tc.title, tc.obligation, ob.Status, tc.status)
				}
			}
		}
	}
	// The worker noticed the overdue early warning.
	if !eventually(func() bool {
		ns, err := db.ListNotifications(context.Background(), dns.OrganisationID, false, store.Page{})
		return err == nil && len(ns) == 1 && ns[0].Kind == store.NotifyOverdue && ns[0].Obligation == "nis2.early_warning"
	}) {
		t.Error("no overdue notification for the DNS provider's early warning")
	}
	// … and the provider sees it in the API.
	if status, body := call(t, "GET", d.url+"/api/v1/notifications", "Bearer "+d.token, nil); status != 200 ||
		!strings.Contains(string(body), "Early warning for "+dns.Reference+" is overdue") {
		t.Errorf("notifications with the demo token: %d %s", status, body)
	}
	// The printed curl commands work (after the worker's reminder, which
	// filing the early warning would cancel): the token files the early
	// warning and reports a new incident.
	bodies := demoBodies.FindAllStringSubmatch(out, -1)
	if len(bodies) != 3 {
		t.Fatalf("%d curl bodies in the banner, want 3 (session, early warning, incident):\n%s", len(bodies), out)
	}
	if status, body := call(t, "POST", m[1]+"/api/v1/incidents/"+m[2]+"/reports/nis2.early_warning", "Bearer "+d.token, json.RawMessage(bodies[1][1])); status != 201 {
		t.Errorf("filing the early warning as printed: %d %s", status, body)
	}
	if status, body := call(t, "POST", d.url+"/api/v1/incidents", "Bearer "+d.token, json.RawMessage(bodies[2][1])); status != 201 {
		t.Errorf("reporting an incident as printed: %d %s", status, body)
	}
	if code := d.stop(); code != ExitOK {
		t.Fatalf("demo exited with %d: %s", code, d.stderr)
	}

	// A second start reuses the data and replaces the token.
	d2 := n.startDemo(t)
	if !strings.Contains(d2.stderr.String(), "using the demo data") {
		t.Errorf("second start:\n%s", d2.stderr)
	}
	if status, _ := call(t, "GET", d2.url+"/api/v1/me", "Bearer "+d.token, nil); status != 401 {
		t.Errorf("the first start's token: %d, want 401 (revoked)", status)
	}
	if status, _ := call(t, "GET", d2.url+"/api/v1/me", "Bearer "+d2.token, nil); status != 200 {
		t.Errorf("the second start's token: %d, want 200", status)
	}
	items2, _, err := db.ListIncidents(context.Background(), store.IncidentFilter{}, store.Page{})
	if err != nil || len(items2) != len(items)+1 {
		t.Errorf("%d incidents after the second start (%v), want still the %d seeded and the one reported", len(items2), err, len(items))
	}
}

func TestDemoRefusesOtherData(t *testing.T) {
	n := newNode(t)
	code, _, errs := n.run(t, "a long enough password\n", "admin", "create-user", "--email", "root@csirt.example", "--role", "node_admin", "--org", "authority")
	if code != ExitOK {
		t.Fatalf("create-user: %d %s", code, errs)
	}
	code, _, errs = n.run(t, "", "demo", "--addr", "127.0.0.1:0")
	if code != ExitError || !strings.Contains(errs, "not the demo's") {
		t.Errorf("demo on a node with real data: exit %d, stderr %q; want exit 1 and a refusal", code, errs)
	}
}

func assessedObligation(t *testing.T, db *store.DB, incidentID, id string) rules.Obligation {
	t.Helper()
	a, err := db.GetAssessment(context.Background(), incidentID)
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
