package federation

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Config is a node's federation configuration: who it is and who its peers
// are. It is read from a JSON file (see docs/federation.md).
type Config struct {
	// PullInterval is how often the node pulls from every peer (default
	// 1 minute). Pushes go out at once; the pull catches what pushes
	// missed.
	PullInterval Duration `json:"pull_interval,omitempty"`
	Peers        []Peer   `json:"peers"`
}

// Peer is another node (or any TAXII 2.1 server) this node shares with.
type Peer struct {
	// Name identifies the peer in this node: in audiences ("peer:<name>"),
	// in the outbox and as the user name it authenticates with.
	Name  string `json:"name"`
	Title string `json:"title,omitempty"`
	// URL is the peer's TAXII API root, e.g.
	// https://csirt.example.be/taxii2/nisnet/.
	URL string `json:"url"`
	// Identity is the STIX identity id of the peer's node; objects it
	// created are never sent back to it. Empty: derived from Name as nisnet
	// nodes derive theirs (stix.DerivedID("identity", "node:"+Name)).
	Identity string `json:"identity,omitempty"`
	// Audiences the peer belongs to: "network", "group:<name>". Every peer
	// is also its own audience "peer:<name>".
	Audiences []string `json:"audiences,omitempty"`
	// Relation is "authority" (default) or "client" (see RelationClient).
	Relation string `json:"relation,omitempty"`
	// PersonalData: the peer is entitled to personal data (e.g. a data
	// protection authority). Otherwise personal data is removed or
	// pseudonymised before it leaves.
	PersonalData bool `json:"personal_data,omitempty"`
	// Outbound credentials this node presents to the peer: HTTP Basic with
	// Username and the secret, or a bearer token when Username is empty.
	// The secret is read from the environment variable SecretEnv (or,
	// for tests and demos only, given inline as Secret).
	Username  string `json:"username,omitempty"`
	SecretEnv string `json:"secret_env,omitempty"`
	Secret    string `json:"secret,omitempty"`
	// InboundSecretSHA256 is the hex SHA-256 of the secret the peer
	// presents to this node (HTTP Basic with user name Name, or as a bearer
	// token). Only the hash is configured.
	InboundSecretSHA256 string `json:"inbound_secret_sha256,omitempty"`
	// PushCollection is the id of the peer's collection this node posts
	// to. Empty: the peer's collection with alias "inbox" that this node can
	// write (nisnet peers have one).
	PushCollection string `json:"push_collection,omitempty"`
	// NoPull: do not pull from this peer (pushes only).
	NoPull bool `json:"no_pull,omitempty"`
}

// Duration is a time.Duration written as "90s", "5m" in JSON.
type Duration time.Duration

// UnmarshalJSON reads a Go duration string.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return errors.New(`want a duration such as "30s" or "5m"`)
	}
	v, err := time.ParseDuration(s)
	if err != nil || v <= 0 {
		return fmt.Errorf("%q: want a positive duration such as \"30s\" or \"5m\"", s)
	}
	*d = Duration(v)
	return nil
}

// MarshalJSON writes the duration as a Go duration string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// maxConfigBytes bounds the configuration file.
const maxConfigBytes = 1 << 20

// LoadConfig reads and checks a configuration file. getenv resolves the
// peers' SecretEnv.
func LoadConfig(path string, getenv func(string) string) (Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("federation config: %w", err)
	}
	if len(b) > maxConfigBytes {
		return Config{}, fmt.Errorf("federation config %s: larger than %d bytes", path, maxConfigBytes)
	}
	c, err := ParseConfig(b, getenv)
	if err != nil {
		return Config{}, fmt.Errorf("federation config %s: %w", path, err)
	}
	return c, nil
}

// ParseConfig parses and checks a configuration document.
func ParseConfig(b []byte, getenv func(string) string) (Config, error) {
	var c Config
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return Config{}, fmt.Errorf("not a valid configuration: %v", strings.TrimPrefix(err.Error(), "json: "))
	}
	for i := range c.Peers {
		p := &c.Peers[i]
		if p.SecretEnv != "" {
			if p.Secret != "" {
				return Config{}, fmt.Errorf("peer %q: give secret or secret_env, not both", p.Name)
			}
			p.Secret = getenv(p.SecretEnv)
			if p.Secret == "" {
				return Config{}, fmt.Errorf("peer %q: environment variable %s (secret_env) is empty", p.Name, p.SecretEnv)
			}
		}
	}
	return c, c.Validate()
}

