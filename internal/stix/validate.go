package stix

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nisnet-eu/nisnet/internal/vocab"
)

// DefaultMaxObjectBytes bounds the JSON of one object when
// Validator.MaxObjectBytes is 0.
const DefaultMaxObjectBytes = 1 << 20

// Validator checks STIX 2.1 objects received from other nodes or from any
// TAXII client (MISP, OpenCTI, …) before they are stored. It implements the
// normative requirements of STIX 2.1 (OASIS Standard with Errata 01) that
// can be checked on one object alone: JSON form, common properties (§3.2),
// identifiers and references (§2.9, §3.3), timestamps (§2.16), markings
// (§7.2), extensions (§3.2, §7.3), property names (§3.1, §3.8, §11.1) and
// the required properties and cross-property rules of each object type
// (§4 to §7). Custom object types are accepted when their common properties
// are valid (§11.2, §7.3).
//
// A zero Validator is ready to use. A Validator is safe for concurrent use.
type Validator struct {
	// Schemas, if set, are applied too (official STIX 2.1 JSON Schemas),
	// after the checks of this package, to the object types STIX 2.1
	// defines. Custom and extension-defined types (§11.2, §7.3) are left to
	// this package's checks: the schemas have only core.json for them,
	// which requires what the specification does not (spec_version on
	// every object, extension keys that are ids or end in -ext, while the
	// incident-core impact objects use keys such as "monetary").
	Schemas *Schemas
	// Pattern, if set, checks indicator patterns whose pattern_type is
	// "stix" (STIX Patterning, §9); wire in pattern.Parse, e.g.
	// func(s string) error { _, err := pattern.Parse(s); return err }.
	Pattern func(string) error
	// MaxObjectBytes bounds one object's JSON (0: DefaultMaxObjectBytes).
	MaxObjectBytes int
}

// Validate checks one STIX 2.1 object and returns its common properties.
// The error names the property and what is wrong, in one line, for a TAXII
// status failure message.
func (v *Validator) Validate(raw json.RawMessage) (Object, error) {
	limit := v.MaxObjectBytes
	if limit <= 0 {
		limit = DefaultMaxObjectBytes
	}
	if len(raw) > limit {
		return Object{}, fmt.Errorf("object of %d bytes: more than the %d bytes accepted", len(raw), limit)
	}
	raw = bytes.TrimSpace(raw)
	m, err := decodeObject(raw)
	if err != nil {
		return Object{}, err
	}
	c := &check{v: v, props: props{m: m}}
	o, err := c.run()
	if err != nil {
		return Object{}, err
	}
	if v.Schemas != nil && c.spec {
		if err := v.Schemas.Validate(raw); err != nil {
			return Object{}, err
		}
	}
	o.Raw = raw
	return o, nil
}

// kind is the category of a STIX object type, which decides its common
// properties (§3.2).
type kind int

const (
	kindCustom kind = iota // a type STIX does not define and no new-* extension declares
	kindSDO
	kindSRO
	kindSCO
	kindMeta // language-content, marking-definition, extension-definition
)

var (
	sdoTypes = []string{"attack-pattern", "campaign", "course-of-action", "grouping", "identity", "incident",
		"indicator", "infrastructure", "intrusion-set", "location", "malware", "malware-analysis", "note",
		"observed-data", "opinion", "report", "threat-actor", "tool", "vulnerability"}
	sroTypes = []string{"relationship", "sighting"}
	scoTypes = []string{"artifact", "autonomous-system", "directory", "domain-name", "email-addr",
		"email-message", "file", "ipv4-addr", "ipv6-addr", "mac-addr", "mutex", "network-traffic", "process",
		"software", "url", "user-account", "windows-registry-key", "x509-certificate"}
	metaTypes = []string{"language-content", "marking-definition", "extension-definition"}
)

// specKind is the kind of a type defined by STIX 2.1, or kindCustom.
func specKind(t string) kind {
	switch {
	case slices.Contains(sdoTypes, t):
		return kindSDO
	case slices.Contains(sroTypes, t):
		return kindSRO
	case slices.Contains(scoTypes, t):
		return kindSCO
	case slices.Contains(metaTypes, t):
		return kindMeta
	}
	return kindCustom
}

