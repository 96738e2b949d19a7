package federation

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"sync"
	"time"

	"github.com/nisnet-eu/nisnet/internal/stix"
	"github.com/nisnet-eu/nisnet/internal/store"
)

// Run runs the federation's background work until ctx ends: a pusher and a
// puller per peer, the syncer of shared incidents and the clean-up of old
// TAXII status resources. Everything it does is driven by the database, so
// it resumes after a restart where it stopped.
func (s *Service) Run(ctx context.Context) {
	worker := workerName()
	var wg sync.WaitGroup
	for _, p := range s.o.Config.Peers {
		wg.Go(func() { s.pushLoop(ctx, p, worker) })
		if !p.NoPull {
			wg.Go(func() { s.pullLoop(ctx, p) })
		}
	}
	wg.Go(func() { s.syncLoop(ctx) })
	wg.Wait()
}

func workerName() string {
	host, _ := os.Hostname()
	var b [4]byte
	_, _ = crand.Read(b[:])
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

// statusRetention is how long TAXII status resources are kept (the spec
// asks for at least 24 hours).
const statusRetention = 7 * 24 * time.Hour

func (s *Service) syncLoop(ctx context.Context) {
	t := time.NewTicker(s.o.SyncInterval)
	defer t.Stop()
	lastCleanup := time.Time{}
	for {
		if n, err := s.Sync(ctx); err != nil && ctx.Err() == nil {
			s.o.Log.Error("federation: sync of shared incidents failed; retrying", "err", err)
		} else if n == 100 {
			continue // more to do
		}
		if now := s.o.Now(); now.Sub(lastCleanup) > time.Hour {
			if _, err := s.db.DeleteStatusesBefore(ctx, now.Add(-statusRetention)); err != nil && ctx.Err() == nil {
				s.o.Log.Error("federation: clean-up of TAXII statuses failed", "err", err)
			}
			lastCleanup = now
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.syncWake:
		}
	}
}

// backoff is the wait before attempt n+1 of a failed delivery: 1 s doubling
// to at most 5 minutes, with 20 % jitter so that peers coming back are not
// hit by every node at once.
func backoff(attempts int) time.Duration {
	d := time.Second << min(attempts, 9)
	d = min(d, 5*time.Minute)
	return d + time.Duration(rand.Int64N(int64(d)/5+1))
}

// idleWait is the longest a pusher sleeps without being woken.
const idleWait = 30 * time.Second

func (s *Service) pushLoop(ctx context.Context, p Peer, worker string) {
	c := client{http: s.o.Client, peer: p}
	collection := ""
	for ctx.Err() == nil {
		ds, err := s.db.ClaimDeliveries(ctx, p.Name, worker, s.o.Now(), s.o.PushBatch, 2*time.Minute)
		if err != nil {
			if ctx.Err() == nil {
				s.o.Log.Error("federation: claiming deliveries failed", "peer", p.Name, "err", err)
			}
			s.sleep(ctx, p.Name, 5*time.Second)
			continue
		}
		if len(ds) == 0 {
			wait := idleWait
			if at, ok, err := s.db.NextDeliveryAt(ctx, p.Name); err == nil && ok {
				wait = min(wait, max(at.Sub(s.o.Now()), 10*time.Millisecond))
			}
			s.sleep(ctx, p.Name, wait)
			continue
		}
		if collection == "" {
			if collection, err = c.pushCollection(ctx); err != nil {
				s.pushFailed(ctx, p, worker, ds, fmt.Errorf("finding the peer's inbox: %w", err))
				continue
			}
		}
		objs := make([]json.RawMessage, len(ds))
		for i, d := range ds {
			objs[i] = d.Body
		}
		st, err := c.post(ctx, collection, objs)
		if err != nil {
			var re *remoteError
			if errors.As(err, &re) && re.Status == 404 {
				collection = "" // look it up again
			}
			s.pushFailed(ctx, p, worker, ds, err)
			continue
		}
		s.pushDone(ctx, p, worker, ds, st)
	}
}

// sleep waits for d, a wake-up of the peer's pusher or the end of ctx.
func (s *Service) sleep(ctx context.Context, peer string, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	case <-s.wake[peer]:
	}
}

func (s *Service) pushFailed(ctx context.Context, p Peer, worker string, ds []store.Delivery, cause error) {
	if ctx.Err() != nil {
		return // shutting down: the leases expire and the deliveries are claimed again
	}
	attempts := 0
	ids := make([]int64, len(ds))
	for i, d := range ds {
		ids[i] = d.ID
		attempts = max(attempts, d.Attempts)
	}
	now := s.o.Now()
	retryAt := now.Add(backoff(attempts))
	if err := s.db.FinishDeliveries(ctx, worker, now, nil, nil, ids, cause.Error(), retryAt); err != nil {
		s.o.Log.Error("federation: recording a failed push failed", "peer", p.Name, "err", err)
	}
	s.stat(p.Name, func(st *peerStats) { st.pushFailures++; st.lastPushError = cause.Error(); st.lastPush = now })
	s.o.Log.Warn("federation: push failed; will retry", "peer", p.Name, "objects", len(ds), "retry_at", retryAt, "err", cause)
}

// versionKey identifies an object version in a status resource, reading
// the version as an instant (peers may write it with another precision).
func versionKey(id, version string) string {
	if t, err := stix.ParseTimestamp(version); err == nil {
		return id + "|" + t.UTC().Format(time.RFC3339Nano)
	}
	return id + "|" + version
}

func (s *Service) pushDone(ctx context.Context, p Peer, worker string, ds []store.Delivery, st status) {
	ok := map[string]bool{}
	for _, d := range st.Successes {
		ok[versionKey(d.ID, d.Version)] = true
	}
	failed := map[string]string{}
	for _, d := range st.Failures {
		failed[versionKey(d.ID, d.Version)] = d.Message
	}
	var delivered, retry []int64
	rejected := map[int64]string{}
	for _, d := range ds {
		k := versionKey(d.StixID, d.Version)
		switch msg, isFailure := failed[k]; {
		case ok[k]:
			delivered = append(delivered, d.ID)
		case isFailure:
			if msg == "" {
				msg = "rejected without a reason"
			}
			rejected[d.ID] = msg
		default:
			retry = append(retry, d.ID)
		}
	}
	now := s.o.Now()
	retryAt := now.Add(backoff(0))
	if err := s.db.FinishDeliveries(ctx, worker, now, delivered, rejected, retry, "the peer's status does not list the object yet", retryAt); err != nil {
		s.o.Log.Error("federation: recording a push failed", "peer", p.Name, "err", err)
		return
	}
	s.stat(p.Name, func(ps *peerStats) {
		ps.pushedObjects += int64(len(delivered))
		ps.lastPush = now
		ps.lastPushError = ""
	})
	if len(rejected) > 0 {
		s.o.Log.Warn("federation: the peer rejected objects", "peer", p.Name, "rejected", len(rejected))
	}
}
