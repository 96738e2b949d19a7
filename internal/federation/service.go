package federation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/nisnet-eu/nisnet/internal/stix"
	"github.com/nisnet-eu/nisnet/internal/stixmap"
	"github.com/nisnet-eu/nisnet/internal/store"
	"github.com/nisnet-eu/nisnet/internal/vocab"
)

// Errors the API maps to answers.
var (
	// ErrUnknownAudience: the audience names no configured peer or group.
	ErrUnknownAudience = errors.New("unknown audience")
	// ErrNotReceived: no received object has that id.
	ErrNotReceived = errors.New("no such received object")
)

// Options configure a Service.
type Options struct {
	Node   stixmap.Node
	Config Config
	// Validate checks every object received from a peer; nil: stix.Parse.
	Validate func(json.RawMessage) (stix.Object, error)
	Log      *slog.Logger
	Now      func() time.Time
	// Client makes the requests to peers (default: 30 s timeout).
	Client *http.Client
	// PushBatch is the most objects posted in one envelope (default 500).
	PushBatch int
	// PageSize is the limit of one pull request (default 1000).
	PageSize int
	// SyncInterval is how often shared incidents are checked for changes
	// (default 2 s); a change made through the API also wakes the syncer.
	SyncInterval time.Duration
}

// Service is the federation of one node.
type Service struct {
	db          *store.DB
	o           Options
	identity    string // the node's STIX identity id
	pseudonym   []byte
	collections map[string]store.Collection // by audience string; "inbox"
	inbox       store.Collection

	mu       sync.Mutex
	wake     map[string]chan struct{} // per peer
	syncWake chan struct{}
	stats    map[string]*peerStats
}

// peerStats are the in-process figures of one peer for /metrics and the
// peers view, beside what the database holds.
type peerStats struct {
	pushedObjects, pushFailures, pulledObjects, rejectedIn int64
	lastPushError, lastPullError                           string
	lastPush, lastPull                                     time.Time
}

