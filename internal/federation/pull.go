package federation

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/nisnet-eu/nisnet/internal/stix"
	"github.com/nisnet-eu/nisnet/internal/store"
)

func (s *Service) pullLoop(ctx context.Context, p Peer) {
	c := client{http: s.o.Client, peer: p}
	for ctx.Err() == nil {
		n, err := s.PullOnce(ctx, c)
		now := s.o.Now()
		s.stat(p.Name, func(st *peerStats) {
			st.lastPull = now
			st.pulledObjects += int64(n)
			st.lastPullError = ""
			if err != nil {
				st.lastPullError = err.Error()
			}
		})
		if err != nil && ctx.Err() == nil {
			s.o.Log.Warn("federation: pull failed; will retry", "peer", p.Name, "err", err)
		}
		t := time.NewTimer(time.Duration(s.o.Config.PullInterval))
		select {
		case <-ctx.Done():
		case <-t.C:
		}
		t.Stop()
	}
}

// PullOnce fetches from every collection of the peer this node may read
// what was added since the last pull, stores it in the inbox, and returns
// how many object versions were new. Each page and its checkpoint commit
// together, so a pull interrupted anywhere resumes where it stopped.
func (s *Service) PullOnce(ctx context.Context, c client) (int, error) {
	cols, err := c.collections(ctx)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, col := range cols {
		if !col.CanRead {
			continue
		}
		n, err := s.pullCollection(ctx, c, col.ID)
		total += n
		if err != nil {
			if e := s.db.SetPullError(ctx, c.peer.Name, col.ID, err.Error()); e != nil && ctx.Err() == nil {
				s.o.Log.Error("federation: recording a pull error failed", "err", e)
			}
			return total, fmt.Errorf("collection %s: %w", col.ID, err)
		}
	}
	return total, nil
}

func (s *Service) pullCollection(ctx context.Context, c client, collection string) (int, error) {
	cp, err := s.db.GetPullCheckpoint(ctx, c.peer.Name, collection)
	if err != nil {
		return 0, err
	}
	// The query stays the same while following next (the peer binds its
	// cursor to it); the checkpoint moves with every page.
	total, next, after := 0, "", cp.AddedAfter
	for {
		pg, err := c.objects(ctx, collection, after, next, s.o.PageSize)
		if err != nil {
			return total, err
		}
		rows, rejected := s.receive(c.peer, pg.Objects)
		if rejected > 0 {
			s.stat(c.peer.Name, func(st *peerStats) { st.rejectedIn += int64(rejected) })
		}
		err = s.db.Transact(ctx, func(tx *store.Tx) error {
			if len(rows) > 0 {
				added, err := tx.AddObjects(ctx, s.inbox.ID, rows)
				if err != nil {
					return err
				}
				for _, r := range added {
					if !r.Duplicate {
						total++
					}
				}
			}
			if pg.Last != "" {
				cp.AddedAfter = pg.Last
			}
			cp.Objects += int64(len(rows))
			cp.PulledAt = s.o.Now()
			cp.LastError = ""
			return tx.PutPullCheckpoint(ctx, cp)
		})
		if err != nil {
			return total, err
		}
		if !pg.More || len(pg.Objects) == 0 && pg.Next == "" {
			return total, nil
		}
		if next = pg.Next; next == "" {
			after = cp.AddedAfter // more without next: continue after the last one
		}
	}
}

// receive validates objects from a peer and returns the rows to store in
// the inbox and how many were refused.
func (s *Service) receive(p Peer, objs []json.RawMessage) ([]store.StixObject, int) {
	rows := make([]store.StixObject, 0, len(objs))
	rejected := 0
	for _, raw := range objs {
		o, err := s.o.Validate(raw)
		if err == nil {
			err = s.accept(o)
		}
		if err != nil {
			rejected++
			s.o.Log.Warn("federation: refused an object pulled from a peer", "peer", p.Name, "err", err)
			continue
		}
		rows = append(rows, row(o, p.Name))
	}
	return rows, rejected
}

// accept is the node's policy on an object received from a peer, after
// validation.
func (s *Service) accept(o stix.Object) error {
	if o.CreatedByRef == s.identity {
		return fmt.Errorf("%s was created by this node: an object never returns to its origin", o.ID)
	}
	return nil
}
