package pattern

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// specCase is a pattern from the STIX 2.1 specification. err is empty for a
// valid pattern; otherwise it is a substring of the expected message and the
// error offset is that of the first occurrence of at in the pattern.
type specCase struct {
	name    string
	pattern string
	err     string
	at      string
}

// specExamples are the patterns of STIX 2.1 section 9, as written there.
// Fragments that the specification shows outside an observation expression
// (comparison expressions, constants, object paths) are put inside one.
// Schematic examples with placeholders such as [ a ] are kept: they are not
// patterns, and the parser must say why.
var specExamples = []specCase{
	// §9.1 Definitions, the Example column.
	{name: "§9.1 comparison expression", pattern: `[user-account:value = 'Peter']`},
	{name: "§9.1 object path", pattern: `[EXISTS ipv6-addr:value]`},
	{name: "§9.1 observation expression", pattern: `[ipv4-addr:value = '203.0.113.1' OR ipv4-addr:value = '203.0.113.2']`},
	{name: "§9.1 observation expression with observation operator", pattern: `([ipv4-addr:value = '198.51.100.5'] FOLLOWEDBY [ipv4-addr:value = '198.51.100.10'])`},
	{name: "§9.1 observation expression with observation operator and qualifier", pattern: `([ipv4-addr:value = '198.51.100.5' ] AND [ipv4-addr:value = '198.51.100.10']) WITHIN 300 SECONDS`},
	{name: "§9.1 boolean operator", pattern: `[user-account:value = 'Peter' OR user-account:value = 'Mary']`},
	{name: "§9.1 qualifier", pattern: `[file:name = 'foo.dll'] START t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00Z'`},
	{name: "§9.1 observation operator", pattern: `[ipv4-addr:value = '198.51.100.5'] AND [ ipv4-addr:value = '198.51.100.10']`},
	{name: "§9.1 pattern expression", pattern: `[file:size = 25536]`},

	// §9.2 Constants.
	{name: "§9.2 boolean constant true", pattern: `[x-custom:flag = true]`},
	{name: "§9.2 boolean constant false", pattern: `[x-custom:flag != false]`},
	{name: "§9.2 binary constant", pattern: `[artifact:payload_bin = b'ABI=']`},
	{name: "§9.2 hex constant", pattern: `[file:magic_number_hex = h'ffc3']`},
	{name: "§9.2 integer constant", pattern: `[file:size = 123]`},
	{name: "§9.2 negative integer constant", pattern: `[x-custom:delta = -123]`},
	{name: "§9.2 float constant", pattern: `[x-custom:ratio = 123.456]`},
	{name: "§9.2 negative float constant", pattern: `[x-custom:ratio = -123.456]`},
	{name: "§9.2 timestamp constant", pattern: `[file:created = t'2014-01-13T07:03:17Z']`},
	{name: "§9.2 integer with plus sign", pattern: `[file:size = +123]`, err: "without a '+' sign", at: "+"},
	{name: "§9.2 hex with odd number of digits", pattern: `[file:magic_number_hex = h'ffc']`, err: "even number of digits", at: "h'"},

	// §9.3 STIX Patterns.
	{name: "§9.3 comparison expression", pattern: `[ipv4-addr:value = '198.51.100.1/32']`},
	{name: "§9.3 observation expression", pattern: `[ipv4-addr:value = '198.51.100.1/32' OR ipv4-addr:value = '203.0.113.33/32' OR ipv6-addr:value = '2001:0db8:dead:beef:dead:beef:dead:0001/128']`},
	{name: "§9.3 qualifier", pattern: `[ipv4-addr:value = '198.51.100.1/32' OR ipv4-addr:value = '203.0.113.33/32' OR ipv6-addr:value = '2001:0db8:dead:beef:dead:beef:dead:0001/128'] REPEATS 5 TIMES`},
	{name: "§9.3 observation operator", pattern: `([ipv4-addr:value = '198.51.100.1/32' OR ipv4-addr:value = '203.0.113.33/32' OR ipv6-addr:value = '2001:0db8:dead:beef:dead:beef:dead:0001/128'] FOLLOWEDBY [domain-name:value = 'example.com']) WITHIN 600 SECONDS`},

	// §9.5 Observation Expressions.
	{name: "§9.5 single SCO example", pattern: `[ network-traffic:src_ref.value = '203.0.113.10' AND network-traffic:dst_ref.value = '198.51.100.58' ]`},
	{name: "§9.5 different object types joined by OR, as written", pattern: `[(type-a:property-j = 'W' AND type-a:property-k = 'X') OR (type-b:property-m = 'Y' AND type-b:property-n = 'Z')]`,
		err: "property name property-j contains '-' and must be quoted", at: "property-j"},
	{name: "§9.5 different object types joined by OR, names quoted", pattern: `[(type-a:'property-j' = 'W' AND type-a:'property-k' = 'X') OR (type-b:'property-m' = 'Y' AND type-b:'property-n' = 'Z')]`},
	{name: "§9.5 AND before OR, as written", pattern: `[type-a:property-j = 'W' AND type-a:property-k = 'X' OR type-a:property-l = 'Z']`,
		err: "must be quoted", at: "property-j"},
	{name: "§9.5 AND before OR, names quoted", pattern: `[type-a:'property-j' = 'W' AND type-a:'property-k' = 'X' OR type-a:'property-l' = 'Z']`},
	{name: "§9.5 schematic qualifier example", pattern: `([ a ] AND [ b ] REPEATS 5 TIMES) WITHIN 5 MINUTES`,
		err: `expected an object path such as file:name, found "a" without a ':' after it`, at: "a"},
	{name: "§9.5 schematic grouped qualifier example", pattern: `([ a ] AND [ b ]) REPEATS 5 TIMES WITHIN 5 MINUTES`,
		err: "expected an object path", at: "a"},
	{name: "§9.5 qualifier example with real observations", pattern: `([file:name = 'a'] AND [file:name = 'b'] REPEATS 5 TIMES) WITHIN 5 MINUTES`,
		err: `expected SECONDS after WITHIN 5, found "MINUTES" (the only unit is SECONDS)`, at: "MINUTES"},
	{name: "§9.5 qualifier example in seconds", pattern: `([file:name = 'a'] AND [file:name = 'b'] REPEATS 5 TIMES) WITHIN 300 SECONDS`},
	{name: "§9.5 grouped qualifier example in seconds", pattern: `([file:name = 'a'] AND [file:name = 'b']) REPEATS 5 TIMES WITHIN 300 SECONDS`},

	// §9.5.1 Observation Expression Qualifiers.
	{name: "§9.5.1 REPEATS schematic example", pattern: `[ b ] FOLLOWEDBY [ c ] REPEATS 5 TIMES`, err: "expected an object path", at: "b"},
	{name: "§9.5.1 WITHIN example", pattern: `([file:hashes.'SHA-256' = '13987239847...'] AND [windows-registry-key:key = 'hkey']) WITHIN 120 SECONDS`},

	// §9.5.2 Observation Operators.
	{name: "§9.5.2 schematic FOLLOWEDBY example", pattern: `[ a = 'b' ] FOLLOWEDBY [ c = 'd' ] REPEATS 5 TIMES`, err: "expected an object path", at: "a"},
	{name: "§9.5.2 schematic grouped FOLLOWEDBY example", pattern: `([ a = 'b' ] FOLLOWEDBY [ c = 'd' ]) REPEATS 5 TIMES`, err: "expected an object path", at: "a"},

	// §9.6.1 Comparison Operators, the Example column.
	{name: "§9.6.1 =", pattern: `[file:name = 'foo.dll']`},
	{name: "§9.6.1 !=", pattern: `[file:size != 4112]`},
	{name: "§9.6.1 >", pattern: `[file:size > 256]`},
	{name: "§9.6.1 <", pattern: `[file:size < 1024]`},
	{name: "§9.6.1 <=", pattern: `[file:size <= 25145]`},
	{name: "§9.6.1 >=", pattern: `[file:size >= 33312]`},
	{name: "§9.6.1 IN", pattern: `[process:name IN ('proccy', 'proximus', 'badproc')]`},
	{name: "§9.6.1 LIKE", pattern: `[directory:path LIKE 'C:\\Windows\\%\\foo']`},
	{name: "§9.6.1 MATCHES", pattern: `[directory:path MATCHES '^C:\\\\Windows\\\\w+$']`},
	{name: "§9.6.1 ISSUBSET", pattern: `[ipv4-addr:value ISSUBSET '198.51.100.0/24']`},
	{name: "§9.6.1 ISSUPERSET", pattern: `[ipv4-addr:value ISSUPERSET '198.51.100.0/24']`},
	{name: "§9.6.1 EXISTS", pattern: `[EXISTS windows-registry-key:values]`},
	{name: "§9.6.1 NOT modifier", pattern: `[file:name NOT = 'foo.dll']`},

	// §9.6.4 Native Format Comparison.
	{name: "§9.6.4 base64 text as a string", pattern: `[artifact:payload_bin = 'dGhpcyBpcyBhIHRlc3Q=']`},
	{name: "§9.6.4 string", pattern: `[artifact:payload_bin = 'this is a test']`},
	{name: "§9.6.4 binary", pattern: `[artifact:payload_bin = b'dGhpcyBpcyBhIHRlc3Q=']`},
	{name: "§9.6.4 hex", pattern: `[artifact:payload_bin = h'7468697320697320612074657374']`},

	// §9.7 Object Path Syntax.
	{name: "§9.7.1 basic object property", pattern: `[EXISTS file:size]`},
	{name: "§9.7.2 list property with [*]", pattern: `[EXISTS file:extensions.'windows-pebinary-ext'.sections[*].entropy]`},
	{name: "§9.7.2 list property with index", pattern: `[EXISTS network-traffic:protocols[0]]`},
	{name: "§9.7.3 dictionary property", pattern: `[EXISTS file:hashes.ssdeep]`},
	{name: "§9.7.3 dictionary property with quoted key", pattern: `[EXISTS file:extensions.'raster-image-ext'.image_height]`},
	{name: "§9.7.4 object reference property", pattern: `[EXISTS email-message:from_ref.value]`},
	{name: "§9.7.4 list of object references", pattern: `[EXISTS directory:contains_refs[*].name]`},
	{name: "§9.7 hyphenated name not quoted", pattern: `[EXISTS file:extensions.windows-pebinary-ext.sections[*].entropy]`,
		err: "must be quoted: 'windows-pebinary-ext'", at: "windows-pebinary-ext"},

	// §9.8 Examples.
	{name: "§9.8 File with a SHA-256 hash", pattern: `[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']`},
	{name: "§9.8 Email Message From address and attachment name by regular expression", pattern: `[email-message:from_ref.value MATCHES '.+\\@example\\.com$' AND email-message:body_multipart[*].body_raw_ref.name MATCHES '^Final Report.+\\.exe$']`},
	{name: "§9.8 File with a SHA-256 hash and a PDF MIME type", pattern: `[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f' AND file:mime_type = 'application/x-pdf']`},
	{name: "§9.8 File with SHA-256 or MD5 hash and a different File", pattern: "[file:hashes.'SHA-256' = 'bf07a7fbb825fc0aae7bf4a1177b2b31fcf8a3feeaf7092761e18c859ee52a9c' OR file:hashes.MD5 = 'cead3f77f6cda6ec00f57d76c9a6879f']\nAND [file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']"},
	{name: "§9.8 File MD5 followed by a Registry Key within 5 minutes", pattern: `([file:hashes.MD5 = '79054025255fb1a26e4bc422aef54eb4'] FOLLOWEDBY [windows-registry-key:key = 'HKEY_LOCAL_MACHINE\\foo\\bar']) WITHIN 300 SECONDS`},
	{name: "§9.8 three Unix User Accounts", pattern: `[user-account:account_type = 'unix' AND user-account:user_id = '1007' AND user-account:account_login = 'Peter'] AND [user-account:account_type = 'unix' AND user-account:user_id = '1008' AND user-account:account_login = 'Paul'] AND [user-account:account_type = 'unix' AND user-account:user_id = '1009' AND user-account:account_login = 'Mary']`},
	{name: "§9.8 Artifact PCAP payload header", pattern: `[artifact:mime_type = 'application/vnd.tcpdump.pcap' AND artifact:payload_bin MATCHES '\\xd4\\xc3\\xb2\\xa1\\x02\\x00\\x04\\x00']`},
	{name: "§9.8 File with a Windows file path", pattern: `[file:name = 'foo.dll' AND file:parent_directory_ref.path = 'C:\\Windows\\System32']`},
	{name: "§9.8 Windows PE File with high section entropy", pattern: `[file:extensions.'windows-pebinary-ext'.sections[*].entropy > 7.0]`},
	{name: "§9.8 File magic number and MIME type mismatch", pattern: `[file:mime_type = 'image/bmp' AND file:magic_number_hex = h'ffd8']`},
	{name: "§9.8 Network Traffic with a destination", pattern: `[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '203.0.113.33/32']`},
	{name: "§9.8 Malware beaconing to a Domain Name", pattern: `[network-traffic:dst_ref.type = 'domain-name' AND network-traffic:dst_ref.value = 'example.com'] REPEATS 5 TIMES WITHIN 1800 SECONDS`},
	{name: "§9.8 Domain Name with IPv4 resolution", pattern: `[domain-name:value = 'www.5z8.info' AND domain-name:resolves_to_refs[*].value = '198.51.100.1/32']`},
	{name: "§9.8 URL", pattern: `[url:value = 'http://example.com/foo' OR url:value = 'http://example.com/bar']`},
	{name: "§9.8 X509 Certificate", pattern: `[x509-certificate:issuer = 'CN=WEBMAIL' AND x509-certificate:serial_number = '4c:0b:1d:19:74:86:a7:66:b4:1a:bf:40:27:21:76:28']`},
	{name: "§9.8 Windows Registry Key", pattern: `[windows-registry-key:key = 'HKEY_CURRENT_USER\\Software\\CryptoLocker\\Files' OR windows-registry-key:key = 'HKEY_CURRENT_USER\\Software\\Microsoft\\CurrentVersion\\Run\\CryptoLocker_0388']`},
	{name: "§9.8 File with a set of properties", pattern: `[(file:name = 'pdf.exe' OR file:size = 371712) AND file:created = t'2014-01-13T07:03:17Z']`},
	{name: "§9.8 Email Message sender and subject", pattern: `[email-message:sender_ref.value = 'jdoe@example.com' AND email-message:subject = 'Conference Info']`},
	{name: "§9.8 Custom USB Device", pattern: `[x-usb-device:usbdrive.serial_number = '575833314133343231313937']`},
	{name: "§9.8 two Processes with command lines within a time window", pattern: `[process:command_line MATCHES '^.+>-add GlobalSign.cer -c -s -r localMachine Root$'] FOLLOWEDBY [process:command_line MATCHES'^.+>-add GlobalSign.cer -c -s -r localMachineTrustedPublisher$'] WITHIN 300 SECONDS`},
	{name: "§9.8 Network Traffic IP in a Subnet", pattern: `[network-traffic:dst_ref.value ISSUBSET '2001:0db8:dead:beef:0000:0000:0000:0000/64']`},
	{name: "§9.8 combinations of Malware Artifacts", pattern: `([file:name = 'foo.dll'] AND [windows-registry-key:key = 'HKEY_LOCAL_MACHINE\\foo\\bar']) OR [process:image_ref.name = 'fooproc' OR process:image_ref.name = 'procfoo']`},
}