// New prepares the node's federation: it makes the collections of every
// audience (idempotent) and reads the node's pseudonymisation key.
func New(ctx context.Context, db *store.DB, o Options) (*Service, error) {
	if o.Node.Name == "" {
		return nil, errors.New("federation: the node needs a name")
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Client == nil {
		o.Client = &http.Client{Timeout: 30 * time.Second}
	}
	if o.PushBatch <= 0 {
		o.PushBatch = 500
	}
	if o.PageSize <= 0 {
		o.PageSize = 1000
	}
	if o.SyncInterval <= 0 {
		o.SyncInterval = 2 * time.Second
	}
	if o.Validate == nil {
		o.Validate = stix.Parse
	}
	if err := o.Config.Validate(); err != nil {
		return nil, fmt.Errorf("federation: %w", err)
	}
	s := &Service{db: db, o: o, identity: NodeIdentityID(o.Node.Name), collections: map[string]store.Collection{},
		wake: map[string]chan struct{}{}, syncWake: make(chan struct{}, 1), stats: map[string]*peerStats{}}
	for _, p := range o.Config.Peers {
		s.wake[p.Name] = make(chan struct{}, 1)
		s.stats[p.Name] = &peerStats{}
	}
	key, err := db.NodeKey(ctx, "pseudonym", 32)
	if err != nil {
		return nil, fmt.Errorf("federation: %w", err)
	}
	s.pseudonym = key
	want := []store.Collection{
		{Alias: "inbox", Audience: "inbox", Title: "Inbox of " + o.Node.Title,
			Description: "Peers post here what they share with this node."},
		{Alias: "network", Audience: AudienceNetwork, Title: "EU CSIRTs network",
			Description: "What " + o.Node.Title + " shares with the CSIRTs network (NIS2 Art 15)."},
		{Alias: "public", Audience: AudiencePublic, Title: "Public",
			Description: "What " + o.Node.Title + " publishes (TLP:CLEAR)."},
	}
	for _, g := range o.Config.Groups() {
		want = append(want, store.Collection{Alias: "group-" + g, Audience: AudienceGroup, AudienceRef: g,
			Title: "Sharing group " + g, Description: "What " + o.Node.Title + " shares with the group " + g + "."})
	}
	for _, p := range o.Config.Peers {
		title := p.Title
		if title == "" {
			title = p.Name
		}
		want = append(want, store.Collection{Alias: "peer-" + p.Name, Audience: AudiencePeer, AudienceRef: p.Name,
			Title: "For " + title, Description: "What " + o.Node.Title + " shares with " + title + " alone."})
	}
	err = db.Transact(ctx, func(tx *store.Tx) error {
		for _, c := range want {
			got, err := tx.EnsureCollection(ctx, c)
			if err != nil {
				return err
			}
			key := c.Audience
			if c.AudienceRef != "" {
				key += ":" + c.AudienceRef
			}
			s.collections[key] = got
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("federation: collections: %w", err)
	}
	s.inbox = s.collections["inbox"]
	return s, nil
}

// NodeIdentityID is the STIX identity id of the nisnet node named name, the
// same on every node.
func NodeIdentityID(name string) string { return stix.DerivedID("identity", "node:"+name) }

// Identity returns the node's STIX identity id.
func (s *Service) Identity() string { return s.identity }

// Config returns the configuration the service runs with.
func (s *Service) Config() Config { return s.o.Config }

// Inbox returns the collection peers write to.
func (s *Service) Inbox() store.Collection { return s.inbox }

// Audiences returns the audiences this node can share with, in the order a
// user would pick them: the network, groups, single peers, the public.
func (s *Service) Audiences() []Audience {
	as := []Audience{{Kind: AudienceNetwork}}
	for _, g := range s.o.Config.Groups() {
		as = append(as, Audience{Kind: AudienceGroup, Ref: g})
	}
	for _, p := range s.o.Config.Peers {
		as = append(as, Audience{Kind: AudiencePeer, Ref: p.Name})
	}
	return append(as, Audience{Kind: AudiencePublic})
}

// audience parses and resolves an audience string to its collection.
func (s *Service) audience(str string) (Audience, store.Collection, error) {
	a, err := ParseAudience(str)
	if err != nil {
		return Audience{}, store.Collection{}, fmt.Errorf("%w: %v", ErrUnknownAudience, err)
	}
	col, ok := s.collections[a.String()]
	if !ok {
		return Audience{}, store.Collection{}, fmt.Errorf("%w: %s is not configured on this node", ErrUnknownAudience, a)
	}
	return a, col, nil
}

// personalData reports whether every recipient of a is entitled to
// personal data (and there is at least one).
func (s *Service) personalData(a Audience) bool {
	if a.Kind == AudiencePublic {
		return false
	}
	ms := s.o.Config.Members(a)
	for _, p := range ms {
		if !p.PersonalData {
			return false
		}
	}
	return len(ms) > 0
}

// notify wakes the pushers of the given peers.
func (s *Service) notify(peers []string) {
	for _, p := range peers {
		if ch := s.wake[p]; ch != nil {
			select {
			case ch <- struct{}{}:
			default:
			}
		}
	}
}

// Changed tells the service that an incident changed, so that shared
// incidents are synced without waiting for the next interval.
func (s *Service) Changed() {
	select {
	case s.syncWake <- struct{}{}:
	default:
	}
}

func (s *Service) stat(peer string, f func(*peerStats)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st := s.stats[peer]; st != nil {
		f(st)
	}
}

// toRows turns STIX objects into rows of a collection.
func toRows(objs []json.RawMessage, origin string) ([]store.StixObject, error) {
	rows := make([]store.StixObject, 0, len(objs))
	for _, raw := range objs {
		o, err := stix.Parse(raw)
		if err != nil {
			return nil, err
		}
		rows = append(rows, row(o, origin))
	}
	return rows, nil
}

func row(o stix.Object, origin string) store.StixObject {
	tlp, _ := stix.TLPOf(o.ObjectMarkingRefs)
	if o.Type == "marking-definition" {
		tlp = "" // a marking definition is not itself restricted by what it defines
	}
	sv := o.SpecVersion
	if sv == "" {
		sv = stix.SpecVersion
	}
	return store.StixObject{StixID: o.ID, Type: o.Type, SpecVersion: sv, Version: o.Version, VersionAt: o.VersionAt(),
		TLP: string(tlp), Revoked: o.Revoked, Origin: origin, CreatedByRef: o.CreatedByRef, Body: o.Raw}
}

// enqueue adds the new rows of a collection to the outbox of every peer
// that receives them: members of the audience, except the peer the object
// came from and the node that created it, and only where its marking allows.
func (s *Service) enqueue(ctx context.Context, tx *store.Tx, a Audience, added []store.AddResult, at time.Time) ([]string, error) {
	var peers []string
	for _, p := range s.o.Config.Members(a) {
		identity := p.Identity
		if identity == "" {
			identity = NodeIdentityID(p.Name)
		}
		var seqs []int64
		for _, r := range added {
			o := r.Object
			if r.Duplicate || o.Origin == p.Name || o.CreatedByRef == identity {
				continue
			}
			if o.Type != "marking-definition" && MayShare(vocab.TLPLabel(o.TLP), a, o.Origin != "", p.Relation) != nil {
				continue
			}
			seqs = append(seqs, o.Seq)
		}
		if len(seqs) == 0 {
			continue
		}
		if _, err := tx.EnqueueDeliveries(ctx, p.Name, seqs, at); err != nil {
			return nil, err
		}
		peers = append(peers, p.Name)
	}
	return peers, nil
}

// publish stores the objects of an incident snapshot in the audience's
// collection and queues the new versions for its peers.
func (s *Service) publish(ctx context.Context, tx *store.Tx, snap stixmap.Snapshot, a Audience, col store.Collection) ([]string, int, error) {
	objs, err := stixmap.Incident(snap, stixmap.Options{PersonalData: s.personalData(a), PseudonymKey: s.pseudonym})
	if err != nil {
		return nil, 0, err
	}
	rows, err := toRows(objs, "")
	if err != nil {
		return nil, 0, fmt.Errorf("federation: the mapping made an unreadable object: %w", err)
	}
	added, err := tx.AddObjects(ctx, col.ID, rows)
	if err != nil {
		return nil, 0, err
	}
	n := 0
	for _, r := range added {
		if !r.Duplicate {
			n++
		}
	}
	peers, err := s.enqueue(ctx, tx, a, added, s.o.Now())
	return peers, n, err
}

// snapshot reads what is shared of an incident, and the latest change it
// reflects (read first, so that a change made while reading is synced
// again).
func (s *Service) snapshot(ctx context.Context, incidentID string) (stixmap.Snapshot, time.Time, error) {
	changed, err := s.db.IncidentChangedAt(ctx, incidentID)
	if err != nil {
		return stixmap.Snapshot{}, time.Time{}, err
	}
	in, err := s.db.GetIncident(ctx, incidentID)
	if err != nil {
		return stixmap.Snapshot{}, time.Time{}, err
	}
	snap := stixmap.Snapshot{Node: s.o.Node, Incident: in}
	if snap.Organisation, err = s.db.GetOrganisation(ctx, in.OrganisationID); err != nil {
		return snap, changed, err
	}
	if a, err := s.db.GetAssessment(ctx, incidentID); err == nil {
		snap.Assessment = &a
	} else if !errors.Is(err, store.ErrNotFound) {
		return snap, changed, err
	}
	for off := 0; ; off += store.MaxPageSize {
		subs, err := s.db.ListSubmissions(ctx, incidentID, store.Page{Limit: store.MaxPageSize, Offset: off})
		if err != nil {
			return snap, changed, err
		}
		snap.Submissions = append(snap.Submissions, subs...)
		if len(subs) < store.MaxPageSize {
			break
		}
	}
	for off := 0; ; off += store.MaxPageSize {
		evs, err := s.db.ListIncidentEvents(ctx, incidentID, true, store.Page{Limit: store.MaxPageSize, Offset: off})
		if err != nil {
			return snap, changed, err
		}
		for _, e := range evs {
			if e.Kind == store.EventNote {
				snap.Notes = append(snap.Notes, e)
			}
		}
		if len(evs) < store.MaxPageSize {
			break
		}
	}
	inds, err := s.db.ListIndicators(ctx, incidentID)
	if err != nil {
		return snap, changed, err
	}
	for _, i := range inds {
		snap.Indicators = append(snap.Indicators, stixmap.Indicator{ID: i.ID, Name: i.Name, Pattern: i.Pattern,
			PatternType: i.PatternType, ValidFrom: i.ValidFrom, CreatedAt: i.CreatedAt})
	}
	return snap, changed, nil
}

// ShareResult is what Share and Revoke did.
type ShareResult struct {
	Share store.Share
	// Objects is the number of new object versions stored.
	Objects int
	// Peers are the peers the new versions were queued for.
	Peers []string
}

// Share shares an incident with an audience: an explicit act of actor.
// It fails with ErrForbidden when the incident's TLP marking does not allow
// the audience, ErrUnknownAudience for an audience not configured, and
// store.ErrNotFound for an unknown incident. Sharing again what is already
// shared stores only what changed.
func (s *Service) Share(ctx context.Context, actor, incidentID, audience string) (ShareResult, error) {
	a, col, err := s.audience(audience)
	if err != nil {
		return ShareResult{}, err
	}
	snap, changed, err := s.snapshot(ctx, incidentID)
	if err != nil {
		return ShareResult{}, err
	}
	if err := MayShare(vocab.TLPLabel(snap.Incident.TLP), a, false, ""); err != nil {
		return ShareResult{}, err
	}
	var res ShareResult
	err = s.db.Transact(ctx, func(tx *store.Tx) error {
		now := s.o.Now()
		peers, n, err := s.publish(ctx, tx, snap, a, col)
		if err != nil {
			return err
		}
		sh, _, err := tx.PutShare(ctx, store.Share{IncidentID: incidentID, Audience: a.String(), CollectionID: col.ID,
			SharedBy: actor, SharedAt: now, SyncedAt: changed})
		if err != nil {
			return err
		}
		res = ShareResult{Share: sh, Objects: n, Peers: peers}
		return tx.Audit(ctx, store.AuditEvent{Actor: actor, OrganisationID: snap.Incident.OrganisationID, Action: "incident.share",
			ObjectType: "incident", ObjectID: incidentID, Detail: map[string]any{"audience": a.String(), "objects": n, "peers": peers}})
	})
	if err != nil {
		return ShareResult{}, err
	}
	s.notify(res.Peers)
	return res, nil
}

// Revoke ends a share: revoked versions of the incident's objects go to the
// audience like any other version. store.ErrNotFound if the incident is not
// shared with the audience.
func (s *Service) Revoke(ctx context.Context, actor, incidentID, audience string) (ShareResult, error) {
	a, col, err := s.audience(audience)
	if err != nil {
		return ShareResult{}, err
	}
	snap, _, err := s.snapshot(ctx, incidentID)
	if err != nil {
		return ShareResult{}, err
	}
	var res ShareResult
	err = s.db.Transact(ctx, func(tx *store.Tx) error {
		res, err = s.revoke(ctx, tx, actor, snap, a, col)
		return err
	})
	if err != nil {
		return ShareResult{}, err
	}
	s.notify(res.Peers)
	return res, nil
}

func (s *Service) revoke(ctx context.Context, tx *store.Tx, actor string, snap stixmap.Snapshot, a Audience, col store.Collection) (ShareResult, error) {
	now := s.o.Now()
	sh, err := tx.RevokeShare(ctx, snap.Incident.ID, a.String(), actor, now)
	if err != nil {
		return ShareResult{}, err
	}
	snap.Revoked, snap.RevokedAt = true, now
	peers, n, err := s.publish(ctx, tx, snap, a, col)
	if err != nil {
		return ShareResult{}, err
	}
	err = tx.Audit(ctx, store.AuditEvent{Actor: actor, OrganisationID: snap.Incident.OrganisationID, Action: "incident.share.revoke",
		ObjectType: "incident", ObjectID: snap.Incident.ID, Detail: map[string]any{"audience": a.String(), "objects": n}})
	return ShareResult{Share: sh, Objects: n, Peers: peers}, err
}

// Sync brings every shared incident that changed up to date in its
// audiences' collections and returns how many shares it synced. A share
// whose incident's marking no longer allows its audience (say, the
// incident was re-marked TLP:RED) is revoked.
func (s *Service) Sync(ctx context.Context) (int, error) {
	shares, err := s.db.SharesToSync(ctx, 100)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, sh := range shares {
		a, col, err := s.audience(sh.Audience)
		if err != nil {
			s.o.Log.Warn("federation: a share names an audience no longer configured; left as it is",
				"incident", sh.IncidentID, "audience", sh.Audience)
			continue
		}
		snap, changed, err := s.snapshot(ctx, sh.IncidentID)
		if err != nil {
			return n, err
		}
		var peers []string
		err = s.db.Transact(ctx, func(tx *store.Tx) error {
			if gate := MayShare(vocab.TLPLabel(snap.Incident.TLP), a, false, ""); gate != nil {
				// The revocation goes out under the marking the incident was
				// shared with: a TLP:RED version would never leave.
				if last, err := s.db.GetLatestObject(ctx, col.ID, stixmap.IncidentID(s.o.Node, snap.Incident.ID)); err == nil && last.TLP != "" {
					snap.Incident.TLP = last.TLP
				}
				res, err := s.revoke(ctx, tx, "system", snap, a, col)
				peers = res.Peers
				s.o.Log.Info("federation: share revoked, the incident's marking no longer allows it",
					"incident", sh.IncidentID, "audience", sh.Audience, "reason", gate.Error())
				if err != nil {
					return err
				}
				return tx.MarkShareSynced(ctx, sh.IncidentID, sh.Audience, changed)
			}
			var err error
			if peers, _, err = s.publish(ctx, tx, snap, a, col); err != nil {
				return err
			}
			return tx.MarkShareSynced(ctx, sh.IncidentID, sh.Audience, changed)
		})
		if err != nil {
			return n, err
		}
		s.notify(peers)
		n++
	}
	return n, nil
}

// Forward passes a received object on to an audience, an explicit act of
// actor, where its marking allows it (MayShare with received set). It is
// never sent back to the peer it came from.
func (s *Service) Forward(ctx context.Context, actor, stixID, audience string) (ShareResult, error) {
	a, col, err := s.audience(audience)
	if err != nil {
		return ShareResult{}, err
	}
	o, err := s.db.GetLatestObject(ctx, s.inbox.ID, stixID)
	if errors.Is(err, store.ErrNotFound) {
		return ShareResult{}, fmt.Errorf("%w: %s", ErrNotReceived, stixID)
	} else if err != nil {
		return ShareResult{}, err
	}
	relation := ""
	if a.Kind == AudiencePeer {
		p, _ := s.o.Config.Peer(a.Ref)
		relation = p.Relation
		if p.Name == o.Origin {
			return ShareResult{}, fmt.Errorf("%s came from %s: %w: an object never returns to its origin", stixID, o.Origin, ErrForbidden)
		}
	}
	if err := MayShare(vocab.TLPLabel(o.TLP), a, true, relation); err != nil {
		return ShareResult{}, err
	}
	var res ShareResult
	err = s.db.Transact(ctx, func(tx *store.Tx) error {
		parsed, err := stix.Parse(o.Body)
		if err != nil {
			return err
		}
		rows := []store.StixObject{row(parsed, o.Origin)}
		if l, ok := stix.TLPOf(parsed.ObjectMarkingRefs); ok {
			md, _ := stix.Parse(stix.MarkingDefinition(l))
			rows = append(rows, row(md, ""))
		}
		added, err := tx.AddObjects(ctx, col.ID, rows)
		if err != nil {
			return err
		}
		peers, err := s.enqueue(ctx, tx, a, added, s.o.Now())
		if err != nil {
			return err
		}
		res = ShareResult{Share: store.Share{Audience: a.String(), CollectionID: col.ID, SharedBy: actor, SharedAt: s.o.Now()},
			Objects: len(added), Peers: peers}
		return tx.Audit(ctx, store.AuditEvent{Actor: actor, Action: "stix.forward", ObjectType: parsed.Type, ObjectID: stixID,
			Detail: map[string]any{"audience": a.String(), "origin": o.Origin}})
	})
	if err != nil {
		return ShareResult{}, err
	}
	s.notify(res.Peers)
	return res, nil
}

// IncidentDeliveries returns, per recipient peer of the audience, the
// latest delivery of the incident's STIX incident object.
func (s *Service) IncidentDeliveries(ctx context.Context, incidentID, audience string) ([]store.Delivery, error) {
	a, err := ParseAudience(audience)
	if err != nil {
		return nil, nil
	}
	ds, err := s.db.ListDeliveries(ctx, "", "", []string{stixmap.IncidentID(s.o.Node, incidentID)}, 1000)
	if err != nil {
		return nil, err
	}
	var out []store.Delivery
	for _, p := range s.o.Config.Members(a) {
		for _, d := range ds { // newest first
			if d.Peer == p.Name {
				out = append(out, d)
				break
			}
		}
	}
	return out, nil
}
