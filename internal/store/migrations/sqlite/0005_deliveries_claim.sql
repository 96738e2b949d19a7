-- The outbox's claim order. ClaimDeliveries takes a peer's due pending
-- deliveries lowest seq first; 0004's deliveries_pending index serves
-- "due" (peer, next_attempt_at) but not that order, so every claim read and
-- sorted the peer's whole backlog (half a second per claim with 100,000
-- pending on SQLite, holding the write lock). This index is read in seq
-- order and stops after the claim's limit; next_attempt_at in it skips the
-- deliveries waiting for a retry without reading their rows.
-- Keep identical to migrations/postgres/0005_deliveries_claim.sql.

CREATE INDEX deliveries_claim ON deliveries (peer, seq, next_attempt_at) WHERE state = 'pending';