// checkValid parses s, fails the test on error, and checks the round trip:
// String parses back to an equal tree and is a fixed point.
func checkValid(t *testing.T, s string) *Pattern {
	t.Helper()
	p, err := Parse(s)
	if err != nil {
		t.Fatalf("Parse(%q): %v", clip(s), err)
	}
	checkRoundTrip(t, p)
	return p
}

func checkRoundTrip(t *testing.T, p *Pattern) {
	t.Helper()
	out := p.String()
	q, err := Parse(out)
	if err != nil {
		t.Fatalf("canonical form %q does not parse: %v", out, err)
	}
	if !reflect.DeepEqual(p, q) {
		t.Fatalf("canonical form %q parses to a different tree:\n got %s\nwant %s", out, tree(q), tree(p))
	}
	if again := q.String(); again != out {
		t.Fatalf("String is not a fixed point:\n%s\n%s", out, again)
	}
}

// clip shortens a long pattern for a test message.
func clip(s string) string {
	if len(s) > 200 {
		return s[:100] + " … " + s[len(s)-100:]
	}
	return s
}

// checkError parses s and checks for a *SyntaxError at offset whose message
// contains msg.
func checkError(t *testing.T, s, msg string, offset int) {
	t.Helper()
	p, err := Parse(s)
	s = clip(s)
	if err == nil {
		t.Fatalf("Parse(%q) = %s, want an error containing %q", s, p, msg)
	}
	var se *SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("Parse(%q) error %v is %T, not *SyntaxError", s, err, err)
	}
	if !strings.Contains(se.Msg, msg) {
		t.Errorf("Parse(%q) error %q does not contain %q", s, se.Msg, msg)
	}
	if se.Offset != offset {
		t.Errorf("Parse(%q) error at offset %d, want %d: %v", s, se.Offset, offset, err)
	}
	if want := fmt.Sprintf("stix pattern: offset %d: %s", se.Offset, se.Msg); err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}
}

