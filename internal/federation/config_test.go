package federation

import (
	"strings"
	"testing"
	"time"
)

func TestParseConfig(t *testing.T) {
	env := map[string]string{"BE_SECRET": "s3cret"}
	c, err := ParseConfig([]byte(`{"pull_interval":"2s","peers":[
		{"name":"csirt-be","url":"https://be.example/taxii2/nisnet/","audiences":["network","group:benelux","network"],
		 "username":"csirt-nl","secret_env":"BE_SECRET","inbound_secret_sha256":"`+strings.ToUpper(SecretHash("x"))+`"},
		{"name":"dpa-nl","url":"http://127.0.0.1:9/taxii2/nisnet/","relation":"client","personal_data":true}]}`),
		func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if time.Duration(c.PullInterval) != 2*time.Second || c.Peers[0].Secret != "s3cret" || c.Peers[0].InboundSecretSHA256 != SecretHash("x") {
		t.Errorf("parsed %+v", c)
	}
	if got := c.Peers[0].Audiences; len(got) != 2 {
		t.Errorf("audiences %v: want duplicates removed", got)
	}
	if c.Peers[1].Relation != RelationClient || c.Peers[0].Relation != RelationAuthority {
		t.Errorf("relations %q %q", c.Peers[0].Relation, c.Peers[1].Relation)
	}
	if g := c.Groups(); len(g) != 1 || g[0] != "benelux" {
		t.Errorf("Groups = %v", g)
	}
	net := c.Members(Audience{Kind: AudienceNetwork})
	if len(net) != 1 || net[0].Name != "csirt-be" {
		t.Errorf("network members %v", net)
	}
	if m := c.Members(Audience{Kind: AudiencePeer, Ref: "dpa-nl"}); len(m) != 1 {
		t.Errorf("peer:dpa-nl members %v", m)
	}
	if m := c.Members(Audience{Kind: AudiencePublic}); len(m) != 0 {
		t.Errorf("public is pulled, not pushed: members %v", m)
	}
}

func TestParseConfigErrors(t *testing.T) {
	for _, c := range []struct{ doc, want string }{
		{`{"peers":[{"name":"Bad","url":"https://x/"}]}`, "name"},
		{`{"peers":[{"name":"a","url":"https://x/"},{"name":"a","url":"https://y/"}]}`, "named twice"},
		{`{"peers":[{"name":"a","url":"ftp://x/"}]}`, "url"},
		{`{"peers":[{"name":"a","url":"https://x/taxii"}]}`, "ending in /"},
		{`{"peers":[{"name":"a","url":"https://x/","audiences":["public"]}]}`, "audiences"},
		{`{"peers":[{"name":"a","url":"https://x/","relation":"friend"}]}`, "relation"},
		{`{"peers":[{"name":"a","url":"https://x/","inbound_secret_sha256":"abc"}]}`, "64 hex"},
		{`{"peers":[{"name":"a","url":"https://x/","secret_env":"MISSING"}]}`, "MISSING"},
		{`{"peers":[{"name":"a","url":"https://x/","username":"me"}]}`, "needs a secret"},
		{`{"pull_interval":"1ms","peers":[]}`, "pull_interval"},
		{`{"pull_interval":"soon","peers":[]}`, "duration"},
		{`{"peers":[],"extra":1}`, "unknown field"},
	} {
		_, err := ParseConfig([]byte(c.doc), func(string) string { return "" })
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v; want it to mention %q", c.doc, err, c.want)
		}
	}
}