var nameForm = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,62}$`)

func checkName(s string) error {
	if !nameForm.MatchString(s) {
		return fmt.Errorf("%q: want 1 to 63 of a-z, 0-9, '.', '_' and '-', starting with a letter or digit", s)
	}
	return nil
}

// Validate checks the configuration.
func (c *Config) Validate() error {
	if c.PullInterval == 0 {
		c.PullInterval = Duration(time.Minute)
	}
	if time.Duration(c.PullInterval) < 100*time.Millisecond {
		return errors.New("pull_interval: want at least 100ms")
	}
	seen := map[string]bool{}
	for i := range c.Peers {
		p := &c.Peers[i]
		where := fmt.Sprintf("peers[%d]", i)
		if err := checkName(p.Name); err != nil {
			return fmt.Errorf("%s: name: %w", where, err)
		}
		where = fmt.Sprintf("peer %q", p.Name)
		if seen[p.Name] {
			return fmt.Errorf("%s: named twice", where)
		}
		seen[p.Name] = true
		u, err := url.Parse(p.URL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || !strings.HasSuffix(u.Path, "/") || u.RawQuery != "" {
			return fmt.Errorf("%s: url %q: want the absolute URL of the peer's TAXII API root, ending in /", where, p.URL)
		}
		if p.Relation == "" {
			p.Relation = RelationAuthority
		}
		if p.Relation != RelationAuthority && p.Relation != RelationClient {
			return fmt.Errorf("%s: relation %q: want authority or client", where, p.Relation)
		}
		for _, s := range p.Audiences {
			a, err := ParseAudience(s)
			if err != nil {
				return fmt.Errorf("%s: audiences: %w", where, err)
			}
			if a.Kind != AudienceNetwork && a.Kind != AudienceGroup {
				return fmt.Errorf("%s: audiences: %q: a peer belongs to network and group:<name> audiences", where, s)
			}
		}
		slices.Sort(p.Audiences)
		p.Audiences = slices.Compact(p.Audiences)
		if p.InboundSecretSHA256 != "" {
			if h, err := hex.DecodeString(p.InboundSecretSHA256); err != nil || len(h) != sha256.Size {
				return fmt.Errorf("%s: inbound_secret_sha256: want 64 hex digits (the SHA-256 of the peer's secret)", where)
			}
			p.InboundSecretSHA256 = strings.ToLower(p.InboundSecretSHA256)
		}
		if p.Secret == "" && p.Username != "" {
			return fmt.Errorf("%s: username %q needs a secret (secret_env)", where, p.Username)
		}
	}
	return nil
}

// Groups returns the names of the sharing groups the peers belong to,
// sorted.
func (c Config) Groups() []string {
	var gs []string
	for _, p := range c.Peers {
		for _, s := range p.Audiences {
			if a, _ := ParseAudience(s); a.Kind == AudienceGroup {
				gs = append(gs, a.Ref)
			}
		}
	}
	slices.Sort(gs)
	return slices.Compact(gs)
}

// Peer returns the peer named name.
func (c Config) Peer(name string) (Peer, bool) {
	for _, p := range c.Peers {
		if p.Name == name {
			return p, true
		}
	}
	return Peer{}, false
}

// InAudience reports whether the peer is a recipient of audience a.
func (p Peer) InAudience(a Audience) bool {
	switch a.Kind {
	case AudiencePeer:
		return a.Ref == p.Name
	case AudiencePublic:
		return false // the public collection is pulled, never pushed
	}
	return slices.Contains(p.Audiences, a.String())
}

// Members returns the peers that receive what is shared with audience a by
// push. Nobody is pushed the public collection: anyone may pull it.
func (c Config) Members(a Audience) []Peer {
	var ps []Peer
	for _, p := range c.Peers {
		if p.InAudience(a) {
			ps = append(ps, p)
		}
	}
	return ps
}

// SecretHash is the hex SHA-256 of a peer secret, the form
// inbound_secret_sha256 takes.
func SecretHash(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}