func TestSpecExamples(t *testing.T) {
	for _, tc := range specExamples {
		t.Run(tc.name, func(t *testing.T) {
			if tc.err == "" {
				checkValid(t, tc.pattern)
				return
			}
			at := strings.Index(tc.pattern, tc.at)
			if at < 0 {
				t.Fatalf("bad test: %q not in pattern", tc.at)
			}
			checkError(t, tc.pattern, tc.err, at)
		})
	}
}

// tree renders an observation expression fully parenthesised, in prefix
// form, to check the shape of a tree.
func tree(p *Pattern) string {
	var b strings.Builder
	var obs func(ObservationExpr)
	var cmp func(ComparisonExpr)
	obs = func(e ObservationExpr) {
		switch e := e.(type) {
		case *Observation:
			b.WriteString("[")
			cmp(e.Expr)
			b.WriteString("]")
		case *CompoundObservation:
			b.WriteString("(" + e.Op.String())
			for _, o := range e.Operands {
				b.WriteString(" ")
				obs(o)
			}
			b.WriteString(")")
		case *QualifiedObservation:
			b.WriteString("(Q ")
			obs(e.Expr)
			for _, q := range e.Qualifiers {
				b.WriteString(" " + q.String())
			}
			b.WriteString(")")
		}
	}
	cmp = func(e ComparisonExpr) {
		switch e := e.(type) {
		case *BooleanExpr:
			b.WriteString("(" + e.Op.String())
			for _, o := range e.Operands {
				b.WriteString(" ")
				cmp(o)
			}
			b.WriteString(")")
		case *Comparison:
			b.WriteString(e.Path.Steps[len(e.Path.Steps)-1].Name)
		}
	}
	obs(p.Expr)
	return b.String()
}

// TestPrecedence checks the shape of trees against section 9.5.3: AND binds
// tighter than OR, OR tighter than FOLLOWEDBY, chains associate left to
// right, and a qualifier applies to the observation expression just before
// it (section 9.5.2).
func TestPrecedence(t *testing.T) {
	tests := []struct {
		name, pattern, want string
	}{
		{"§9.5 AND before OR in a comparison expression",
			`[x-t:j = 'W' AND x-t:k = 'X' OR x-t:l = 'Z']`, `[(OR (AND j k) l)]`},
		{"§9.5 OR after AND in a comparison expression",
			`[x-t:j = 'W' OR x-t:k = 'X' AND x-t:l = 'Z']`, `[(OR j (AND k l))]`},
		{"§9.5.3 parentheses override precedence in a comparison expression",
			`[(x-t:j = 'W' OR x-t:k = 'X') AND x-t:l = 'Z']`, `[(AND (OR j k) l)]`},
		{"§9.5.3 comparison chain is one node",
			`[x-t:a = 1 AND x-t:b = 2 AND x-t:c = 3]`, `[(AND a b c)]`},
		{"§9.5.3 observation AND before OR",
			`[x-t:a = 1] OR [x-t:b = 2] AND [x-t:c = 3]`, `(OR [a] (AND [b] [c]))`},
		{"§9.5.3 observation OR before FOLLOWEDBY",
			`[x-t:a = 1] AND [x-t:b = 2] FOLLOWEDBY [x-t:c = 3] OR [x-t:d = 4]`, `(FOLLOWEDBY (AND [a] [b]) (OR [c] [d]))`},
		{"§9.5.3 FOLLOWEDBY chain is one node",
			`[x-t:a = 1] FOLLOWEDBY [x-t:b = 2] FOLLOWEDBY [x-t:c = 3]`, `(FOLLOWEDBY [a] [b] [c])`},
		{"§9.5.3 parentheses keep a nested chain",
			`([x-t:a = 1] FOLLOWEDBY [x-t:b = 2]) FOLLOWEDBY [x-t:c = 3]`, `(FOLLOWEDBY (FOLLOWEDBY [a] [b]) [c])`},
		{"§9.5.2 qualifier applies to the last observation",
			`[x-t:a = 'b'] FOLLOWEDBY [x-t:c = 'd'] REPEATS 5 TIMES`, `(FOLLOWEDBY [a] (Q [c] REPEATS 5 TIMES))`},
		{"§9.5.2 qualifier after parentheses applies to the group",
			`([x-t:a = 'b'] FOLLOWEDBY [x-t:c = 'd']) REPEATS 5 TIMES`, `(Q (FOLLOWEDBY [a] [c]) REPEATS 5 TIMES)`},
		{"§9.5 qualifier inside and outside a group",
			`([x-t:a = 1] AND [x-t:b = 2] REPEATS 5 TIMES) WITHIN 300 SECONDS`, `(Q (AND [a] (Q [b] REPEATS 5 TIMES)) WITHIN 300 SECONDS)`},
		{"§9.5 several qualifiers on one observation",
			`([x-t:a = 1] AND [x-t:b = 2]) REPEATS 5 TIMES WITHIN 300 SECONDS`, `(Q (AND [a] [b]) REPEATS 5 TIMES WITHIN 300 SECONDS)`},
		{"§9.5.1 qualifiers of one kind on nested expressions",
			`([x-t:a = 1] WITHIN 5 SECONDS) WITHIN 6 SECONDS`, `(Q (Q [a] WITHIN 5 SECONDS) WITHIN 6 SECONDS)`},
		{"§9.8 qualifier on a FOLLOWEDBY without parentheses",
			`[process:a MATCHES 'x'] FOLLOWEDBY [process:b MATCHES 'y'] WITHIN 300 SECONDS`, `(FOLLOWEDBY [a] (Q [b] WITHIN 300 SECONDS))`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := checkValid(t, tc.pattern)
			if got := tree(p); got != tc.want {
				t.Errorf("tree(%q) = %s, want %s", tc.pattern, got, tc.want)
			}
		})
	}

	// §9.5.2: "[ a = 'b' ] FOLLOWEDBY [ c = 'd' ] REPEATS 5 TIMES ... is
	// equivalent to [ a = 'b' ] FOLLOWEDBY ( [ c = 'd' ] REPEATS 5 TIMES)".
	a := checkValid(t, `[x-t:a = 'b'] FOLLOWEDBY [x-t:c = 'd'] REPEATS 5 TIMES`)
	b := checkValid(t, `[x-t:a = 'b'] FOLLOWEDBY ( [x-t:c = 'd'] REPEATS 5 TIMES)`)
	if !reflect.DeepEqual(a, b) {
		t.Errorf("§9.5.2 equivalence: %s and %s differ", tree(a), tree(b))
	}
}

