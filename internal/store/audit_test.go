package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/nisnet-eu/nisnet/internal/store"
	"github.com/nisnet-eu/nisnet/internal/store/storetest"
)

// appendAudit records n events, each in its own transaction.
func appendAudit(t *testing.T, db *store.DB, n int) {
	t.Helper()
	ctx := context.Background()
	for i := range n {
		err := db.Transact(ctx, func(tx *store.Tx) error {
			return tx.Audit(ctx, store.AuditEvent{
				Actor: "system", OrganisationID: "org-1", Action: "test.event",
				ObjectType: "thing", ObjectID: fmt.Sprint(i), Detail: map[string]any{"i": i, "note": "ünïcode"},
			})
		})
		if err != nil {
			t.Fatalf("audit #%d: %v", i, err)
		}
	}
}

func verify(t *testing.T, db *store.DB) store.AuditReport {
	t.Helper()
	rep, err := db.VerifyAudit(context.Background())
	if err != nil {
		t.Fatalf("VerifyAudit: %v", err)
	}
	return rep
}

func TestAuditAppend(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)

	if rep := verify(t, db); !rep.OK || rep.Records != 0 || rep.LastHash != strings.Repeat("0", 64) {
		t.Errorf("empty trail: %+v, want OK with the genesis hash", rep)
	}
	appendAudit(t, db, 3)
	if err := db.Transact(ctx, func(tx *store.Tx) error {
		return tx.Audit(ctx, store.AuditEvent{Actor: "u-1", Action: "node.start"})
	}); err != nil {
		t.Fatal(err)
	}

	recs, err := db.ListAudit(ctx, "", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 4 {
		t.Fatalf("got %d records, want 4", len(recs))
	}
	prev := strings.Repeat("0", 64)
	for i, r := range recs {
		if r.Seq != int64(i+1) || r.PrevHash != prev || len(r.Hash) != 64 {
			t.Errorf("record %d: seq %d prev %s hash %s; want seq %d after %s", i, r.Seq, r.PrevHash, r.Hash, i+1, prev)
		}
		prev = r.Hash
	}
	var detail map[string]any
	if err := json.Unmarshal(recs[1].Detail, &detail); err != nil || detail["i"] != 1.0 || detail["note"] != "ünïcode" {
		t.Errorf("detail = %s (%v), want the event's detail", recs[1].Detail, err)
	}
	if string(recs[3].Detail) != "{}" || recs[3].OrganisationID != "" {
		t.Errorf("event without detail or organisation stored as %+v", recs[3])
	}

	rep := verify(t, db)
	if !rep.OK || rep.Records != 4 || rep.LastSeq != 4 || rep.LastHash != recs[3].Hash {
		t.Errorf("VerifyAudit = %+v, want OK over 4 records ending at %s", rep, recs[3].Hash)
	}

	t.Run("list filters by organisation and seq", func(t *testing.T) {
		got, err := db.ListAudit(ctx, "org-1", 1, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].Seq != 2 || got[1].Seq != 3 {
			t.Errorf("got %d records starting at %v, want seq 2 and 3", len(got), got)
		}
	})
	t.Run("rolled-back append leaves no trace", func(t *testing.T) {
		db.Transact(ctx, func(tx *store.Tx) error {
			if err := tx.Audit(ctx, store.AuditEvent{Actor: "system", Action: "doomed"}); err != nil {
				t.Fatal(err)
			}
			return fmt.Errorf("roll back")
		})
		appendAudit(t, db, 1)
		if rep := verify(t, db); !rep.OK || rep.LastSeq != 5 {
			t.Errorf("after rollback: %+v, want OK with last seq 5", rep)
		}
	})
	t.Run("actor and action are required", func(t *testing.T) {
		err := db.Transact(ctx, func(tx *store.Tx) error { return tx.Audit(ctx, store.AuditEvent{Action: "x"}) })
		if err == nil {
			t.Error("recorded an event without actor")
		}
	})
}

