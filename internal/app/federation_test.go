package app_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nisnet-eu/nisnet/internal/api"
	"github.com/nisnet-eu/nisnet/internal/app"
	"github.com/nisnet-eu/nisnet/internal/app/fedtest"
	"github.com/nisnet-eu/nisnet/internal/federation"
	"github.com/nisnet-eu/nisnet/internal/store"
)

// received returns what node nd received of type typ, by STIX id.
func received(nd *fedtest.Node, typ string) map[string]api.ReceivedObject {
	var page api.ReceivedPage
	nd.MustCall("GET", "/api/v1/federation/received?limit=500&type="+typ, nil, &page, 200)
	out := map[string]api.ReceivedObject{}
	for _, o := range page.Items {
		out[o.ID] = o
	}
	return out
}

func classify(nd *fedtest.Node, incidentID, tlp string) {
	nd.MustCall("POST", "/api/v1/incidents/"+incidentID+"/classification", map[string]any{"tlp": tlp}, nil, 200)
}

func threeNodes(t *testing.T) *fedtest.Network {
	return fedtest.Start(t, []fedtest.Spec{
		{Name: "nl", MemberState: "NL", Audiences: map[string][]string{"be": {"network", "group:benelux"}, "de": {"network"}}},
		{Name: "be", MemberState: "BE", Audiences: map[string][]string{"nl": {"network", "group:benelux"}, "de": {"network"}}},
		{Name: "de", MemberState: "DE"},
	}, fedtest.Options{PullInterval: 500 * time.Millisecond})
}