// TestAST checks a complete tree.
func TestAST(t *testing.T) {
	p := checkValid(t, `([file:extensions.'windows-pebinary-ext'.sections[*].entropy > 7.0 AND file:name NOT IN ('a', 'b')] OR [EXISTS x-usb-device:ids[2]]) START t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00.5Z'`)
	want := &Pattern{Expr: &QualifiedObservation{
		Expr: &CompoundObservation{Op: ObsOr, Operands: []ObservationExpr{
			&Observation{Expr: &BooleanExpr{Op: BoolAnd, Operands: []ComparisonExpr{
				&Comparison{
					Path: ObjectPath{ObjectType: "file", Steps: []PathStep{
						{Kind: StepProperty, Name: "extensions"},
						{Kind: StepProperty, Name: "windows-pebinary-ext"},
						{Kind: StepProperty, Name: "sections"},
						{Kind: StepAnyIndex},
						{Kind: StepProperty, Name: "entropy"},
					}},
					Op:    OpGreater,
					Value: FloatConst(7),
				},
				&Comparison{
					Path:    ObjectPath{ObjectType: "file", Steps: []PathStep{{Kind: StepProperty, Name: "name"}}},
					Negated: true,
					Op:      OpIn,
					Value:   SetConst{StringConst("a"), StringConst("b")},
				},
			}}},
			&Observation{Expr: &Comparison{
				Path: ObjectPath{ObjectType: "x-usb-device", Steps: []PathStep{
					{Kind: StepProperty, Name: "ids"},
					{Kind: StepIndex, Index: 2},
				}},
				Op: OpExists,
			}},
		}},
		Qualifiers: []Qualifier{StartStop{Start: "2016-06-01T00:00:00Z", Stop: "2016-07-01T00:00:00.5Z"}},
	}}
	if !reflect.DeepEqual(p, want) {
		t.Errorf("got  %#v\nwant %#v", p.Expr, want.Expr)
	}
	if got, want := p.ObjectTypes(), []string{"file", "x-usb-device"}; !slices.Equal(got, want) {
		t.Errorf("ObjectTypes() = %q, want %q", got, want)
	}
	var n int
	for range p.Comparisons() {
		n++
	}
	if n != 3 {
		t.Errorf("Comparisons yielded %d comparisons, want 3", n)
	}
	for c := range p.Comparisons() {
		if c.Op != OpGreater {
			t.Errorf("first comparison is %s", c)
		}
		break // stopping early must not panic
	}
}

// TestConstants checks the decoded value of each kind of constant (§9.2).
func TestConstants(t *testing.T) {
	tests := []struct {
		name    string
		literal string
		want    Constant
	}{
		{"§9.2 string", `'foo.dll'`, StringConst("foo.dll")},
		{"§9.2 empty string", `''`, StringConst("")},
		{"§9.2 string escapes \\' and \\\\", `'it\'s C:\\dir'`, StringConst(`it's C:\dir`)},
		{"§9.2 string with Unicode and a line feed", "'日本\n語'", StringConst("日本\n語")},
		{"§9.2 string with a double quote", `'say "hi"'`, StringConst(`say "hi"`)},
		{"§9.2 integer", `123`, IntConst(123)},
		{"§9.2 zero", `0`, IntConst(0)},
		{"§9.2 negative integer", `-123`, IntConst(-123)},
		{"§2.10 largest integer", `9007199254740991`, IntConst(1<<53 - 1)},
		{"§2.10 smallest integer", `-9007199254740991`, IntConst(-(1<<53 - 1))},
		{"§9.2 float", `123.456`, FloatConst(123.456)},
		{"§9.2 negative float", `-0.5`, FloatConst(-0.5)},
		{"§9.2 float with leading zero", `0.25`, FloatConst(0.25)},
		{"§9.2 true", `true`, BoolConst(true)},
		{"§9.2 false", `false`, BoolConst(false)},
		{"§9.2 hex", `h'ffc3'`, HexConst{0xff, 0xc3}},
		{"§9.2 empty hex", `h''`, HexConst{}},
		{"§9.2 binary", `b'ABI='`, BinaryConst{0x00, 0x12}},
		{"§9.2 binary with line feeds", "b'dGhpcyBp\ncyBhIHRl\r\nc3Q='", BinaryConst("this is a test")},
		{"§9.2 timestamp", `t'2014-01-13T07:03:17Z'`, TimestampConst("2014-01-13T07:03:17Z")},
		{"§2.16 timestamp with sub-seconds", `t'2016-01-20T12:31:12.123456789012Z'`, TimestampConst("2016-01-20T12:31:12.123456789012Z")},
		{"§2.16 timestamp on 29 February of a leap year", `t'2016-02-29T00:00:00Z'`, TimestampConst("2016-02-29T00:00:00Z")},
		{"§2.16 timestamp with a leap second", `t'2016-12-31T23:59:60Z'`, TimestampConst("2016-12-31T23:59:60Z")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := checkValid(t, "[x-custom:value = "+tc.literal+"]")
			c := p.Expr.(*Observation).Expr.(*Comparison)
			if !reflect.DeepEqual(c.Value, tc.want) {
				t.Errorf("value of %s = %#v, want %#v", tc.literal, c.Value, tc.want)
			}
		})
	}

	// §9.6.4: the binary and hex forms of the example denote the same octets.
	b := checkValid(t, `[artifact:payload_bin = b'dGhpcyBpcyBhIHRlc3Q=']`).Expr.(*Observation).Expr.(*Comparison).Value
	h := checkValid(t, `[artifact:payload_bin = h'7468697320697320612074657374']`).Expr.(*Observation).Expr.(*Comparison).Value
	if string(b.(BinaryConst)) != "this is a test" || string(h.(HexConst)) != "this is a test" {
		t.Errorf("§9.6.4 octets: binary %q, hex %q", b, h)
	}
}