var (
	// sdoRef: what sighting_of_ref may reference (§5.2): an SDO, including
	// custom ones; not an object of another kind STIX defines.
	sdoRef = refRule{want: "an SDO", ok: func(t string) bool {
		k := specKind(t)
		return t != "bundle" && (k == kindSDO || k == kindCustom)
	}}
	// nodeRef: what a relationship may link (§5.1): SDOs and SCOs.
	nodeRef = refRule{want: "an SDO or SCO", ok: func(t string) bool {
		k := specKind(t)
		return t != "bundle" && k != kindSRO && k != kindMeta
	}}
	identityRef = refTo("an identity", "identity")
	markingRef  = refTo("a marking-definition", "marking-definition")
	softwareRef = refTo("a software", "software")
)

// extensionTypes is extension-type-enum (§10.5).
var extensionTypes = []string{"new-sdo", "new-sco", "new-sro", "property-extension", "toplevel-property-extension"}

// reservedNames may not be used as property names (§3.8).
var reservedNames = []string{"severity", "username", "phone_number", "action"}

// propertyName reports whether s has the form of a STIX property name: 3
// to 250 of a-z, 0-9 and underscore (§3.1, §11.1, §7.3.2).
func propertyName(s string) bool {
	if len(s) < 3 || len(s) > 250 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// validPropertyName reports whether s may name a property of a STIX object;
// "id" is the one shorter name STIX defines.
func validPropertyName(s string) bool { return s == "id" || propertyName(s) }

// millis: created and modified have at least millisecond precision (§3.2).
var millis = regexp.MustCompile(`\.[0-9]{3,}Z$`)

// check validates one decoded object.
type check struct {
	props
	v    *Validator
	typ  string
	kind kind
	spec bool // typ is defined by STIX 2.1 (kind was not inferred from an extension)
	keys []string
}

func (c *check) run() (Object, error) {
	var o Object
	t, _, err := c.str("type", true)
	if err != nil {
		return o, err
	}
	if !ValidType(t) {
		return o, fmt.Errorf("type %q: want a STIX type name (3 to 250 of a-z, 0-9 and -)", t)
	}
	if t == "bundle" {
		return o, errors.New("type \"bundle\": a bundle is not a STIX object; send the objects it holds")
	}
	c.typ, c.keys = t, sortedKeys(c.m)
	c.kind = specKind(t)
	c.spec = c.kind != kindCustom
	if !c.spec {
		c.kind = c.declaredKind()
	}

	if o.ID, _, err = c.str("id", true); err != nil {
		return o, err
	}
	if err := CheckID(o.ID, t); err != nil {
		return o, fmt.Errorf("id: %w", err)
	}
	if err := c.names(); err != nil {
		return o, err
	}
	if err := c.specVersion(); err != nil {
		return o, err
	}
	if o.Created, o.Modified, o.Version, err = c.versioning(); err != nil {
		return o, err
	}
	if err := c.common(); err != nil {
		return o, err
	}
	if rule := typeRules[t]; rule != nil {
		if err := rule(c); err != nil {
			return o, fmt.Errorf("%s: %w", t, err)
		}
	}
	if err := walk(c.m, "", t); err != nil {
		return o, err
	}

	o.Type = t
	o.SpecVersion, _ = c.m["spec_version"].(string)
	o.Revoked, _ = c.m["revoked"].(bool)
	o.CreatedByRef, _ = c.m["created_by_ref"].(string)
	if refs, ok := c.m["object_marking_refs"].([]any); ok {
		o.ObjectMarkingRefs = make([]string, len(refs))
		for i, r := range refs {
			o.ObjectMarkingRefs[i] = r.(string) // checked by common
		}
	}
	return o, nil
}

// declaredKind is the kind a custom type declares with an extension of type
// new-sdo, new-sco or new-sro (§7.3), or kindCustom.
func (c *check) declaredKind() kind {
	ext, _ := c.m["extensions"].(map[string]any)
	for key, v := range ext {
		e, _ := v.(map[string]any)
		if !strings.HasPrefix(key, "extension-definition--") || e == nil {
			continue
		}
		switch e["extension_type"] {
		case "new-sdo":
			return kindSDO
		case "new-sro":
			return kindSRO
		case "new-sco":
			return kindSCO
		}
	}
	return kindCustom
}

// names checks the top-level property names: their form (§3.1, §11.1) and
// the reserved names (§3.8).
func (c *check) names() error {
	for _, k := range c.keys {
		if !validPropertyName(k) {
			return fmt.Errorf("property name %q: want 3 to 250 of a-z, 0-9 and _ (STIX 2.1 §11.1)", k)
		}
		if slices.Contains(reservedNames, k) {
			return fmt.Errorf("property name %q is reserved by STIX 2.1 (§3.8)", k)
		}
	}
	return nil
}

// specVersion: required and "2.1" on SDOs, SROs and meta objects; optional
// on SCOs and custom objects, but "2.1" when present (§3.2).
func (c *check) specVersion() error {
	required := c.kind == kindSDO || c.kind == kindSRO || c.kind == kindMeta
	sv, ok, err := c.str("spec_version", false)
	switch {
	case err != nil:
		return err
	case !ok && required:
		return errors.New(`spec_version is required: only STIX 2.1 objects ("2.1") are accepted`)
	case ok && sv != SpecVersion:
		return fmt.Errorf("spec_version %q: only STIX 2.1 is accepted", sv)
	}
	return nil
}

// versioning checks created and modified (§3.2, §3.6): required on SDOs,
// SROs, language-content and extension-definition, created only on
// marking-definition; millisecond precision; modified not before created.
func (c *check) versioning() (created, modified time.Time, version string, err error) {
	needCreated := c.kind == kindSDO || c.kind == kindSRO || c.kind == kindMeta
	needModified := needCreated && c.typ != "marking-definition"
	var okC, okM bool
	if created, okC, err = c.timestamp("created", needCreated); err != nil {
		return
	}
	if modified, okM, err = c.timestamp("modified", needModified); err != nil {
		return
	}
	for _, k := range []string{"created", "modified"} {
		if s, _ := c.m[k].(string); s != "" && !millis.MatchString(s) {
			return created, modified, "", fmt.Errorf("%s %q: want at least millisecond precision, e.g. 2026-11-28T09:30:00.000Z", k, s)
		}
	}
	if okC {
		version = c.m["created"].(string)
	}
	if okM {
		version = c.m["modified"].(string)
	}
	if okC && okM && modified.Before(created) {
		return created, modified, "", fmt.Errorf("modified %q is before created %q", c.m["modified"], c.m["created"])
	}
	return created, modified, version, nil
}

// common checks the other common properties (§3.2) wherever they appear.
func (c *check) common() error {
	if _, _, err := c.ref("created_by_ref", false, identityRef); err != nil {
		return err
	}
	if _, _, err := c.boolean("revoked", false); err != nil {
		return err
	}
	if _, _, err := c.strings("labels", false); err != nil {
		return err
	}
	if _, _, err := c.integer("confidence", false, 0, 100); err != nil {
		return err
	}
	if err := c.lang("lang"); err != nil {
		return err
	}
	if err := c.externalReferences(); err != nil {
		return err
	}
	if _, _, err := c.refs("object_marking_refs", false, markingRef); err != nil {
		return err
	}
	if err := c.granularMarkings(); err != nil {
		return err
	}
	if _, ok, err := c.boolean("defanged", false); err != nil {
		return err
	} else if ok && c.spec && c.kind != kindSCO {
		return errors.New("defanged: only cyber-observable objects have it (STIX 2.1 §3.2)")
	}
	return c.extensions()
}

// externalReferences checks external_references (§2.5).
func (c *check) externalReferences() error {
	list, ok, err := c.list("external_references", false)
	if !ok || err != nil {
		return err
	}
	for i, v := range list {
		path := index("external_references", i)
		m, isObj := v.(map[string]any)
		if !isObj {
			return wrongType(path, "an object", v)
		}
		r := props{m: m, path: path}
		if _, _, err := r.str("source_name", true); err != nil {
			return err
		}
		n := 0
		for _, k := range []string{"description", "url", "external_id"} {
			_, ok, err := r.str(k, false)
			if err != nil {
				return err
			}
			if ok {
				n++
			}
		}
		if n == 0 {
			return fmt.Errorf("%s: needs description, url or external_id besides source_name (STIX 2.1 §2.5.2)", path)
		}
		if err := r.hashes("hashes"); err != nil {
			return err
		}
	}
	return nil
}

// granularMarkings checks granular_markings (§7.2.3): each marks the
// content its selectors select, which must exist, with either a marking
// definition or a language.
func (c *check) granularMarkings() error {
	list, ok, err := c.list("granular_markings", false)
	if !ok || err != nil {
		return err
	}
	for i, v := range list {
		path := index("granular_markings", i)
		m, isObj := v.(map[string]any)
		if !isObj {
			return wrongType(path, "an object", v)
		}
		g := props{m: m, path: path}
		sels, _, err := g.strings("selectors", true)
		if err != nil {
			return err
		}
		for j, s := range sels {
			if err := selectContent(c.m, s); err != nil {
				return fmt.Errorf("%s: %q %v", index(g.at("selectors"), j), s, err)
			}
		}
		switch {
		case g.has("lang") == g.has("marking_ref"):
			return fmt.Errorf("%s: needs exactly one of marking_ref and lang", path)
		case g.has("lang"):
			err = g.lang("lang")
		default:
			_, _, err = g.ref("marking_ref", true, markingRef)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// selectContent follows a granular-marking selector (§7.2.3.1) from the
// object root and reports why it selects nothing.
func selectContent(root map[string]any, sel string) error {
	var cur any = root
	for _, part := range strings.Split(sel, ".") {
		if strings.HasPrefix(part, "[") && strings.HasSuffix(part, "]") {
			n, err := strconv.Atoi(part[1 : len(part)-1])
			if err != nil || n < 0 || part[1] == '+' {
				return fmt.Errorf("is not a selector: %q is not a list index", part)
			}
			a, isList := cur.([]any)
			if !isList {
				return fmt.Errorf("selects nothing: %s is not a list", part)
			}
			if n >= len(a) {
				return fmt.Errorf("selects nothing: the list has %d items", len(a))
			}
			cur = a[n]
			continue
		}
		if part == "" {
			return errors.New("is not a selector: empty component")
		}
		m, isObj := cur.(map[string]any)
		if !isObj {
			return fmt.Errorf("selects nothing: no object holds %q", part)
		}
		v, ok := m[part]
		if !ok {
			return fmt.Errorf("selects nothing: there is no %q", part)
		}
		cur = v
	}
	return nil
}

var dictionaryKey = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,250}$`)

// extensions checks the extensions dictionary (§3.2, §3.10, §7.3, §11.3):
// each value is a non-empty object; keys that are extension-definition ids
// carry an extension_type from extension-type-enum, and new object types
// are not declared for types STIX defines.
func (c *check) extensions() error {
	ext, ok, err := c.object("extensions", false, true)
	if !ok || err != nil {
		return err
	}
	for _, key := range sortedKeys(ext.m) {
		path := "extensions[" + strconv.Quote(key) + "]"
		if !dictionaryKey.MatchString(key) {
			return fmt.Errorf("%s: not a dictionary key (a-z, A-Z, 0-9, _ and -, at most 250)", path)
		}
		m, isObj := ext.m[key].(map[string]any)
		if !isObj {
			return wrongType(path, "an object", ext.m[key])
		}
		if len(m) == 0 {
			return fmt.Errorf("%s: empty extension", path)
		}
		e := props{m: m, path: path}
		isDef := strings.HasPrefix(key, "extension-definition--")
		if isDef {
			if err := CheckID(key, "extension-definition"); err != nil {
				return fmt.Errorf("extensions: key %w", err)
			}
		}
		et, _, err := e.enum("extension_type", isDef, extensionTypes...)
		if err != nil {
			return err
		}
		if strings.HasPrefix(et, "new-") && c.spec {
			return fmt.Errorf("%s: extension_type %q cannot redefine %q, a type STIX 2.1 defines (§7.3)", path, et, c.typ)
		}
		if isDef {
			for _, k := range sortedKeys(m) {
				if !propertyName(k) {
					return fmt.Errorf("%s: property name %q: want 3 to 250 of a-z, 0-9 and _ (STIX 2.1 §7.3.2.1)", path, k)
				}
			}
		}
	}
	return nil
}

// skipWalk are dictionary-valued properties whose keys are not property
// names (and so are not read as _ref, _bin or _hex properties), and the
// deprecated observable container of observed-data, whose references are
// local keys (§2.13).
var skipWalk = []string{"hashes", "additional_header_fields", "ipfix", "environment_variables", "request_header",
	"options", "document_info_dict", "exif_tags", "startup_info"}

// walk checks, at every depth, the properties whose name fixes their type
// (§3.1): *_ref holds an identifier, *_refs a non-empty list of
// identifiers, *_bin base64 and *_hex hexadecimal octets.
func walk(m map[string]any, path, typ string) error {
	for _, k := range sortedKeys(m) {
		v := m[k]
		p := k
		if path != "" {
			p = path + "." + k
		}
		if path == "" && (typ == "observed-data" && k == "objects" || typ == "language-content" && k == "contents") {
			continue
		}
		if slices.Contains(skipWalk, k) {
			continue
		}
		var err error
		switch {
		case strings.HasSuffix(k, "_ref"):
			_, err = checkRef(p, v, anyRef)
		case strings.HasSuffix(k, "_refs"):
			_, _, err = props{m: m, path: path}.refs(k, true, anyRef)
		case strings.HasSuffix(k, "_bin"):
			err = checkBinaryValue(p, v)
		case strings.HasSuffix(k, "_hex"):
			err = checkHexValue(p, v)
		default:
			err = walkValue(v, p, typ)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func walkValue(v any, path, typ string) error {
	switch v := v.(type) {
	case map[string]any:
		return walk(v, path, typ)
	case []any:
		for i, item := range v {
			if err := walkValue(item, index(path, i), typ); err != nil {
				return err
			}
		}
	}
	return nil
}

// officialTLP maps the TLP marking-definition ids to the official objects:
// the TLP 2.0 objects of the OASIS CTI TC extension (MarkingDefinition) and
// the TLP 1.0 objects of STIX 2.1 §7.2.1.4.
var officialTLP = sync.OnceValue(func() map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, l := range []vocab.TLPLabel{vocab.TLPClear, vocab.TLPGreen, vocab.TLPAmber, vocab.TLPAmberStrict, vocab.TLPRed} {
		m, err := decodeObject(MarkingDefinition(l))
		if err != nil {
			panic(err)
		}
		out[l.MarkingID()] = m
	}
	for id, colour := range map[string]string{vocab.TLP1WhiteMarkingID: "white", vocab.TLP1GreenMarkingID: "green",
		vocab.TLP1AmberMarkingID: "amber", vocab.TLP1RedMarkingID: "red"} {
		out[id] = map[string]any{
			"type":            "marking-definition",
			"spec_version":    SpecVersion,
			"id":              id,
			"created":         "2017-01-20T00:00:00.000Z",
			"definition_type": "tlp",
			"name":            "TLP:" + strings.ToUpper(colour),
			"definition":      map[string]any{"tlp": colour},
		}
	}
	return out
})

// firstDifference describes, for a message, the first property (in name
// order) where got differs from want.
func firstDifference(got, want map[string]any) string {
	keys := sortedKeys(got)
	for k := range want {
		if _, ok := got[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		g, inGot := got[k]
		w, inWant := want[k]
		switch {
		case !inWant:
			return fmt.Sprintf("it has %s, the official object has not", k)
		case !inGot:
			return fmt.Sprintf("%s is missing", k)
		case !reflect.DeepEqual(g, w):
			return fmt.Sprintf("%s is %s, want %s", k, shortJSON(g), shortJSON(w))
		}
	}
	return ""
}

func shortJSON(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 80 {
		return string(b[:77]) + "..."
	}
	return string(b)
}