// Sharing, an update and a revocation reach every node of the audience;
// the TLP marking decides who may receive (NIS2 Art 23(6); TLP 2.0).
func TestFederationShareUpdateRevoke(t *testing.T) {
	n := threeNodes(t)
	nl, be, de := n.Node("nl"), n.Node("be"), n.Node("de")
	shares := "/api/v1/incidents/" + nl.IncidentID + "/shares"

	// The demo incident is TLP:AMBER+STRICT: not for the network.
	if got := nl.Call("POST", shares, api.ShareRequest{Audience: "network"}, nil); got != http.StatusConflict {
		t.Fatalf("AMBER+STRICT to the network: status %d, want 409", got)
	}
	// To a single peer it may go.
	var res api.ShareResult
	nl.MustCall("POST", shares, api.ShareRequest{Audience: "peer:be"}, &res, 201)
	if res.Objects == 0 || len(res.Peers) != 1 || res.Peers[0] != "be" {
		t.Fatalf("share with peer:be: %+v", res)
	}
	var incidentID string
	fedtest.Eventually(t, 10*time.Second, "be receives the incident", func() bool {
		for id, o := range received(be, "incident") {
			incidentID = id
			return o.From == "nl" && o.TLP == "TLP:AMBER+STRICT"
		}
		return false
	})
	if len(received(de, "incident")) != 0 {
		t.Fatal("de received an incident shared with be alone")
	}

	// GREEN goes to the network: de receives it too.
	classify(nl, nl.IncidentID, "TLP:GREEN")
	nl.MustCall("POST", shares, api.ShareRequest{Audience: "network"}, &res, 201)
	fedtest.Eventually(t, 10*time.Second, "de receives the incident", func() bool {
		o, ok := received(de, "incident")[incidentID]
		return ok && o.TLP == "TLP:GREEN" && !o.Revoked
	})
	first := received(de, "incident")[incidentID].Version

	// An update (a note) propagates as a new STIX version.
	nl.MustCall("POST", "/api/v1/incidents/"+nl.IncidentID+"/notes", map[string]string{"text": "Contained; ISP informed."}, nil, 201)
	nl.MustCall("POST", "/api/v1/incidents/"+nl.IncidentID+"/indicators",
		api.IndicatorRequest{Name: "C2 server", Pattern: "[ipv4-addr:value = '198.51.100.7']"}, nil, 201)
	fedtest.Eventually(t, 10*time.Second, "de receives the indicator and the note", func() bool {
		return len(received(de, "indicator")) == 1 && len(received(de, "note")) == 1
	})
	classify(nl, nl.IncidentID, "TLP:CLEAR")
	fedtest.Eventually(t, 10*time.Second, "de receives the new version of the incident", func() bool {
		o := received(de, "incident")[incidentID]
		return o.Version > first && o.TLP == "TLP:CLEAR"
	})

	// The share status shows the delivery to each peer.
	var list []api.Share
	fedtest.Eventually(t, 10*time.Second, "the network share shows both peers delivered", func() bool {
		nl.MustCall("GET", shares, nil, &list, 200)
		for _, s := range list {
			if s.Audience == "network" {
				ok := len(s.Deliveries) == 2
				for _, d := range s.Deliveries {
					ok = ok && d.State == "delivered"
				}
				return ok
			}
		}
		return false
	})

	// Revocation propagates; the receiver shows it.
	nl.MustCall("DELETE", shares+"/network", nil, &res, 200)
	if res.Share.RevokedAt == nil {
		t.Fatalf("revoked share: %+v", res.Share)
	}
	fedtest.Eventually(t, 10*time.Second, "de shows the incident revoked", func() bool {
		return received(de, "incident")[incidentID].Revoked
	})
	if got := nl.Call("DELETE", shares+"/network", nil, nil); got != http.StatusNotFound {
		t.Errorf("revoking twice: %d, want 404", got)
	}

	// Every queued version was delivered, none rejected.
	fedtest.Eventually(t, 10*time.Second, "nl's outbox drains", func() bool {
		var peers []federation.PeerStatus
		nl.MustCall("GET", "/api/v1/federation/peers", nil, &peers, 200)
		for _, p := range peers {
			if p.Pending != 0 || p.Rejected != 0 || p.Delivered == 0 {
				return false
			}
		}
		return len(peers) == 2
	})
	// Each version is stored once on the receiver, though it came both by
	// push and by pull.
	var versions int
	rows, _, err := de.DB().QueryObjects(t.Context(), store.ObjectQuery{CollectionID: de.Federation().Inbox().ID,
		IDs: []string{incidentID}, Versions: store.VersionMatch{All: true}, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range rows {
		if seen[r.Version] {
			t.Errorf("version %s stored twice", r.Version)
		}
		seen[r.Version] = true
		versions++
	}
	if versions < 3 {
		t.Errorf("de holds %d versions of the incident, want the shared, updated and revoked ones", versions)
	}
}

// TLP:RED never leaves: it cannot be shared, and an incident re-marked RED
// after sharing is revoked, never sent as RED.
func TestFederationRedNeverLeaves(t *testing.T) {
	n := threeNodes(t)
	nl, be := n.Node("nl"), n.Node("be")
	shares := "/api/v1/incidents/" + nl.IncidentID + "/shares"
	classify(nl, nl.IncidentID, "TLP:RED")
	for _, a := range []string{"peer:be", "network", "group:benelux", "public"} {
		if got := nl.Call("POST", shares, api.ShareRequest{Audience: a}, nil); got != http.StatusConflict {
			t.Errorf("TLP:RED to %s: status %d, want 409", a, got)
		}
	}
	classify(nl, nl.IncidentID, "TLP:GREEN")
	nl.MustCall("POST", shares, api.ShareRequest{Audience: "group:benelux"}, nil, 201)
	fedtest.Eventually(t, 10*time.Second, "be receives the incident", func() bool { return len(received(be, "incident")) == 1 })
	classify(nl, nl.IncidentID, "TLP:RED")
	fedtest.Eventually(t, 10*time.Second, "be shows the incident revoked", func() bool {
		for _, o := range received(be, "incident") {
			return o.Revoked
		}
		return false
	})
	for _, o := range received(be, "incident") {
		if o.TLP == "TLP:RED" || strings.Contains(string(o.Object), "e828b379-4e03-4974-9ac4-e53a884c97c1") {
			t.Errorf("a TLP:RED version left the node: %s", o.Object)
		}
	}
	// Nor does a peer get RED objects by reading the collections.
	req, _ := http.NewRequest("GET", nl.URL+app.TAXIIRoot+"collections/", nil)
	req.Header.Set("Accept", "application/taxii+json;version=2.1")
	req.SetBasicAuth("be", "secret-be-to-nl-0123456789abcdef")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("be reading nl's collections: %d", resp.StatusCode)
	}
}

// A node down while an incident is shared gets it once it is back: the
// outbox retries across the partition, the pull catches up.
func TestFederationNodeDownThenRestarted(t *testing.T) {
	n := threeNodes(t)
	nl, de := n.Node("nl"), n.Node("de")
	classify(nl, nl.IncidentID, "TLP:GREEN")
	de.Stop()
	nl.MustCall("POST", "/api/v1/incidents/"+nl.IncidentID+"/shares", api.ShareRequest{Audience: "network"}, nil, 201)
	fedtest.Eventually(t, 10*time.Second, "nl shows the delivery to de failing, with the reason", func() bool {
		var peers []federation.PeerStatus
		nl.MustCall("GET", "/api/v1/federation/peers", nil, &peers, 200)
		for _, p := range peers {
			if p.Name == "de" {
				return p.Pending > 0 && p.Failing > 0 && p.LastError != ""
			}
		}
		return false
	})
	de.Start()
	fedtest.Eventually(t, 20*time.Second, "de receives the incident after its restart", func() bool {
		return len(received(de, "incident")) == 1
	})
	fedtest.Eventually(t, 60*time.Second, "nl's outbox to de drains", func() bool {
		var peers []federation.PeerStatus
		nl.MustCall("GET", "/api/v1/federation/peers", nil, &peers, 200)
		for _, p := range peers {
			if p.Name == "de" {
				return p.Pending == 0 && p.Delivered > 0
			}
		}
		return false
	})
}

// A peer presenting the wrong secret is refused, and the sender shows why.
func TestFederationWrongCredentials(t *testing.T) {
	n := fedtest.Start(t, []fedtest.Spec{
		{Name: "nl", MemberState: "NL", WrongSecretFor: []string{"be"}},
		{Name: "be", MemberState: "BE"},
	}, fedtest.Options{PullInterval: 200 * time.Millisecond})
	nl, be := n.Node("nl"), n.Node("be")
	classify(nl, nl.IncidentID, "TLP:GREEN")
	nl.MustCall("POST", "/api/v1/incidents/"+nl.IncidentID+"/shares", api.ShareRequest{Audience: "network"}, nil, 201)
	fedtest.Eventually(t, 10*time.Second, "nl shows the push to be failing with 401", func() bool {
		var peers []federation.PeerStatus
		nl.MustCall("GET", "/api/v1/federation/peers", nil, &peers, 200)
		return len(peers) == 1 && peers[0].Failing > 0 && strings.Contains(peers[0].LastError, "401")
	})
	// be pulls with its own, right credentials: the share still arrives.
	fedtest.Eventually(t, 10*time.Second, "be pulls the incident", func() bool { return len(received(be, "incident")) == 1 })
}

// Envelopes a peer posts to the inbox: malformed, oversized and
// schema-invalid ones are refused with a reason; valid ones stored once.
func TestFederationInboxEnvelopes(t *testing.T) {
	n := fedtest.Start(t, []fedtest.Spec{{Name: "nl", MemberState: "NL"}, {Name: "be", MemberState: "BE"}},
		fedtest.Options{PullInterval: time.Hour})
	nl := n.Node("nl")
	var cols struct {
		Collections []struct {
			ID, Alias string
		} `json:"collections"`
	}
	do := func(method, path, body, ctype string) (*http.Response, []byte) {
		req, _ := http.NewRequest(method, nl.URL+app.TAXIIRoot+path, strings.NewReader(body))
		req.Header.Set("Accept", "application/taxii+json;version=2.1")
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		req.SetBasicAuth("be", "secret-be-to-nl-0123456789abcdef")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b bytes.Buffer
		b.ReadFrom(resp.Body)
		return resp, b.Bytes()
	}
	resp, b := do("GET", "collections/", "", "")
	if resp.StatusCode != 200 || json.Unmarshal(b, &cols) != nil {
		t.Fatalf("collections: %d %s", resp.StatusCode, b)
	}
	inbox := ""
	for _, c := range cols.Collections {
		if c.Alias == "inbox" {
			inbox = c.ID
		}
	}
	objects := "collections/" + inbox + "/objects/"
	const taxiiType = "application/taxii+json;version=2.1"
	if resp, b := do("POST", objects, `{"objects": [`, taxiiType); resp.StatusCode != 400 {
		t.Errorf("malformed envelope: %d %s", resp.StatusCode, b)
	}
	if resp, b := do("POST", objects, `{"objects": []}`, "application/json"); resp.StatusCode != 415 {
		t.Errorf("wrong content type: %d %s", resp.StatusCode, b)
	}
	big := `{"objects":[{"type":"note","x":"` + strings.Repeat("a", 11<<20) + `"}]}`
	if resp, b := do("POST", objects, big, taxiiType); resp.StatusCode != 413 {
		t.Errorf("oversized envelope: %d %.200s", resp.StatusCode, b)
	}
	good := `{"type":"indicator","spec_version":"2.1","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","created":"2026-11-28T10:00:00.000Z","modified":"2026-11-28T10:00:00.000Z","pattern":"[ipv4-addr:value = '198.51.100.9']","pattern_type":"stix","valid_from":"2026-11-28T10:00:00Z","object_marking_refs":["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"]}`
	bad := `{"type":"indicator","spec_version":"2.1","id":"indicator--9e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","created":"2026-11-28T10:00:00.000Z","modified":"2026-11-28T10:00:00.000Z","pattern":"[ipv4-addr:value = ","pattern_type":"stix","valid_from":"2026-11-28T10:00:00Z"}`
	for round := 0; round < 2; round++ {
		resp, b := do("POST", objects, `{"objects":[`+good+`,`+bad+`]}`, taxiiType)
		var st struct {
			Status       string `json:"status"`
			SuccessCount int    `json:"success_count"`
			FailureCount int    `json:"failure_count"`
			Failures     []struct {
				ID, Message string
			} `json:"failures"`
		}
		if resp.StatusCode != 202 || json.Unmarshal(b, &st) != nil {
			t.Fatalf("post: %d %s", resp.StatusCode, b)
		}
		if st.SuccessCount != 1 || st.FailureCount != 1 || len(st.Failures) != 1 || !strings.Contains(st.Failures[0].Message, "pattern") {
			t.Errorf("round %d: status %s", round, b)
		}
	}
	got := received(nl, "indicator")
	if len(got) != 1 || got["indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"].From != "be" {
		t.Errorf("received after two identical posts: %+v", got)
	}
	// Wrong credentials: 401.
	req, _ := http.NewRequest("GET", nl.URL+app.TAXIIRoot+"collections/", nil)
	req.Header.Set("Accept", taxiiType)
	req.SetBasicAuth("be", "guess")
	r2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r2.Body.Close()
	if r2.StatusCode != 401 || r2.Header.Get("WWW-Authenticate") == "" {
		t.Errorf("wrong secret: %d %q", r2.StatusCode, r2.Header.Get("WWW-Authenticate"))
	}
}