func TestTimestampTime(t *testing.T) {
	tests := []struct {
		ts   TimestampConst
		want time.Time
	}{
		{"2014-01-13T07:03:17Z", time.Date(2014, 1, 13, 7, 3, 17, 0, time.UTC)},
		{"2016-01-20T12:31:12.123Z", time.Date(2016, 1, 20, 12, 31, 12, 123e6, time.UTC)},
		{"2016-01-20T12:31:12.1234567891Z", time.Date(2016, 1, 20, 12, 31, 12, 123456789, time.UTC)},
		{"2016-12-31T23:59:60Z", time.Date(2017, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"not a timestamp", time.Time{}},
	}
	for _, tc := range tests {
		if got := tc.ts.Time(); !got.Equal(tc.want) {
			t.Errorf("%s.Time() = %v, want %v", tc.ts, got, tc.want)
		}
	}
}

// TestCanonicalString checks the canonical form String renders.
func TestCanonicalString(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"§9.4 whitespace is normalised", "(  [ file:name='a' ]\n\t)", `[file:name = 'a']`},
		{"§9.4 Unicode whitespace", "[file:name\u00a0=\u2003'a']\u3000", `[file:name = 'a']`},
		{"§9.7 quotes only where needed", `[file:hashes.'MD5' = 'x' AND file:'name' = 'y' AND file:hashes.'SHA-256' = 'z']`,
			`[file:hashes.MD5 = 'x' AND file:name = 'y' AND file:hashes.'SHA-256' = 'z']`},
		{"§9.7 quoted names with escapes", `[x-custom:map.'it\'s\\' = 1]`, `[x-custom:map.'it\'s\\' = 1]`},
		{"§9.7 keyword-like and one-letter names", `[x-custom:AND.t.b.h.IN = 1]`, `[x-custom:AND.t.b.h.IN = 1]`},
		{"§9.2 string escapes", `[file:name = 'it\'s \\ ok']`, `[file:name = 'it\'s \\ ok']`},
		{"§9.2 floats keep a fraction", `[x-custom:v = 7.0 OR x-custom:v = 7.50 OR x-custom:v = -0.0]`, `[x-custom:v = 7.0 OR x-custom:v = 7.5 OR x-custom:v = 0.0]`},
		{"§9.2 binary is re-encoded", "[artifact:payload_bin = b'AB\nI=']", `[artifact:payload_bin = b'ABI=']`},
		{"§9.2 sets", `[file:name NOT IN ('a','b' ,'c')]`, `[file:name NOT IN ('a', 'b', 'c')]`},
		{"§9.2 empty set", `[file:name IN ( )]`, `[file:name IN ()]`},
		{"§9.6.1 no space before a constant", `[process:command_line MATCHES'^x$']`, `[process:command_line MATCHES '^x$']`},
		{"§9.6.1 NOT EXISTS", `[NOT EXISTS file:name]`, `[NOT EXISTS file:name]`},
		{"§9.5.1 WITHIN in seconds", `[file:name = 'a'] WITHIN 300.0 SECONDS`, `[file:name = 'a'] WITHIN 300 SECONDS`},
		{"§9.5.1 WITHIN with a fraction", `[file:name = 'a'] WITHIN 1.50 SECONDS`, `[file:name = 'a'] WITHIN 1.5 SECONDS`},
		{"§9.5.3 redundant parentheses dropped", `(([file:name = 'a']) OR ([file:name = 'b'] AND [file:name = 'c']))`,
			`[file:name = 'a'] OR [file:name = 'b'] AND [file:name = 'c']`},
		{"§9.5.3 needed parentheses kept", `([file:name = 'a'] OR [file:name = 'b']) AND [file:name = 'c']`,
			`([file:name = 'a'] OR [file:name = 'b']) AND [file:name = 'c']`},
		{"§9.5.3 nested chain of one operator kept", `[file:name = 'a'] AND ([file:name = 'b'] AND [file:name = 'c'])`,
			`[file:name = 'a'] AND ([file:name = 'b'] AND [file:name = 'c'])`},
		{"§9.6 comparison parentheses", `[((file:name = 'a')) OR (file:size = 1 AND file:size = 2)]`,
			`[file:name = 'a' OR file:size = 1 AND file:size = 2]`},
		{"§9.6 needed comparison parentheses kept", `[(file:name = 'a' OR file:size = 1) AND file:size = 2]`,
			`[(file:name = 'a' OR file:size = 1) AND file:size = 2]`},
		{"§9.5.1 qualifier on a single parenthesised observation", `([file:name = 'a']) REPEATS 2 TIMES`, `[file:name = 'a'] REPEATS 2 TIMES`},
		{"§9.5.1 qualifier on a qualified group", `([file:name = 'a'] WITHIN 5 SECONDS) REPEATS 2 TIMES`, `([file:name = 'a'] WITHIN 5 SECONDS) REPEATS 2 TIMES`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := checkValid(t, tc.in)
			if got := p.String(); got != tc.want {
				t.Errorf("String() = %s\n          want %s", got, tc.want)
			}
		})
	}
}

