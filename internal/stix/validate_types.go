package stix

import (
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"

	"github.com/nisnet-eu/nisnet/internal/vocab"
)

// typeRules are the type-specific checks of the object types STIX 2.1
// defines: required properties and the rules between properties. Errors
// are prefixed with the type by the caller.
var typeRules = map[string]func(*check) error{
	// §4 STIX Domain Objects
	"attack-pattern":   func(c *check) error { return c.all(c.required("name"), c.killChainPhases()) },
	"campaign":         func(c *check) error { return c.all(c.required("name"), c.ordered("first_seen", "last_seen", false)) },
	"course-of-action": func(c *check) error { return c.required("name") },
	"grouping":         (*check).grouping,
	"identity":         func(c *check) error { return c.required("name") },
	"incident":         func(c *check) error { return c.required("name") },
	"indicator":        (*check).indicator,
	"infrastructure": func(c *check) error {
		return c.all(c.required("name"), c.ordered("first_seen", "last_seen", false), c.killChainPhases())
	},
	"intrusion-set":    func(c *check) error { return c.all(c.required("name"), c.ordered("first_seen", "last_seen", false)) },
	"location":         (*check).location,
	"malware":          (*check).malware,
	"malware-analysis": (*check).malwareAnalysis,
	"note":             (*check).note,
	"observed-data":    (*check).observedData,
	"opinion":          (*check).opinion,
	"report":           (*check).report,
	"threat-actor":     func(c *check) error { return c.all(c.required("name"), c.ordered("first_seen", "last_seen", false)) },
	"tool":             func(c *check) error { return c.all(c.required("name"), c.killChainPhases()) },
	"vulnerability":    func(c *check) error { return c.required("name") },
	// §5 STIX Relationship Objects
	"relationship": (*check).relationship,
	"sighting":     (*check).sighting,
	// §6 STIX Cyber-observable Objects
	"artifact":             (*check).artifact,
	"autonomous-system":    func(c *check) error { _, _, err := c.integer("number", true, -maxInteger, maxInteger); return err },
	"directory":            (*check).directory,
	"domain-name":          (*check).domainName,
	"email-addr":           (*check).emailAddr,
	"email-message":        (*check).emailMessage,
	"file":                 (*check).file,
	"ipv4-addr":            func(c *check) error { return c.ipAddr(true) },
	"ipv6-addr":            func(c *check) error { return c.ipAddr(false) },
	"mac-addr":             (*check).macAddr,
	"mutex":                func(c *check) error { return c.required("name") },
	"network-traffic":      (*check).networkTraffic,
	"process":              (*check).process,
	"software":             func(c *check) error { return c.required("name") },
	"url":                  func(c *check) error { return c.required("value") },
	"user-account":         (*check).userAccount,
	"windows-registry-key": (*check).windowsRegistryKey,
	"x509-certificate":     (*check).x509Certificate,
	// §7 STIX Meta Objects
	"language-content":     (*check).languageContent,
	"marking-definition":   (*check).markingDefinition,
	"extension-definition": (*check).extensionDefinition,
}

