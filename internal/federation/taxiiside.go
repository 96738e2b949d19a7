package federation

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"

	"github.com/nisnet-eu/nisnet/internal/stix"
	"github.com/nisnet-eu/nisnet/internal/store"
	"github.com/nisnet-eu/nisnet/internal/taxii"
)

// LocalAuth authenticates a local caller of the TAXII server (say, an
// analyst's API token as a bearer token) and returns the name the status
// resources record. ok is false for anyone who may not use TAXII.
type LocalAuth func(r *http.Request) (name string, ok bool)

// Authenticator returns the TAXII authenticator of the node: peers with
// HTTP Basic (user name = the peer's name) or a bearer token, checked
// against the configured SHA-256 of their secret; anything else goes to
// local.
func (s *Service) Authenticator(local LocalAuth) taxii.Authenticator {
	a := &authenticator{s: s, local: local, byHash: map[[32]byte]Peer{}}
	for _, p := range s.o.Config.Peers {
		if h, err := hex.DecodeString(p.InboundSecretSHA256); err == nil && len(h) == 32 {
			a.byHash[[32]byte(h)] = p
		}
	}
	return a
}

type authenticator struct {
	s      *Service
	local  LocalAuth
	byHash map[[32]byte]Peer
}

func (a *authenticator) Authenticate(r *http.Request) (taxii.Caller, bool) {
	user, secret, ok := taxii.BasicOrBearer(r)
	if ok && secret != "" {
		if p, found := a.byHash[sha256.Sum256([]byte(secret))]; found && (user == "" || subtle.ConstantTimeCompare([]byte(user), []byte(p.Name)) == 1) {
			return a.s.caller(p), true
		}
		if user != "" {
			return taxii.Caller{}, false // a Basic user name that is no peer, or the wrong secret
		}
	}
	if a.local == nil {
		return taxii.Caller{}, false
	}
	name, ok := a.local(r)
	if !ok {
		return taxii.Caller{}, false
	}
	return taxii.Caller{Name: name}, true
}

func (s *Service) caller(p Peer) taxii.Caller {
	identity := p.Identity
	if identity == "" {
		identity = NodeIdentityID(p.Name)
	}
	return taxii.Caller{Peer: p.Name, Identity: identity, Name: "peer:" + p.Name}
}

// Policy returns the TAXII access policy of the node: a peer reads the
// collections of the audiences it belongs to and the public one, and
// writes the inbox only; local callers (the authority's analysts) read
// every collection and write none.
func (s *Service) Policy() taxii.Policy { return policy{s} }

type policy struct{ s *Service }

func (p policy) CanRead(c taxii.Caller, col store.Collection) bool {
	if c.Peer == "" {
		return true
	}
	peer, ok := p.s.o.Config.Peer(c.Peer)
	if !ok {
		return false
	}
	switch col.Audience {
	case "inbox":
		return false
	case AudiencePublic:
		return true
	}
	return peer.InAudience(Audience{Kind: col.Audience, Ref: col.AudienceRef})
}

func (p policy) CanWrite(c taxii.Caller, col store.Collection) bool {
	return c.Peer != "" && col.Audience == "inbox"
}

func (p policy) Accept(c taxii.Caller, col store.Collection, o stix.Object) error {
	return p.s.accept(o)
}

// Stored has nothing to do: received objects wait in the inbox for an
// analyst, and are never forwarded without one.
func (p policy) Stored(taxii.Caller, store.Collection, []store.StixObject) {}