// TestErrors checks the offset and message of errors.
func TestErrors(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
		offset  int
		msg     string
	}{
		// Structure.
		{"§9.4 empty pattern", ``, 0, "empty pattern: a pattern needs at least one observation expression"},
		{"§9.4 blank pattern", " \n\t", 3, "empty pattern"},
		{"§9.5 empty observation expression", `[]`, 1, "empty observation expression"},
		{"§9.5 comparison outside brackets", `file:name = 'a'`, 0, `expected '[' or '(' to start an observation expression, found "file" (comparison expressions go inside square brackets)`},
		{"§9.5 unclosed bracket", `[file:name = 'x'`, 16, "expected AND, OR or ']' after comparison expression, found end of pattern"},
		{"§9.5 unclosed parenthesis", `([file:name = 'x']`, 18, "expected AND, OR, FOLLOWEDBY, WITHIN, REPEATS, START or ')', found end of pattern"},
		{"§9.5 unmatched parenthesis", `[file:name = 'x'])`, 17, "expected AND, OR, FOLLOWEDBY, WITHIN, REPEATS, START or end of pattern, found ')'"},
		{"§9.5.2 missing observation operator", `[file:name = 'x'] [file:name = 'y']`, 18, "found '['"},
		{"§9.5.2 dangling operator", `[file:name = 'x'] AND`, 21, "expected '[' or '(' to start an observation expression, found end of pattern"},
		{"§9.5.2 lower-case operator", `[file:name = 'x'] and [file:name = 'y']`, 18, `found "and" (keywords are upper case: AND)`},
		{"§9.6 dangling boolean operator", `[file:name = 'x' OR]`, 19, "expected a comparison expression"},
		{"§9.6 FOLLOWEDBY inside brackets", `[file:name = 'x' FOLLOWEDBY file:name = 'y']`, 17, `expected AND, OR or ']' after comparison expression, found "FOLLOWEDBY"`},
		{"§9.6 unclosed comparison parenthesis", `[(file:name = 'x']`, 17, "expected AND, OR or ')' after comparison expression, found ']'"},

		// Comparisons and operators.
		{"§9.6.1 missing operator", `[file:name 'x']`, 11, "expected a comparison operator (=, !=, <, <=, >, >=, IN, LIKE, MATCHES, ISSUBSET or ISSUPERSET) after object path file:name, found string 'x'"},
		{"§9.6.1 missing operator after NOT", `[file:name NOT 'x']`, 15, "after NOT, found string 'x'"},
		{"§9.6.1 lone !", `[file:name ! 'x']`, 11, "unexpected character '!': did you mean '!='?"},
		{"§9.6.1 NOT before the path", `[NOT file:name = 'x']`, 1, "NOT goes between the object path and the operator"},
		{"§9.6.1 EXISTS after the path", `[file:name EXISTS]`, 11, "EXISTS goes before the object path, as in EXISTS file:name"},
		{"§9.6.1 EXISTS without a path", `[EXISTS 'x']`, 8, "expected an object path such as file:name after EXISTS, found string 'x'"},
		{"§9.6.1 missing constant", `[file:name = ]`, 13, "expected a constant (a string, number, true, false, t'…', h'…' or b'…') after =, found ']'"},
		{"§9.6.1 path as a constant", `[file:name = file:size]`, 13, `expected a constant`},
		{"§9.6.1 upper-case boolean", `[file:x = TRUE]`, 10, `found "TRUE" (booleans are written true and false)`},
		{"§9.6.1 ordering a boolean", `[file:x > true]`, 10, "> needs an orderable constant (a number, string, timestamp, hex or binary), found boolean true"},
		{"§9.6.1 LIKE with a number", `[file:name LIKE 5]`, 16, "LIKE needs a string constant, found number 5"},
		{"§9.6.1 MATCHES with hex", `[file:name MATCHES h'00']`, 19, "MATCHES needs a string constant, found hex h'00'"},
		{"§9.6.1 IN without a set", `[file:name IN 'x']`, 14, "expected a set of constants in parentheses after IN, such as ('a', 'b'), found string 'x'"},
		{"§9.6.1 set without IN", `[file:name = ('a')]`, 13, "= takes a single constant, not a set: only IN takes a set"},
		{"§9.6.1 set of mixed types", `[file:name IN ('a', 1)]`, 20, "set members must all be of one data type: found number 1 after string 'a'"},
		{"§9.6.1 nested set", `[file:name IN (('a'))]`, 15, "sets cannot be nested"},
		{"§9.6.1 unclosed set", `[file:name IN ('a' 'b')]`, 19, "expected ',' or ')' in the set after IN, found string 'b'"},
		{"§9.6.1 ISSUBSET with a host name", `[ipv4-addr:value ISSUBSET 'example.com']`, 26, "ISSUBSET needs an IP address or CIDR such as '198.51.100.0/24', found 'example.com'"},
		{"§9.6.1 ISSUPERSET with a bad prefix", `[ipv4-addr:value ISSUPERSET '198.51.100.0/33']`, 28, "ISSUPERSET needs an IP address or CIDR"},
		{"§9.6.1 ISSUBSET with a number", `[ipv4-addr:value ISSUBSET 5]`, 26, "ISSUBSET needs a string holding an IP address or CIDR"},
		{"§9.6.1 ISSUBSET on another property", `[ipv4-addr:resolves_to_refs ISSUBSET '198.51.100.0/24']`, 1, "ISSUBSET on an ipv4-addr must compare its value property"},
		{"§9.6.1 ISSUBSET IPv6 on ipv4-addr", `[ipv4-addr:value ISSUBSET '2001:db8::/32']`, 26, "ipv4-addr:value ISSUBSET needs an IPv4 address or CIDR, found '2001:db8::/32'"},
		{"§9.6.1 ISSUPERSET IPv4 on ipv6-addr", `[ipv6-addr:value ISSUPERSET '198.51.100.1']`, 28, "needs an IPv6 address or CIDR"},

		// §9.5: AND joins comparisons on one object type.
		{"§9.5 AND across object types", `[file:name = 'a' AND ipv4-addr:value = '198.51.100.1']`, 21, `comparison expressions joined by AND must use one object type, found "ipv4-addr" after "file"; join comparisons on different object types with OR (§9.5)`},
		{"§9.5 AND across object types in a chain", `[file:name = 'a' AND file:size = 1 AND url:value = 'x']`, 39, `found "url" after "file"`},
		{"§9.5 AND with a mixed right operand", `[file:name = 'a' AND (file:size = 1 OR url:value = 'x')]`, 21, `this operand mixes "file", "url"`},
		{"§9.5 AND with a mixed left operand", `[(file:size = 1 OR url:value = 'x') AND file:name = 'a']`, 1, `this operand mixes "file", "url"`},
		{"§9.5 AND of OR groups of the same two types", `[(file:size = 1 OR url:value = 'x') AND (file:size = 2 OR url:value = 'y')]`, 1, `this operand mixes`},

		// §9.7 Object paths and §3.1 type names.
		{"§3.1 upper-case object type", `[File:name = 'x']`, 1, `object type "File" must be lower case`},
		{"§3.1 object type with underscore", `[x_file:name = 'x']`, 2, `object type "x_file" may contain only a-z, 0-9 and '-', found '_'`},
		{"§3.1 object type too short", `[ab:name = 'x']`, 1, `object type "ab" must be 3 to 250 characters long`},
		{"§3.1 object type too long", "[" + strings.Repeat("x", 251) + ":name = 'x']", 1, "must be 3 to 250 characters long"},
		{"§3.1 object type starting with an underscore", `[_file:name = 'x']`, 1, `object type "_file" may contain only a-z, 0-9 and '-', found '_'`},
		{"§3.1 object type starting with a digit", `[1file:name = 'x']`, 1, `malformed number "1file"`},
		{"§3.1 object type starting with a hyphen", `[-file:name = 'x']`, 1, "unexpected character '-'"},
		{"§9.7 missing property", `[file: = 'x']`, 7, "expected a property name after ':', found '='"},
		{"§9.7 missing property after a dot", `[file:hashes. = 'x']`, 14, "expected a property name after '.', found '='"},
		{"§9.7 unquoted hyphenated key", `[file:hashes.SHA-256 = 'x']`, 13, "property name SHA-256 contains '-' and must be quoted: 'SHA-256' (§9.7)"},
		{"§9.7 unquoted key starting with a digit", `[file:hashes.7z = 'x']`, 13, `malformed number "7z"`},
		{"§9.7 numeric key", `[file:hashes.7 = 'x']`, 13, "found integer 7 (a name that starts with a digit must be quoted)"},
		{"§9.7 empty quoted name", `[file:hashes.'' = 'x']`, 13, "property name must not be empty"},
		{"§9.7.2 negative list index", `[file:sections[-1].x = 1]`, 15, "list index must not be negative, found -1"},
		{"§9.7.2 bad list index", `[file:sections[x].x = 1]`, 15, `expected a list index (an integer or *) after '[', found "x"`},
		{"§9.7.2 unclosed list index", `[file:sections[0.x = 1]`, 15, `malformed number 0.: a '.' must be followed by digits`},
		{"§9.7.2 list index not closed", `[file:sections[0 = 1]`, 17, "expected ']' after list index, found '='"},

		// §9.2 constants.
		{"§9.2 unterminated string", `[file:name = 'x]`, 13, "unterminated string constant: no closing apostrophe"},
		{"§9.2 string ending in a backslash", `[file:name = 'x\`, 13, "unterminated string constant"},
		{"§9.2 invalid escape", `[file:name = 'C:\Windows']`, 16, `invalid escape sequence "\\W" in string constant: only \' and \\ are allowed (§9.2)`},
		{"§9.2 invalid escape \\n", `[file:name = 'a\nb']`, 15, `invalid escape sequence "\\n"`},
		{"§9.2 plus sign", `[file:size = +5]`, 13, "a positive number must be written without a '+' sign (§9.2)"},
		{"§9.2 leading zero", `[file:size = 007]`, 13, "number 007 has a leading zero"},
		{"§9.2 negative leading zero", `[file:size = -01.5]`, 13, "number -01 has a leading zero"},
		{"§9.2 float without fraction digits", `[file:size = 1.]`, 13, `malformed number 1.: a '.' must be followed by digits`},
		{"§9.2 float with exponent", `[file:size = 1e5]`, 13, `malformed number "1e5"`},
		{"§9.2 number glued to a keyword", `[file:size = 5AND file:size = 6]`, 13, `malformed number "5AND"`},
		{"§9.2 float without integer digits", `[file:size = .5]`, 13, "found '.'"},
		{"§2.10 integer too large", `[file:size = 9007199254740992]`, 13, "integer 9007199254740992 is out of range: STIX integers lie in [-(2^53)+1, 2^53-1] (§2.10)"},
		{"§2.10 integer too small", `[file:size = -9007199254740992]`, 13, "is out of range"},
		{"§2.6 float too large", "[file:size = 1" + strings.Repeat("0", 400) + ".0]", 13, "is out of range"},
		{"§2.8 upper-case hex", `[file:magic_number_hex = h'FFD8']`, 27, "hex constant must use lower-case digits a-f, found 'F' (§2.8, §9.2)"},
		{"§9.2 hex with a non-hex digit", `[file:magic_number_hex = h'ffzz']`, 29, "hex constant may contain only 0-9 and a-f, found 'z'"},
		{"§9.2 odd hex", `[file:magic_number_hex = h'ffd']`, 25, "hex constant must have an even number of digits, found 3"},
		{"§9.2 unterminated hex", `[file:magic_number_hex = h'ffd8]`, 25, "unterminated hex constant"},
		{"§9.2 bad base64", `[artifact:payload_bin = b'AB$=']`, 28, "binary constant is not valid padded base64"},
		{"§9.2 unpadded base64", `[artifact:payload_bin = b'ABI']`, 26, "binary constant is not valid padded base64"},
		{"§9.2 base64 error after a line feed", "[artifact:payload_bin = b'AB\nI$']", 30, "not valid padded base64"},
		{"§2.16 timestamp without Z", `[file:created = t'2014-01-13T07:03:17']`, 18, "invalid timestamp \"2014-01-13T07:03:17\": want an existing UTC date and time written YYYY-MM-DDTHH:mm:ss[.s+]Z (§2.16)"},
		{"§2.16 timestamp with offset", `[file:created = t'2014-01-13T07:03:17+01:00']`, 18, "invalid timestamp"},
		{"§2.16 timestamp with lower-case t and z", `[file:created = t'2014-01-13t07:03:17z']`, 18, "invalid timestamp"},
		{"§2.16 timestamp with a space", `[file:created = t'2014-01-13 07:03:17Z']`, 18, "invalid timestamp"},
		{"§2.16 timestamp with an empty fraction", `[file:created = t'2014-01-13T07:03:17.Z']`, 18, "invalid timestamp"},
		{"§2.16 timestamp without seconds", `[file:created = t'2014-01-13T07:03Z']`, 18, "invalid timestamp"},
		{"§2.16 timestamp on 30 February", `[file:created = t'2016-02-30T00:00:00Z']`, 18, "invalid timestamp"},
		{"§2.16 timestamp on 29 February of a common year", `[file:created = t'2015-02-29T00:00:00Z']`, 18, "invalid timestamp"},
		{"§2.16 timestamp in month 13", `[file:created = t'2016-13-01T00:00:00Z']`, 18, "invalid timestamp"},
		{"§2.16 timestamp at hour 24", `[file:created = t'2016-01-01T24:00:00Z']`, 18, "invalid timestamp"},
		{"§2.16 leap second not at 23:59", `[file:created = t'2016-01-01T12:00:60Z']`, 18, "invalid timestamp"},
		{"§2.16 unterminated timestamp", `[file:created = t'2016-01-01T00:00:00Z]`, 16, "unterminated timestamp constant"},

		// §9.5.1 qualifiers.
		{"§9.5.1 WITHIN zero", `[file:name = 'x'] WITHIN 0 SECONDS`, 25, "WITHIN needs a positive number of seconds, found 0 (§9.5.1)"},
		{"§9.5.1 WITHIN zero float", `[file:name = 'x'] WITHIN 0.0 SECONDS`, 25, "WITHIN needs a positive number of seconds, found 0.0"},
		{"§9.5.1 WITHIN negative", `[file:name = 'x'] WITHIN -5 SECONDS`, 25, "WITHIN needs a positive number of seconds, found -5"},
		{"§9.5.1 WITHIN without a number", `[file:name = 'x'] WITHIN SECONDS`, 25, `expected a number of seconds after WITHIN, found "SECONDS"`},
		{"§9.5.1 WITHIN without SECONDS", `[file:name = 'x'] WITHIN 5`, 26, "expected SECONDS after WITHIN 5, found end of pattern"},
		{"§9.5.1 WITHIN lower-case seconds", `[file:name = 'x'] WITHIN 5 seconds`, 27, `found "seconds" (keywords are upper case: SECONDS)`},
		{"§9.5.1 REPEATS zero", `[file:name = 'x'] REPEATS 0 TIMES`, 26, "REPEATS needs a positive integer, found 0 (§9.5.1)"},
		{"§9.5.1 REPEATS negative", `[file:name = 'x'] REPEATS -2 TIMES`, 26, "REPEATS needs a positive integer, found -2"},
		{"§9.5.1 REPEATS float", `[file:name = 'x'] REPEATS 1.5 TIMES`, 26, "REPEATS needs a positive integer, found 1.5"},
		{"§9.5.1 REPEATS string", `[file:name = 'x'] REPEATS '5' TIMES`, 26, "expected a positive integer after REPEATS, found string '5'"},
		{"§9.5.1 REPEATS without TIMES", `[file:name = 'x'] REPEATS 5 SECONDS`, 28, `expected TIMES after REPEATS 5, found "SECONDS"`},
		{"§9.5.1 START not before STOP", `[file:name = 'x'] START t'2016-07-01T00:00:00Z' STOP t'2016-06-01T00:00:00Z'`, 53, "START t'2016-07-01T00:00:00Z' must be earlier than STOP t'2016-06-01T00:00:00Z' (§9.5.1)"},
		{"§9.5.1 START equal to STOP", `[file:name = 'x'] START t'2016-07-01T00:00:00Z' STOP t'2016-07-01T00:00:00.000Z'`, 53, "must be earlier than STOP"},
		{"§9.5.1 START without timestamp", `[file:name = 'x'] START '2016-07-01T00:00:00Z' STOP t'2016-08-01T00:00:00Z'`, 24, "expected a timestamp constant such as t'2016-06-01T00:00:00Z' after START, found string"},
		{"§9.5.1 START without STOP", `[file:name = 'x'] START t'2016-07-01T00:00:00Z'`, 47, "expected STOP after START t'2016-07-01T00:00:00Z', found end of pattern"},
		{"§9.5.1 STOP without timestamp", `[file:name = 'x'] START t'2016-07-01T00:00:00Z' STOP 5`, 53, "expected a timestamp constant such as t'2016-07-01T00:00:00Z' after STOP, found integer 5"},
		{"§9.5.1 STOP without START", `[file:name = 'x'] STOP t'2016-07-01T00:00:00Z'`, 18, "STOP without START"},
		{"§9.5.1 two WITHIN qualifiers", `[file:name = 'x'] WITHIN 5 SECONDS WITHIN 6 SECONDS`, 35, "duplicate WITHIN qualifier: an observation expression may have at most one qualifier of each kind (§9.5.1)"},
		{"§9.5.1 two REPEATS qualifiers", `[file:name = 'x'] REPEATS 2 TIMES WITHIN 5 SECONDS REPEATS 3 TIMES`, 51, "duplicate REPEATS qualifier"},
		{"§9.5.1 two START/STOP qualifiers", `[file:name = 'x'] START t'2016-01-01T00:00:00Z' STOP t'2016-02-01T00:00:00Z' START t'2016-01-01T00:00:00Z' STOP t'2016-02-01T00:00:00Z'`, 77, "duplicate START/STOP qualifier"},
		{"§9.5.1 qualifier inside brackets", `[file:name = 'x' WITHIN 5 SECONDS]`, 17, `expected AND, OR or ']' after comparison expression, found "WITHIN"`},

		// Input.
		{"§9.4 invalid UTF-8", "[file:name = 'caf\xe9']", 17, "invalid UTF-8: a pattern must be a Unicode string (§9.4)"},
		{"§9.4 unexpected character", `[file:name = 'x'] & [file:name = 'y']`, 18, "unexpected character '&'"},
		{"§9.4 unexpected non-ASCII character", `[file:name = 'x'] → [file:name = 'y']`, 18, "unexpected character '→'"},
		{"§9.4 double quotes", `[file:name = "x"]`, 13, `unexpected character '"'`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkError(t, tc.pattern, tc.msg, tc.offset)
		})
	}
}

