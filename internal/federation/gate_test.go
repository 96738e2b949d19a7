package federation

import (
	"errors"
	"testing"

	"github.com/nisnet-eu/nisnet/internal/vocab"
)

func TestMayShare(t *testing.T) {
	peer := Audience{Kind: AudiencePeer, Ref: "csirt-be"}
	group := Audience{Kind: AudienceGroup, Ref: "benelux"}
	network := Audience{Kind: AudienceNetwork}
	public := Audience{Kind: AudiencePublic}
	for _, c := range []struct {
		rule     string
		l        vocab.TLPLabel
		a        Audience
		received bool
		relation string
		ok       bool
	}{
		{"TLP 2.0 RED: never leaves, not even to one peer", vocab.TLPRed, peer, false, RelationAuthority, false},
		{"TLP 2.0 RED: not to the network", vocab.TLPRed, network, false, "", false},
		{"TLP 2.0 AMBER+STRICT: to the named organisation", vocab.TLPAmberStrict, peer, false, RelationAuthority, true},
		{"TLP 2.0 AMBER+STRICT: not to a group", vocab.TLPAmberStrict, group, false, "", false},
		{"TLP 2.0 AMBER+STRICT: not to the network", vocab.TLPAmberStrict, network, false, "", false},
		{"TLP 2.0 AMBER+STRICT: a recipient does not pass it on, even to a client", vocab.TLPAmberStrict, peer, true, RelationClient, false},
		{"TLP 2.0 AMBER: to the named organisation", vocab.TLPAmber, peer, false, RelationAuthority, true},
		{"TLP 2.0 AMBER: not to the network", vocab.TLPAmber, network, false, "", false},
		{"TLP 2.0 AMBER: a recipient passes it on to its clients", vocab.TLPAmber, peer, true, RelationClient, true},
		{"TLP 2.0 AMBER: a recipient does not pass it on to another authority", vocab.TLPAmber, peer, true, RelationAuthority, false},
		{"TLP 2.0 GREEN: within the community (network)", vocab.TLPGreen, network, false, "", true},
		{"TLP 2.0 GREEN: within the community (group)", vocab.TLPGreen, group, false, "", true},
		{"TLP 2.0 GREEN: re-forwarded within the community", vocab.TLPGreen, network, true, "", true},
		{"TLP 2.0 GREEN: not published", vocab.TLPGreen, public, false, "", false},
		{"TLP 2.0 CLEAR: published", vocab.TLPClear, public, false, "", true},
		{"TLP 2.0 CLEAR: re-published", vocab.TLPClear, public, true, "", true},
		{"unmarked received counts as AMBER: not to the network", "", network, true, "", false},
		{"unmarked received counts as AMBER: to a client", "", peer, true, RelationClient, true},
		{"unmarked own information: refused, nisnet always marks", "", peer, false, RelationAuthority, false},
	} {
		err := MayShare(c.l, c.a, c.received, c.relation)
		if (err == nil) != c.ok {
			t.Errorf("%s: MayShare(%q, %s, received=%v) = %v; want ok=%v", c.rule, c.l, c.a, c.received, err, c.ok)
		}
		if err != nil && !errors.Is(err, ErrForbidden) {
			t.Errorf("%s: error %v does not wrap ErrForbidden", c.rule, err)
		}
	}
}

func TestParseAudience(t *testing.T) {
	for _, s := range []string{"network", "public", "group:benelux", "peer:csirt-be"} {
		a, err := ParseAudience(s)
		if err != nil || a.String() != s {
			t.Errorf("ParseAudience(%q) = %v, %v", s, a, err)
		}
	}
	for _, s := range []string{"", "network:x", "peer:", "group:Bad Name", "everyone", "peer:a/b"} {
		if _, err := ParseAudience(s); err == nil {
			t.Errorf("ParseAudience(%q) accepted it", s)
		}
	}
}
