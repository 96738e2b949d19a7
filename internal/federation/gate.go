package federation

import (
	"errors"
	"fmt"
	"strings"

	"github.com/nisnet-eu/nisnet/internal/vocab"
)

// Audience kinds. A collection, a share and a peer's membership name one.
const (
	AudiencePeer    = "peer"    // a single peer organisation
	AudienceNetwork = "network" // the EU CSIRTs network
	AudienceGroup   = "group"   // a named sharing group
	AudiencePublic  = "public"  // anyone
)

// Audience is who a share or a collection is for.
type Audience struct {
	Kind string // AudiencePeer, AudienceNetwork, AudienceGroup or AudiencePublic
	Ref  string // the peer's or group's name; "" for network and public
}

// String is the audience as the API and the store write it: "network",
// "public", "group:<name>" or "peer:<name>".
func (a Audience) String() string {
	if a.Ref == "" {
		return a.Kind
	}
	return a.Kind + ":" + a.Ref
}

// ParseAudience parses the String form of an audience.
func ParseAudience(s string) (Audience, error) {
	kind, ref, hasRef := strings.Cut(s, ":")
	switch kind {
	case AudienceNetwork, AudiencePublic:
		if hasRef {
			return Audience{}, fmt.Errorf("audience %q: %s takes no name", s, kind)
		}
		return Audience{Kind: kind}, nil
	case AudiencePeer, AudienceGroup:
		if err := checkName(ref); err != nil {
			return Audience{}, fmt.Errorf("audience %q: %s name: %w", s, kind, err)
		}
		return Audience{Kind: kind, Ref: ref}, nil
	}
	return Audience{}, fmt.Errorf("audience %q: want network, public, group:<name> or peer:<name>", s)
}

// Relation is what a peer is to this node.
const (
	// RelationAuthority: another authority (CSIRT, competent authority,
	// single point of contact); the default.
	RelationAuthority = "authority"
	// RelationClient: an organisation this node serves (its constituency),
	// the "clients" of TLP:AMBER.
	RelationClient = "client"
)

// ErrForbidden is wrapped by every refusal of the gate.
var ErrForbidden = errors.New("forbidden by its TLP marking")

// MayShare decides whether information marked l may go to audience a, per
// FIRST TLP 2.0 (RULES.md §8):
//
//   - TLP:RED never leaves the node ("for the eyes and ears of individual
//     recipients only").
//   - TLP:AMBER+STRICT goes only to the named organisation: a single peer,
//     and is never passed on by a recipient.
//   - TLP:AMBER goes to the named organisation (a single peer); a recipient
//     passes it on only to its own clients.
//   - TLP:GREEN stays within the community: peers, sharing groups and the
//     CSIRTs network, never the public.
//   - TLP:CLEAR goes anywhere.
//
// received says the information came from another node, so this is a
// re-forward; peer is the recipient's relation when a is a single peer.
// Unmarked information received from others counts as TLP:AMBER.
func MayShare(l vocab.TLPLabel, a Audience, received bool, relation string) error {
	if l == "" && received {
		l = vocab.TLPAmber
	}
	deny := func(why string) error { return fmt.Errorf("%s to %s: %w: %s", l, a, ErrForbidden, why) }
	switch l {
	case vocab.TLPRed:
		return deny("TLP:RED is for the individual recipients only and never leaves this node")
	case vocab.TLPAmberStrict:
		if received {
			return deny("TLP:AMBER+STRICT received from another organisation stays within this organisation")
		}
		if a.Kind != AudiencePeer {
			return deny("TLP:AMBER+STRICT goes only to one named organisation (a single peer)")
		}
	case vocab.TLPAmber:
		if a.Kind != AudiencePeer {
			return deny("TLP:AMBER goes only to one named organisation (a single peer)")
		}
		if received && relation != RelationClient {
			return deny("TLP:AMBER received from another organisation is passed on only to this organisation's clients")
		}
	case vocab.TLPGreen:
		if a.Kind == AudiencePublic {
			return deny("TLP:GREEN stays within the community and is never published")
		}
	case vocab.TLPClear:
	default:
		return fmt.Errorf("TLP %q to %s: %w: not a TLP 2.0 label", l, a, ErrForbidden)
	}
	return nil
}