// TestValidEdgeCases checks patterns near the edges of validity.
func TestValidEdgeCases(t *testing.T) {
	for _, s := range []string{
		`[file:name = 'a' OR ipv4-addr:value = '198.51.100.1']`,                           // §9.5 different types joined by OR
		`[(file:name = 'a' AND file:size = 1) OR (url:value = 'x' AND url:value != 'y')]`, // §9.5 AND groups per type
		`[file:size IN (1, 2.5, -3)]`,                                                     // §9.6.1 integers and floats mix
		`[file:name IN ()]`,                                                               // §9.6.1 empty set
		`[file:created IN (t'2016-01-01T00:00:00Z', t'2017-01-01T00:00:00Z')]`,            // §9.6.1 set of timestamps
		`[file:size > 'abc' AND file:size < h'ff' AND file:size >= b'AA==' AND file:size <= t'2016-01-01T00:00:00Z']`,
		`[x-custom:flag = true AND x-custom:flag != false]`,
		`[ipv6-addr:value ISSUBSET '2001:0db8:dead:beef:0000:0000:0000:0000/64']`,
		`[ipv6-addr:value ISSUPERSET '::ffff:198.51.100.1']`,
		`[network-traffic:dst_ref.value ISSUPERSET '198.51.100.1']`,
		`[file:name = 'x'] WITHIN 9007199254740991 SECONDS`,
		`[file:name = 'x'] WITHIN 0.001 SECONDS`,
		`[file:name = 'x'] REPEATS 9007199254740991 TIMES`,
		`[file:name = 'x'] START t'2016-01-01T00:00:00.1234567891Z' STOP t'2016-01-01T00:00:00.1234567892Z'`,
		`[file:name = 'x'] START t'2016-12-31T23:59:59.999Z' STOP t'2016-12-31T23:59:60Z'`,
		`[file:name = 'x'] START t'2016-12-31T23:59:60Z' STOP t'2017-01-01T00:00:00Z'`,
		`[abc:name = 'x']`, // §3.1 shortest type name
		"[" + strings.Repeat("x", 250) + ":name = 'x']", // §3.1 longest type name
		`[x--y-:a_B_9 = 'x']`,                           // §3.1 only letters, digits and hyphens are required
		`[exists:x = 1 AND EXISTS exists:y]`,            // a type named like a keyword
		`[true:false = false]`,                          // type and property named like booleans
		`[file:name = 'x'] WITHIN 5 SECONDS REPEATS 2 TIMES START t'2016-01-01T00:00:00Z' STOP t'2016-01-02T00:00:00Z'`,
		"[file:name='x']AND[file:name='y']FOLLOWEDBY([file:name='z'])WITHIN 5 SECONDS",
		"[file:x[ 0 ] . y = 1]", // §9.4 whitespace between any two tokens
		`[file:x = '` + "\x00\u2028" + `']`,
	} {
		t.Run(s, func(t *testing.T) { checkValid(t, s) })
	}
}

