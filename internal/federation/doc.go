// Package federation connects nisnet nodes over TAXII 2.1 and STIX 2.1
// (NIS2 Art 23(6) and (8); the CSIRTs network of Art 15).
//
// A node has one TAXII collection per audience: the EU CSIRTs network,
// each named sharing group, each single peer and the public, plus an inbox
// that peers write to. Sharing an incident with an audience is an explicit
// act of the authority: the incident is mapped to STIX objects
// (internal/stixmap), checked against its TLP marking (MayShare), stored as
// new object versions in the audience's collection, and queued in a durable
// outbox, one delivery per recipient peer and object version. A pusher per
// peer posts the queue to the peer's inbox and retries with backoff across
// restarts and partitions; a puller per peer fetches what the peer shares
// with this node with added_after checkpoints, so nothing is missed if
// pushes fail. Receivers store each version once (by STIX id and version),
// so delivery is exactly-once in effect.
//
// When a shared incident changes (a new staged report, a classification, a
// note, an indicator) the syncer stores new versions and queues them;
// revoking a share emits revoked versions the same way.
package federation