func TestVerifyAuditDetectsTampering(t *testing.T) {
	tests := []struct {
		name    string
		tamper  []string // raw SQL run against a trail of 5 good records
		wantSeq int64
		want    store.AuditProblem
	}{
		{
			name:    "changed detail",
			tamper:  []string{`UPDATE audit_log SET detail = '{"i":99}' WHERE seq = 3`},
			wantSeq: 3, want: store.AuditHashMismatch,
		},
		{
			name:    "changed actor",
			tamper:  []string{`UPDATE audit_log SET actor = 'someone-else' WHERE seq = 1`},
			wantSeq: 1, want: store.AuditHashMismatch,
		},
		{
			name:    "changed record given a fresh hash",
			tamper:  []string{`UPDATE audit_log SET hash = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' WHERE seq = 2`},
			wantSeq: 2, want: store.AuditHashMismatch,
		},
		{
			name:    "removed record in the middle",
			tamper:  []string{`DELETE FROM audit_log WHERE seq = 3`},
			wantSeq: 4, want: store.AuditSeqGap,
		},
		{
			name:    "removed first record",
			tamper:  []string{`DELETE FROM audit_log WHERE seq = 1`},
			wantSeq: 2, want: store.AuditSeqGap,
		},
		{
			name: "removed record and renumbered the rest",
			tamper: []string{
				`DELETE FROM audit_log WHERE seq = 3`,
				`UPDATE audit_log SET seq = 3 WHERE seq = 4`,
				`UPDATE audit_log SET seq = 4 WHERE seq = 5`,
			},
			wantSeq: 3, want: store.AuditPrevHashMismatch,
		},
		{
			name: "inserted record at the end",
			tamper: []string{`INSERT INTO audit_log (seq, at, actor, organisation_id, action, object_type, object_id, detail, prev_hash, hash)
				VALUES (6, '2030-01-01T00:00:00.000000Z', 'mallory', '', 'forged', '', '', '{}', 'bad', 'bad')`},
			wantSeq: 6, want: store.AuditPrevHashMismatch,
		},
		{
			name: "inserted record in the middle",
			tamper: []string{
				`UPDATE audit_log SET seq = seq + 100 WHERE seq >= 3`,
				`UPDATE audit_log SET seq = seq - 99 WHERE seq >= 100`,
				`INSERT INTO audit_log (seq, at, actor, organisation_id, action, object_type, object_id, detail, prev_hash, hash)
				SELECT 3, at, 'mallory', '', 'forged', '', '', '{}', hash, hash FROM audit_log WHERE seq = 2`,
			},
			wantSeq: 3, want: store.AuditHashMismatch,
		},
		{
			name:    "swapped prev_hash",
			tamper:  []string{`UPDATE audit_log SET prev_hash = (SELECT hash FROM audit_log WHERE seq = 1) WHERE seq = 4`},
			wantSeq: 4, want: store.AuditPrevHashMismatch,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			db := storetest.Open(t)
			appendAudit(t, db, 5)
			if rep := verify(t, db); !rep.OK {
				t.Fatalf("before tampering: %+v", rep)
			}
			for _, q := range tt.tamper {
				if tt.name == "inserted record at the end" && db.Dialect() == "postgres" {
					q = strings.Replace(q, "'2030-01-01T00:00:00.000000Z'", "'2030-01-01T00:00:00Z'::timestamptz", 1)
				}
				if err := db.Exec(ctx, q); err != nil {
					t.Fatalf("tamper %q: %v", q, err)
				}
			}
			rep := verify(t, db)
			if rep.OK || rep.BadSeq != tt.wantSeq || rep.Problem != tt.want {
				t.Errorf("VerifyAudit = %+v, want seq %d with %q", rep, tt.wantSeq, tt.want)
			}
		})
	}
}

func TestAuditConcurrentAppendsKeepOneChain(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	const workers, each = 8, 50
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				err := db.Transact(ctx, func(tx *store.Tx) error {
					return tx.Audit(ctx, store.AuditEvent{
						Actor: fmt.Sprintf("worker-%d", w), Action: "test.concurrent", ObjectID: fmt.Sprint(i),
					})
				})
				if err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	rep := verify(t, db)
	if !rep.OK || rep.Records != workers*each || rep.LastSeq != workers*each {
		t.Errorf("VerifyAudit = %+v, want OK over %d records", rep, workers*each)
	}
}

// A forger who knows the hash function can rewrite a record and its hash,
// but not the next record's prev_hash without rewriting the rest of the
// chain.
func TestVerifyAuditDetectsRehashedRecord(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	appendAudit(t, db, 5)
	recs, err := db.ListAudit(ctx, "", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	forged := recs[2]
	forged.Detail = json.RawMessage(`{"i":2,"note":"nothing happened"}`)
	forged.Hash = store.AuditHash(forged)
	if err := db.Exec(ctx, `UPDATE audit_log SET detail = ?, hash = ? WHERE seq = ?`,
		string(forged.Detail), forged.Hash, forged.Seq); err != nil {
		t.Fatal(err)
	}
	rep := verify(t, db)
	if rep.OK || rep.BadSeq != 4 || rep.Problem != store.AuditPrevHashMismatch || rep.LastSeq != 3 {
		t.Errorf("VerifyAudit = %+v, want seq 4 with %q after good seq 3", rep, store.AuditPrevHashMismatch)
	}
}