// TestLimits checks the bounds on input length and nesting depth.
func TestLimits(t *testing.T) {
	// Exactly MaxLength bytes is accepted; one more is not.
	head, tail := "[file:name = '", "']"
	exact := head + strings.Repeat("a", MaxLength-len(head)-len(tail)) + tail
	if len(exact) != MaxLength {
		t.Fatalf("bad test: %d bytes", len(exact))
	}
	checkValid(t, exact)
	long := head + strings.Repeat("a", MaxLength-len(head)-len(tail)+1) + tail
	checkError(t, long, "pattern is 65537 bytes long; the limit is 65536 bytes", MaxLength)

	nested := func(n int) string {
		return strings.Repeat("(", n-1) + "[file:name = 'x']" + strings.Repeat(")", n-1)
	}
	checkValid(t, nested(MaxDepth))
	checkError(t, nested(MaxDepth+1), "brackets and parentheses are nested more than 100 levels deep", MaxDepth)
	checkError(t, nested(20000), "nested more than 100 levels deep", MaxDepth)

	inner := func(n int) string {
		return "[" + strings.Repeat("(", n-1) + "file:name = 'x'" + strings.Repeat(")", n-1) + "]"
	}
	checkValid(t, inner(MaxDepth))
	checkError(t, inner(MaxDepth+1), "nested more than 100 levels deep", MaxDepth)

	// Long chains are not nesting.
	chain := "[file:size = 0" + strings.Repeat(" OR file:size = 1", 3000) + "]" + strings.Repeat(" AND [file:size = 2]", 500)
	p := checkValid(t, chain)
	if n := len(p.Expr.(*CompoundObservation).Operands); n != 501 {
		t.Errorf("chain has %d operands, want 501", n)
	}
}

func TestObjectTypes(t *testing.T) {
	tests := []struct {
		pattern string
		want    []string
	}{
		{`[file:name = 'x']`, []string{"file"}},
		{`[ipv4-addr:value = '198.51.100.1' OR ipv6-addr:value = '::1' OR ipv4-addr:value = '198.51.100.2'] FOLLOWEDBY [domain-name:value = 'example.com']`, []string{"domain-name", "ipv4-addr", "ipv6-addr"}},
		{`[network-traffic:dst_ref.value = '198.51.100.1']`, []string{"network-traffic"}},
		{`([file:name = 'foo.dll'] AND [windows-registry-key:key = 'k']) OR [process:image_ref.name = 'p' OR EXISTS x-usb-device:id]`, []string{"file", "process", "windows-registry-key", "x-usb-device"}},
	}
	for _, tc := range tests {
		p := checkValid(t, tc.pattern)
		if got := p.ObjectTypes(); !slices.Equal(got, tc.want) {
			t.Errorf("ObjectTypes(%q) = %q, want %q", tc.pattern, got, tc.want)
		}
	}
	var nilPattern *Pattern
	if got := nilPattern.ObjectTypes(); len(got) != 0 {
		t.Errorf("nil pattern ObjectTypes() = %q", got)
	}
	if nilPattern.String() != "" {
		t.Error("nil pattern String() is not empty")
	}
}

// TestConformanceCorpus parses the pattern of every STIX indicator in the
// official example bundles (../shared/conformance next to the module root).
func TestConformanceCorpus(t *testing.T) {
	dir := filepath.Join(conformanceDir(t), "stix2-json-schemas", "examples")
	var n int
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".json" {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var doc any
		if err := json.Unmarshal(data, &doc); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		rel, _ := filepath.Rel(dir, path)
		for _, ind := range indicators(doc) {
			n++
			t.Run(fmt.Sprintf("%s/%v", rel, ind["id"]), func(t *testing.T) {
				checkValid(t, ind["pattern"].(string))
			})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatalf("no indicator patterns found under %s", dir)
	}
	t.Logf("%d indicator patterns parsed", n)
}

// indicators returns the STIX-pattern indicators anywhere in a JSON document.
func indicators(v any) []map[string]any {
	var out []map[string]any
	switch v := v.(type) {
	case map[string]any:
		_, isString := v["pattern"].(string)
		pt, hasType := v["pattern_type"].(string)
		if v["type"] == "indicator" && isString && (!hasType || pt == "stix") {
			out = append(out, v)
		}
		for _, k := range slices.Sorted(maps.Keys(v)) {
			out = append(out, indicators(v[k])...)
		}
	case []any:
		for _, e := range v {
			out = append(out, indicators(e)...)
		}
	}
	return out
}

// conformanceDir returns ../shared/conformance next to the module root, or
// skips the test when it is not there.
func conformanceDir(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("module root (go.mod) not found above the test directory")
		}
		dir = parent
	}
	conf := filepath.Join(dir, "..", "shared", "conformance")
	if _, err := os.Stat(conf); err != nil {
		t.Skip("../shared/conformance not found: conformance corpus test skipped")
	}
	return conf
}

// FuzzParse checks that Parse never panics, that its errors are
// *SyntaxErrors with an offset inside the input, and that the canonical
// form of a parsed pattern parses back to an equal tree.
func FuzzParse(f *testing.F) {
	for _, tc := range specExamples {
		f.Add(tc.pattern)
	}
	for _, s := range []string{
		``, `[`, `[]`, `(`, `[file:name = 'x'`, `[file:x = h'ffd8']`, `[file:x = b'AB\nI=']`,
		`[file:x[*].'a-b'[0] NOT IN (1, 2.5)] WITHIN 1.5 SECONDS REPEATS 2 TIMES`,
		`[NOT EXISTS file:x] START t'2016-01-01T00:00:00.5Z' STOP t'2016-12-31T23:59:60Z'`,
		`([file:x = 1] AND ([file:x = 2] AND [file:x = 3])) FOLLOWEDBY [file:x = -0.0]`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Parse(s)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) error %v is %T, not *SyntaxError", s, err, err)
			}
			if se.Offset < 0 || se.Offset > len(s) {
				t.Fatalf("Parse(%q) error offset %d outside the input", s, se.Offset)
			}
			if p != nil {
				t.Fatalf("Parse(%q) returned a pattern with an error", s)
			}
			return
		}
		out := p.String()
		if len(out) > MaxLength {
			// The canonical form adds spaces; it may outgrow the limit.
			return
		}
		checkRoundTrip(t, p)
	})
}

func BenchmarkParse(b *testing.B) {
	var patterns []string
	var size int64
	for _, tc := range specExamples {
		if tc.err == "" {
			patterns = append(patterns, tc.pattern)
			size += int64(len(tc.pattern))
		}
	}
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		for _, s := range patterns {
			if _, err := Parse(s); err != nil {
				b.Fatal(err)
			}
		}
	}
}
