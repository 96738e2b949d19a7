package app_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/nisnet-eu/nisnet/internal/api"
	"github.com/nisnet-eu/nisnet/internal/app/fedtest"
	"github.com/nisnet-eu/nisnet/internal/stixmap"
	"github.com/nisnet-eu/nisnet/internal/store"
)

// memberStates are the 27 Member States; with the EU node, 28 nodes.
var memberStates = []string{"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "EL", "HU", "IE", "IT", "LV",
	"LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"}

func network28(b *testing.B) *fedtest.Network {
	specs := []fedtest.Spec{{Name: "nl", MemberState: "NL"}}
	for _, ms := range memberStates {
		if ms != "NL" {
			specs = append(specs, fedtest.Spec{Name: lower(ms), MemberState: ms, NoDemo: true})
		}
	}
	specs = append(specs, fedtest.Spec{Name: "eu", MemberState: "BE", NoDemo: true})
	return fedtest.Start(b, specs, fedtest.Options{PullInterval: time.Minute})
}

func lower(s string) string { return string([]byte{s[0] + 32, s[1] + 32}) }

func percentile(d []time.Duration, p float64) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, int(float64(len(s))*p))]
}

// BenchmarkFederationFanout: 28 nodes (27 Member States and the EU); the
// time from an update of an early warning shared with the network on one
// node until the new version is stored on all 27 others.
func BenchmarkFederationFanout(b *testing.B) {
	n := network28(b)
	src := n.Node("nl")
	src.MustCall("POST", "/api/v1/incidents/"+src.IncidentID+"/classification", map[string]any{"tlp": "TLP:GREEN"}, nil, 200)
	src.MustCall("POST", "/api/v1/incidents/"+src.IncidentID+"/shares", api.ShareRequest{Audience: "network"}, nil, 201)
	incID := stixmap.IncidentID(stixmap.Node{Name: "nl"}, src.IncidentID)
	others := n.Nodes[1:]
	// waitAll waits until every other node stores a version after the
	// given one; the clock starts before the update is made.
	var start time.Time
	waitAll := func(after string) time.Duration {
		var wg sync.WaitGroup
		for _, nd := range others {
			wg.Go(func() {
				for {
					o, err := nd.DB().GetLatestObject(b.Context(), nd.Federation().Inbox().ID, incID)
					if err == nil && o.Version > after {
						return
					}
					time.Sleep(2 * time.Millisecond)
				}
			})
		}
		wg.Wait()
		return time.Since(start)
	}
	start = time.Now()
	waitAll("") // the first share
	var lat []time.Duration
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		prev, err := others[0].DB().GetLatestObject(b.Context(), others[0].Federation().Inbox().ID, incID)
		if err != nil {
			b.Fatal(err)
		}
		start = time.Now()
		src.MustCall("POST", "/api/v1/incidents/"+src.IncidentID+"/notes", map[string]string{"text": fmt.Sprintf("update %d", i)}, nil, 201)
		lat = append(lat, waitAll(prev.Version))
	}
	b.ReportMetric(float64(percentile(lat, 0.5).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(percentile(lat, 0.99).Microseconds())/1000, "p99-ms")
}

// BenchmarkFederationCatchUp: a node is down while 10,000 objects are
// shared with the network; the time from its restart until all are stored.
func BenchmarkFederationCatchUp(b *testing.B) {
	for b.Loop() {
		n := fedtest.Start(b, []fedtest.Spec{{Name: "nl", MemberState: "NL"}, {Name: "be", MemberState: "BE", NoDemo: true}},
			fedtest.Options{PullInterval: time.Minute})
		src, be := n.Node("nl"), n.Node("be")
		be.Stop()
		src.MustCall("POST", "/api/v1/incidents/"+src.IncidentID+"/classification", map[string]any{"tlp": "TLP:GREEN"}, nil, 200)
		err := src.DB().Transact(b.Context(), func(tx *store.Tx) error {
			for i := range 3334 { // 3 objects each (indicator, relationship, sighting)
				if _, err := tx.AddIndicator(b.Context(), store.Indicator{IncidentID: src.IncidentID, Name: fmt.Sprint(i),
					Pattern: fmt.Sprintf("[ipv4-addr:value = '10.%d.%d.%d']", i/65536, i/256%256, i%256), PatternType: "stix",
					ValidFrom: time.Now(), CreatedBy: "bench"}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		var res api.ShareResult
		src.MustCall("POST", "/api/v1/incidents/"+src.IncidentID+"/shares", api.ShareRequest{Audience: "network"}, &res, 201)
		if res.Objects < 10000 {
			b.Fatalf("shared %d objects, want 10,000", res.Objects)
		}
		start := time.Now()
		be.Start()
		for {
			got := countInbox(b, be)
			if got >= res.Objects {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		b.ReportMetric(time.Since(start).Seconds(), "catchup-s")
		b.ReportMetric(float64(res.Objects), "objects")
	}
}

func countInbox(b *testing.B, nd *fedtest.Node) int {
	n, after := 0, int64(0)
	for {
		rows, more, err := nd.DB().QueryObjects(b.Context(), store.ObjectQuery{CollectionID: nd.Federation().Inbox().ID,
			AfterSeq: after, Limit: store.MaxObjectLimit, Versions: store.VersionMatch{All: true}})
		if err != nil {
			b.Fatal(err)
		}
		n += len(rows)
		if !more || len(rows) == 0 {
			return n
		}
		after = rows[len(rows)-1].Seq
	}
}
