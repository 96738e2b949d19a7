package federation

import (
	"context"
	"sync"
	"time"

	"github.com/nisnet-eu/nisnet/internal/metrics"
	"github.com/nisnet-eu/nisnet/internal/store"
)

// PeerStatus is what the node knows of one peer: the configuration, the
// outbox (delivered, pending, failing and why) and the pulls.
type PeerStatus struct {
	Name         string   `json:"name"`
	Title        string   `json:"title,omitempty"`
	URL          string   `json:"url"`
	Relation     string   `json:"relation"`
	Audiences    []string `json:"audiences"`
	PersonalData bool     `json:"personal_data"`

	Delivered int64 `json:"delivered"`
	Pending   int64 `json:"pending"`
	// Failing are pending deliveries that failed at least once.
	Failing  int64 `json:"failing"`
	Rejected int64 `json:"rejected"`
	// LagSeconds is the age of the oldest pending delivery; 0 if none.
	LagSeconds    float64    `json:"lag_seconds"`
	LastDelivered *time.Time `json:"last_delivered,omitempty"`
	// LastError is why the latest failing delivery failed.
	LastError string `json:"last_error,omitempty"`

	LastPull      *time.Time `json:"last_pull,omitempty"`
	PullError     string     `json:"pull_error,omitempty"`
	PulledObjects int64      `json:"pulled_objects"`
	// ReceivedRefused counts objects from this peer this node refused
	// since it started.
	ReceivedRefused int64 `json:"received_refused"`
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// Peers returns the status of every configured peer.
func (s *Service) Peers(ctx context.Context) ([]PeerStatus, error) {
	stats, err := s.db.DeliveryStats(ctx)
	if err != nil {
		return nil, err
	}
	byPeer := map[string]store.PeerDeliveries{}
	for _, st := range stats {
		byPeer[st.Peer] = st
	}
	cps, err := s.db.ListPullCheckpoints(ctx)
	if err != nil {
		return nil, err
	}
	now := s.o.Now()
	var out []PeerStatus
	for _, p := range s.o.Config.Peers {
		d := byPeer[p.Name]
		ps := PeerStatus{Name: p.Name, Title: p.Title, URL: p.URL, Relation: p.Relation, Audiences: append([]string{}, p.Audiences...),
			PersonalData: p.PersonalData, Delivered: d.Delivered, Pending: d.Pending, Failing: d.Failing, Rejected: d.Rejected,
			LastDelivered: timePtr(d.LastDelivered), LastError: d.LastError}
		if !d.OldestPending.IsZero() {
			ps.LagSeconds = max(0, now.Sub(d.OldestPending).Seconds())
		}
		var lastPull time.Time
		for _, cp := range cps {
			if cp.Peer != p.Name {
				continue
			}
			ps.PulledObjects += cp.Objects
			if cp.PulledAt.After(lastPull) {
				lastPull = cp.PulledAt
			}
			if cp.LastError != "" {
				ps.PullError = cp.LastError
			}
		}
		ps.LastPull = timePtr(lastPull)
		s.mu.Lock()
		if st := s.stats[p.Name]; st != nil {
			ps.ReceivedRefused = st.rejectedIn
			if st.lastPullError != "" {
				ps.PullError = st.lastPullError
			}
		}
		s.mu.Unlock()
		out = append(out, ps)
	}
	return out, nil
}

// RegisterMetrics adds the federation's gauges to reg: backlog, lag,
// delivered, failing and rejected deliveries per peer.
func (s *Service) RegisterMetrics(reg *metrics.Registry) {
	// One scrape reads every family: read the peers' status once for all
	// of them (it scans the outbox), not once per family.
	var (
		mu     sync.Mutex
		cached []PeerStatus
		at     time.Time
	)
	peers := func() []PeerStatus {
		mu.Lock()
		defer mu.Unlock()
		if time.Since(at) < time.Second {
			return cached
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		ps, err := s.Peers(ctx)
		if err != nil {
			s.o.Log.Error("federation: metrics: reading the peers' status failed", "err", err)
			return nil
		}
		cached, at = ps, time.Now()
		return ps
	}
	read := func(f func(PeerStatus) float64) func() []metrics.Sample {
		return func() []metrics.Sample {
			ps := peers()
			out := make([]metrics.Sample, len(ps))
			for i, p := range ps {
				out[i] = metrics.Sample{Labels: []string{p.Name}, Value: f(p)}
			}
			return out
		}
	}
	peer := []string{"peer"}
	reg.NewGaugesFunc("nisnet_federation_backlog", "Object versions waiting to be pushed to the peer.", peer,
		read(func(p PeerStatus) float64 { return float64(p.Pending) }))
	reg.NewGaugesFunc("nisnet_federation_lag_seconds", "Age of the oldest object version waiting to be pushed to the peer.", peer,
		read(func(p PeerStatus) float64 { return p.LagSeconds }))
	reg.NewGaugesFunc("nisnet_federation_delivered", "Object versions the peer acknowledged.", peer,
		read(func(p PeerStatus) float64 { return float64(p.Delivered) }))
	reg.NewGaugesFunc("nisnet_federation_failing", "Object versions waiting after at least one failed push.", peer,
		read(func(p PeerStatus) float64 { return float64(p.Failing) }))
	reg.NewGaugesFunc("nisnet_federation_rejected", "Object versions the peer refused, with a reason.", peer,
		read(func(p PeerStatus) float64 { return float64(p.Rejected) }))
	reg.NewGaugesFunc("nisnet_federation_pulled", "Object versions pulled from the peer.", peer,
		read(func(p PeerStatus) float64 { return float64(p.PulledObjects) }))
}