// all returns the first error of the checks, which have all run already;
// rules are cheap, and the order of the arguments is the order of the
// messages.
func (c *check) all(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// required checks that a required string property is present.
func (p props) required(key string) error { _, _, err := p.str(key, true); return err }

// killChainPhases checks kill_chain_phases (§2.11).
func (c *check) killChainPhases() error {
	list, ok, err := c.list("kill_chain_phases", false)
	if !ok || err != nil {
		return err
	}
	for i, v := range list {
		m, isObj := v.(map[string]any)
		if !isObj {
			return wrongType(index("kill_chain_phases", i), "an object", v)
		}
		k := props{m: m, path: index("kill_chain_phases", i)}
		if err := c.all(k.required("kill_chain_name"), k.required("phase_name")); err != nil {
			return err
		}
	}
	return nil
}

// §4.4
func (c *check) grouping() error {
	_, _, err := c.refs("object_refs", true, anyRef)
	return c.all(c.required("context"), err)
}

// §4.7: pattern, pattern_type and valid_from are required, valid_until is
// after valid_from, and a pattern of type "stix" is a STIX pattern (§9).
func (c *check) indicator() error {
	pattern, _, err := c.str("pattern", true)
	if err != nil {
		return err
	}
	pt, _, err := c.str("pattern_type", true)
	if err != nil {
		return err
	}
	if _, _, err := c.str("pattern_version", false); err != nil {
		return err
	}
	if _, _, err := c.timestamp("valid_from", true); err != nil {
		return err
	}
	if err := c.ordered("valid_from", "valid_until", true); err != nil {
		return err
	}
	if _, _, err := c.strings("indicator_types", false); err != nil {
		return err
	}
	if err := c.killChainPhases(); err != nil {
		return err
	}
	if pt == "stix" && c.v.Pattern != nil {
		if err := c.v.Pattern(pattern); err != nil {
			return fmt.Errorf("pattern_type \"stix\" needs a STIX pattern: %v", err)
		}
	}
	return nil
}

// §4.10: region, country, or latitude with longitude; precision only with
// coordinates.
func (c *check) location() error {
	_, hasLat, err := c.number("latitude", false, -90, 90)
	if err != nil {
		return err
	}
	_, hasLon, err := c.number("longitude", false, -180, 180)
	if err != nil {
		return err
	}
	_, hasPrec, err := c.number("precision", false, 0, 1e300)
	if err != nil {
		return err
	}
	_, hasRegion, err := c.str("region", false)
	if err != nil {
		return err
	}
	_, hasCountry, err := c.str("country", false)
	if err != nil {
		return err
	}
	switch {
	case hasLat != hasLon:
		return errors.New("latitude and longitude go together")
	case hasPrec && !hasLat:
		return errors.New("precision needs latitude and longitude")
	case !hasRegion && !hasCountry && !hasLat:
		return errors.New("needs region, country, or latitude and longitude")
	}
	return nil
}

// §4.11: is_family is required (STIX 2.1 and the official schema; the
// Errata 01 table marks it optional by mistake, its change list does not
// mention it), a family has a name.
func (c *check) malware() error {
	family, _, err := c.boolean("is_family", true)
	if err != nil {
		return err
	}
	if _, hasName, err := c.str("name", false); err != nil {
		return err
	} else if family && !hasName {
		return errors.New("name is required for a malware family (is_family true)")
	}
	if _, _, err := c.refs("operating_system_refs", false, softwareRef); err != nil {
		return err
	}
	if _, _, err := c.refs("sample_refs", false, refTo("a file or artifact", "file", "artifact")); err != nil {
		return err
	}
	return c.all(c.ordered("first_seen", "last_seen", false), c.killChainPhases())
}

// §4.12: product, and result or analysis_sco_refs.
func (c *check) malwareAnalysis() error {
	if err := c.required("product"); err != nil {
		return err
	}
	_, hasResult, err := c.str("result", false)
	if err != nil {
		return err
	}
	_, hasSCOs, err := c.refs("analysis_sco_refs", false, anyRef)
	if err != nil {
		return err
	}
	if !hasResult && !hasSCOs {
		return errors.New("needs result or analysis_sco_refs")
	}
	for _, k := range []string{"host_vm_ref", "operating_system_ref"} {
		if _, _, err := c.ref(k, false, softwareRef); err != nil {
			return err
		}
	}
	if _, _, err := c.refs("installed_software_refs", false, softwareRef); err != nil {
		return err
	}
	if _, _, err := c.ref("sample_ref", false, refTo("a file, network-traffic or artifact", "file", "network-traffic", "artifact")); err != nil {
		return err
	}
	return c.timestamps("submitted", "analysis_started", "analysis_ended")
}

// §4.13
func (c *check) note() error {
	if err := c.required("content"); err != nil {
		return err
	}
	if _, _, err := c.strings("authors", false); err != nil {
		return err
	}
	_, _, err := c.refs("object_refs", true, anyRef)
	return err
}

// §4.14: the observation window, number_observed, and objects or
// object_refs (SCOs and SROs, at least one SCO), not both.
func (c *check) observedData() error {
	if _, _, err := c.timestamp("first_observed", true); err != nil {
		return err
	}
	if _, _, err := c.timestamp("last_observed", true); err != nil {
		return err
	}
	if err := c.ordered("first_observed", "last_observed", false); err != nil {
		return err
	}
	if _, _, err := c.integer("number_observed", true, 1, 999999999); err != nil {
		return err
	}
	switch {
	case c.has("objects") && c.has("object_refs"):
		return errors.New("objects and object_refs must not both be present")
	case c.has("objects"):
		objs, _, err := c.object("objects", true, true)
		if err != nil {
			return err
		}
		for _, k := range sortedKeys(objs.m) {
			o, ok, err := objs.object(k, true, true)
			if err != nil {
				return err
			}
			if ok {
				if _, _, err := o.str("type", true); err != nil {
					return err
				}
			}
		}
		return nil
	}
	observable := refRule{want: "an SCO or SRO", ok: func(t string) bool {
		k := specKind(t)
		return t != "bundle" && k != kindSDO && k != kindMeta
	}}
	refs, _, err := c.refs("object_refs", true, observable)
	if err != nil {
		return err
	}
	for _, r := range refs {
		if t, _, _ := strings.Cut(r, "--"); specKind(t) != kindSRO {
			return nil
		}
	}
	return errors.New("object_refs: needs at least one SCO")
}

// opinionEnum is opinion-enum (§10.18).
var opinionEnum = []string{"strongly-disagree", "disagree", "neutral", "agree", "strongly-agree"}

// §4.15
func (c *check) opinion() error {
	if _, _, err := c.enum("opinion", true, opinionEnum...); err != nil {
		return err
	}
	if _, _, err := c.strings("authors", false); err != nil {
		return err
	}
	_, _, err := c.refs("object_refs", true, anyRef)
	return err
}

// §4.16
func (c *check) report() error {
	if err := c.required("name"); err != nil {
		return err
	}
	if _, _, err := c.timestamp("published", true); err != nil {
		return err
	}
	if _, _, err := c.strings("report_types", false); err != nil {
		return err
	}
	_, _, err := c.refs("object_refs", true, anyRef)
	return err
}

var relationshipType = regexp.MustCompile(`^[a-z0-9-]+$`)

// §5.1: relationship_type in a-z, 0-9 and hyphen; source and target are
// SDOs or SCOs; stop_time after start_time.
func (c *check) relationship() error {
	rt, _, err := c.str("relationship_type", true)
	if err != nil {
		return err
	}
	if !relationshipType.MatchString(rt) {
		return fmt.Errorf("relationship_type %q: want a-z, 0-9 and - only", rt)
	}
	if _, _, err := c.ref("source_ref", true, nodeRef); err != nil {
		return err
	}
	if _, _, err := c.ref("target_ref", true, nodeRef); err != nil {
		return err
	}
	return c.ordered("start_time", "stop_time", true)
}

// §5.2
func (c *check) sighting() error {
	if _, _, err := c.ref("sighting_of_ref", true, sdoRef); err != nil {
		return err
	}
	if _, _, err := c.integer("count", false, 0, 999999999); err != nil {
		return err
	}
	if err := c.ordered("first_seen", "last_seen", false); err != nil {
		return err
	}
	if _, _, err := c.refs("observed_data_refs", false, refTo("an observed-data", "observed-data")); err != nil {
		return err
	}
	if _, _, err := c.refs("where_sighted_refs", false, refTo("an identity or location", "identity", "location")); err != nil {
		return err
	}
	_, _, err := c.boolean("summary", false)
	return err
}

// encryptionAlgorithms is encryption-algorithm-enum (§10.4).
var encryptionAlgorithms = []string{"AES-256-GCM", "ChaCha20-Poly1305", "mime-type-indicated"}

// §6.1: payload_bin or url, not both; hashes with url; decryption_key only
// with encryption_algorithm.
func (c *check) artifact() error {
	hasPayload, hasURL := c.has("payload_bin"), c.has("url")
	if _, _, err := c.str("url", false); err != nil {
		return err
	}
	switch {
	case hasPayload && hasURL:
		return errors.New("payload_bin and url must not both be present")
	case !hasPayload && !hasURL:
		return errors.New("needs payload_bin or url")
	case hasURL && !c.has("hashes"):
		return errors.New("hashes is required with url")
	}
	if err := c.hashes("hashes"); err != nil {
		return err
	}
	_, hasAlg, err := c.enum("encryption_algorithm", false, encryptionAlgorithms...)
	if err != nil {
		return err
	}
	if _, hasKey, err := c.str("decryption_key", false); err != nil {
		return err
	} else if hasKey && !hasAlg {
		return errors.New("decryption_key needs encryption_algorithm")
	}
	return nil
}

// §6.3
func (c *check) directory() error {
	if err := c.required("path"); err != nil {
		return err
	}
	if _, _, err := c.refs("contains_refs", false, refTo("a file or directory", "file", "directory")); err != nil {
		return err
	}
	return c.timestamps("ctime", "mtime", "atime")
}

// §6.4
func (c *check) domainName() error {
	if err := c.required("value"); err != nil {
		return err
	}
	_, _, err := c.refs("resolves_to_refs", false, refTo("an ipv4-addr, ipv6-addr or domain-name", "ipv4-addr", "ipv6-addr", "domain-name"))
	return err
}

// §6.5
func (c *check) emailAddr() error {
	if err := c.required("value"); err != nil {
		return err
	}
	_, _, err := c.ref("belongs_to_ref", false, refTo("a user-account", "user-account"))
	return err
}

// §6.6: is_multipart decides between body and body_multipart; each MIME
// part has body or body_raw_ref.
func (c *check) emailMessage() error {
	multi, _, err := c.boolean("is_multipart", true)
	if err != nil {
		return err
	}
	if multi && c.has("body") {
		return errors.New("body is only for is_multipart false")
	}
	if !multi && c.has("body_multipart") {
		return errors.New("body_multipart is only for is_multipart true")
	}
	if err := c.timestamps("date"); err != nil {
		return err
	}
	addr := refTo("an email-addr", "email-addr")
	for _, k := range []string{"from_ref", "sender_ref"} {
		if _, _, err := c.ref(k, false, addr); err != nil {
			return err
		}
	}
	for _, k := range []string{"to_refs", "cc_refs", "bcc_refs"} {
		if _, _, err := c.refs(k, false, addr); err != nil {
			return err
		}
	}
	if _, _, err := c.ref("raw_email_ref", false, refTo("an artifact", "artifact")); err != nil {
		return err
	}
	parts, _, err := c.list("body_multipart", false)
	if err != nil {
		return err
	}
	for i, v := range parts {
		m, isObj := v.(map[string]any)
		if !isObj {
			return wrongType(index("body_multipart", i), "an object", v)
		}
		p := props{m: m, path: index("body_multipart", i)}
		if p.has("body") == p.has("body_raw_ref") {
			return fmt.Errorf("%s: needs exactly one of body and body_raw_ref", p.path)
		}
		if _, _, err := p.ref("body_raw_ref", false, refTo("an artifact or file", "artifact", "file")); err != nil {
			return err
		}
	}
	return nil
}

// §6.7: hashes or name.
func (c *check) file() error {
	if !c.has("hashes") && !c.has("name") {
		return errors.New("needs hashes or name")
	}
	if _, _, err := c.str("name", false); err != nil {
		return err
	}
	if err := c.hashes("hashes"); err != nil {
		return err
	}
	if _, _, err := c.integer("size", false, 0, maxInteger); err != nil {
		return err
	}
	if _, _, err := c.ref("parent_directory_ref", false, refTo("a directory", "directory")); err != nil {
		return err
	}
	if _, _, err := c.ref("content_ref", false, refTo("an artifact", "artifact")); err != nil {
		return err
	}
	return c.timestamps("ctime", "mtime", "atime")
}

// §6.8, §6.9: one address or a CIDR block.
func (c *check) ipAddr(v4 bool) error {
	s, _, err := c.str("value", true)
	if err != nil {
		return err
	}
	want := "an IPv6 address or CIDR block"
	if v4 {
		want = "an IPv4 address or CIDR block"
	}
	addr, err := netip.ParseAddr(s)
	if err != nil {
		var pfx netip.Prefix
		if pfx, err = netip.ParsePrefix(s); err == nil {
			addr = pfx.Addr()
		}
	}
	if err != nil || addr.Is4() != v4 || addr.Is4In6() && v4 {
		return fmt.Errorf("value %q: want %s", s, want)
	}
	if _, _, err := c.refs("resolves_to_refs", false, refTo("a mac-addr", "mac-addr")); err != nil {
		return err
	}
	_, _, err = c.refs("belongs_to_refs", false, refTo("an autonomous-system", "autonomous-system"))
	return err
}

var macAddress = regexp.MustCompile(`^[0-9a-f]{2}(:[0-9a-f]{2}){5}$`)

// §6.10: colon-delimited lowercase MAC-48.
func (c *check) macAddr() error {
	s, _, err := c.str("value", true)
	if err == nil && !macAddress.MatchString(s) {
		err = fmt.Errorf("value %q: want a lowercase colon-delimited MAC-48 address, e.g. 00:00:ab:cd:ef:01", s)
	}
	return err
}

// §6.12: protocols, and src_ref or dst_ref; ports; end not before start and
// absent while active.
func (c *check) networkTraffic() error {
	if _, _, err := c.strings("protocols", true); err != nil {
		return err
	}
	addr := refTo("an ipv4-addr, ipv6-addr, mac-addr or domain-name", "ipv4-addr", "ipv6-addr", "mac-addr", "domain-name")
	_, hasSrc, err := c.ref("src_ref", false, addr)
	if err != nil {
		return err
	}
	_, hasDst, err := c.ref("dst_ref", false, addr)
	if err != nil {
		return err
	}
	if !hasSrc && !hasDst {
		return errors.New("needs src_ref or dst_ref")
	}
	for _, k := range []string{"src_port", "dst_port"} {
		if _, _, err := c.integer(k, false, 0, 65535); err != nil {
			return err
		}
	}
	for _, k := range []string{"src_byte_count", "dst_byte_count", "src_packets", "dst_packets"} {
		if _, _, err := c.integer(k, false, 0, maxInteger); err != nil {
			return err
		}
	}
	if active, _, err := c.boolean("is_active", false); err != nil {
		return err
	} else if active && c.has("end") {
		return errors.New("end must not be present while is_active is true")
	}
	if err := c.ordered("start", "end", false); err != nil {
		return err
	}
	for _, k := range []string{"src_payload_ref", "dst_payload_ref"} {
		if _, _, err := c.ref(k, false, refTo("an artifact", "artifact")); err != nil {
			return err
		}
	}
	nt := refTo("a network-traffic", "network-traffic")
	if _, _, err := c.refs("encapsulates_refs", false, nt); err != nil {
		return err
	}
	_, _, err = c.ref("encapsulated_by_ref", false, nt)
	return err
}

// scoCommon are the common properties of SCOs; an SCO whose own properties
// are all optional needs at least one other property.
var scoCommon = []string{"type", "id", "spec_version", "object_marking_refs", "granular_markings", "defanged"}

func (c *check) atLeastOneProperty() error {
	for _, k := range c.keys {
		if !slices.Contains(scoCommon, k) {
			return nil
		}
	}
	return errors.New("needs at least one property besides the common ones")
}

// §6.13
func (c *check) process() error {
	if err := c.atLeastOneProperty(); err != nil {
		return err
	}
	if _, _, err := c.integer("pid", false, -maxInteger, maxInteger); err != nil {
		return err
	}
	if err := c.timestamps("created_time"); err != nil {
		return err
	}
	rules := []struct {
		key  string
		list bool
		r    refRule
	}{
		{"opened_connection_refs", true, refTo("a network-traffic", "network-traffic")},
		{"creator_user_ref", false, refTo("a user-account", "user-account")},
		{"image_ref", false, refTo("a file", "file")},
		{"parent_ref", false, refTo("a process", "process")},
		{"child_refs", true, refTo("a process", "process")},
	}
	for _, r := range rules {
		var err error
		if r.list {
			_, _, err = c.refs(r.key, false, r.r)
		} else {
			_, _, err = c.ref(r.key, false, r.r)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// §6.16
func (c *check) userAccount() error {
	if err := c.atLeastOneProperty(); err != nil {
		return err
	}
	return c.timestamps("account_created", "account_expires", "credential_last_changed", "account_first_login", "account_last_login")
}

// §6.17
func (c *check) windowsRegistryKey() error {
	if err := c.atLeastOneProperty(); err != nil {
		return err
	}
	if err := c.timestamps("modified_time"); err != nil {
		return err
	}
	_, _, err := c.ref("creator_user_ref", false, refTo("a user-account", "user-account"))
	return err
}

// §6.18
func (c *check) x509Certificate() error {
	if err := c.atLeastOneProperty(); err != nil {
		return err
	}
	if err := c.hashes("hashes"); err != nil {
		return err
	}
	return c.timestamps("validity_not_before", "validity_not_after")
}

// §7.1: object_ref, and contents keyed by language tags.
func (c *check) languageContent() error {
	objectRef := refRule{want: "a STIX object", ok: func(t string) bool { return t != "bundle" }}
	if _, _, err := c.ref("object_ref", true, objectRef); err != nil {
		return err
	}
	if _, _, err := c.timestamp("object_modified", false); err != nil {
		return err
	}
	contents, _, err := c.object("contents", true, true)
	if err != nil {
		return err
	}
	for _, k := range sortedKeys(contents.m) {
		if !ValidLanguageTag(k) {
			return fmt.Errorf("contents: key %q is not an RFC 5646 language tag", k)
		}
		if _, _, err := contents.object(k, true, true); err != nil {
			return err
		}
	}
	return nil
}

// §7.2.1: a TLP marking (by id) is exactly the official object; other
// markings use an extension or definition_type with definition, and never
// mark themselves.
func (c *check) markingDefinition() error {
	id := c.m["id"].(string)
	if official, ok := officialTLP()[id]; ok {
		if d := firstDifference(c.m, official); d != "" {
			l, _ := vocab.TLPFromMarkingID(id)
			return fmt.Errorf("%q is the %s marking and must be exactly the official object: %s", id, l, d)
		}
		return nil
	}
	if ext, ok := c.m["extensions"].(map[string]any); ok {
		if _, tlp2 := ext[vocab.TLP2ExtensionDefinitionID]; tlp2 {
			return fmt.Errorf("%q uses the TLP 2.0 extension but is not one of its five official marking definitions", id)
		}
	}
	dt, hasType, err := c.str("definition_type", !c.has("extensions"))
	if err != nil {
		return err
	}
	def, hasDef, err := c.object("definition", !c.has("extensions"), false)
	if err != nil {
		return err
	}
	if hasDef && !hasType {
		return errors.New("definition needs definition_type")
	}
	switch dt {
	case "tlp":
		return fmt.Errorf("%q is not one of the four TLP 1.0 marking definitions; no other TLP marking may be created (§7.2.1.4)", id)
	case "statement":
		if err := def.required("statement"); err != nil {
			return err
		}
	}
	if _, _, err := c.str("name", false); err != nil {
		return err
	}
	if refs, _ := c.m["object_marking_refs"].([]any); slices.Contains(refs, any(id)) {
		return errors.New("object_marking_refs: a marking definition cannot mark itself")
	}
	return nil
}

// §7.3: name, schema, version, extension_types and created_by_ref;
// extension_properties only for top-level property extensions.
func (c *check) extensionDefinition() error {
	if _, _, err := c.ref("created_by_ref", true, identityRef); err != nil {
		return err
	}
	if err := c.all(c.required("name"), c.required("schema"), c.required("version")); err != nil {
		return err
	}
	types, _, err := c.strings("extension_types", true)
	if err != nil {
		return err
	}
	for i, t := range types {
		if !slices.Contains(extensionTypes, t) {
			return fmt.Errorf("extension_types[%d]: %q is not one of %s", i, t, strings.Join(extensionTypes, ", "))
		}
	}
	names, ok, err := c.strings("extension_properties", false)
	if err != nil || !ok {
		return err
	}
	if !slices.Contains(types, "toplevel-property-extension") {
		return errors.New("extension_properties is only for extension_types with toplevel-property-extension")
	}
	for i, n := range names {
		if !propertyName(n) {
			return fmt.Errorf("extension_properties[%d]: %q is not a property name (3 to 250 of a-z, 0-9 and _)", i, n)
		}
	}
	return nil
}
