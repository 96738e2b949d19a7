package stix

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// props reads typed properties of one decoded JSON object (a STIX object or
// an object nested in it) and words the errors with the property's path.
type props struct {
	m    map[string]any
	path string // "" for the STIX object itself
}

// at is the path of property key.
func (p props) at(key string) string {
	if p.path == "" {
		return key
	}
	return p.path + "." + key
}

func (p props) has(key string) bool { _, ok := p.m[key]; return ok }

func index(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

// jsonKind names the JSON type of a decoded value, for messages.
func jsonKind(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

func wrongType(path, want string, v any) error {
	return fmt.Errorf("%s: want %s, found %s", path, want, jsonKind(v))
}

func missing(path string) error { return fmt.Errorf("%s is required", path) }

// get returns the value of key; err is set when it is required and absent.
func (p props) get(key string, required bool) (any, bool, error) {
	v, ok := p.m[key]
	if !ok && required {
		return nil, false, missing(p.at(key))
	}
	return v, ok, nil
}

func (p props) str(key string, required bool) (string, bool, error) {
	v, ok, err := p.get(key, required)
	if !ok {
		return "", false, err
	}
	s, isStr := v.(string)
	if !isStr {
		return "", true, wrongType(p.at(key), "a string", v)
	}
	return s, true, nil
}

func (p props) boolean(key string, required bool) (bool, bool, error) {
	v, ok, err := p.get(key, required)
	if !ok {
		return false, false, err
	}
	b, isBool := v.(bool)
	if !isBool {
		return false, true, wrongType(p.at(key), "true or false", v)
	}
	return b, true, nil
}

// maxInteger is the largest magnitude of a STIX integer (§2.10: it must fit
// a signed 54-bit value, as in RFC 7493).
const maxInteger = 1<<53 - 1

// integer reads an integer in [lo, hi]. A JSON number with a zero fraction
// (3.0) is an integer, as in JSON Schema.
func (p props) integer(key string, required bool, lo, hi int64) (int64, bool, error) {
	v, ok, err := p.get(key, required)
	if !ok {
		return 0, false, err
	}
	n, err := toInteger(p.at(key), v)
	if err != nil {
		return 0, true, err
	}
	if n < lo || n > hi {
		return 0, true, fmt.Errorf("%s: %d is out of range: want %d to %d", p.at(key), n, lo, hi)
	}
	return n, true, nil
}

func toInteger(path string, v any) (int64, error) {
	num, isNum := v.(json.Number)
	if !isNum {
		return 0, wrongType(path, "an integer", v)
	}
	if n, err := strconv.ParseInt(string(num), 10, 64); err == nil {
		if n > maxInteger || n < -maxInteger {
			return 0, fmt.Errorf("%s: %s is larger than a STIX integer (54 bits)", path, num)
		}
		return n, nil
	}
	f, err := strconv.ParseFloat(string(num), 64)
	if err != nil || f != math.Trunc(f) {
		return 0, fmt.Errorf("%s: %s is not an integer", path, num)
	}
	if math.Abs(f) > maxInteger {
		return 0, fmt.Errorf("%s: %s is larger than a STIX integer (54 bits)", path, num)
	}
	return int64(f), nil
}

// number reads a float in [lo, hi].
func (p props) number(key string, required bool, lo, hi float64) (float64, bool, error) {
	v, ok, err := p.get(key, required)
	if !ok {
		return 0, false, err
	}
	num, isNum := v.(json.Number)
	if !isNum {
		return 0, true, wrongType(p.at(key), "a number", v)
	}
	f, err := strconv.ParseFloat(string(num), 64)
	if err != nil {
		return 0, true, fmt.Errorf("%s: %s is not a finite number", p.at(key), num)
	}
	if f < lo || f > hi {
		return 0, true, fmt.Errorf("%s: %s is out of range: want %g to %g", p.at(key), num, lo, hi)
	}
	return f, true, nil
}

func (p props) timestamp(key string, required bool) (time.Time, bool, error) {
	s, ok, err := p.str(key, required)
	if !ok || err != nil {
		return time.Time{}, ok, err
	}
	t, err := ParseTimestamp(s)
	if err != nil {
		return time.Time{}, true, fmt.Errorf("%s: %w", p.at(key), err)
	}
	return t, true, nil
}

// timestamps checks that each of keys, when present, is a timestamp.
func (p props) timestamps(keys ...string) error {
	for _, k := range keys {
		if _, _, err := p.timestamp(k, false); err != nil {
			return err
		}
	}
	return nil
}

// ordered checks that timestamp last is not before first (or, if strict,
// is after it), when both are present.
func (p props) ordered(first, last string, strict bool) error {
	a, okA, err := p.timestamp(first, false)
	if err != nil {
		return err
	}
	b, okB, err := p.timestamp(last, false)
	if err != nil || !okA || !okB {
		return err
	}
	if b.Before(a) || (strict && b.Equal(a)) {
		rel := "before"
		if !b.Before(a) {
			rel = "not after"
		}
		return fmt.Errorf("%s %q is %s %s %q", p.at(last), p.m[last], rel, first, p.m[first])
	}
	return nil
}

// list reads a non-empty list (§2.12: empty lists are prohibited).
func (p props) list(key string, required bool) ([]any, bool, error) {
	v, ok, err := p.get(key, required)
	if !ok {
		return nil, false, err
	}
	a, isList := v.([]any)
	if !isList {
		return nil, true, wrongType(p.at(key), "a list", v)
	}
	if len(a) == 0 {
		return nil, true, fmt.Errorf("%s: empty list (omit the property instead)", p.at(key))
	}
	return a, true, nil
}

func (p props) strings(key string, required bool) ([]string, bool, error) {
	a, ok, err := p.list(key, required)
	if !ok || err != nil {
		return nil, ok, err
	}
	out := make([]string, len(a))
	for i, v := range a {
		s, isStr := v.(string)
		if !isStr {
			return nil, true, wrongType(index(p.at(key), i), "a string", v)
		}
		out[i] = s
	}
	return out, true, nil
}

// object reads a nested JSON object; nonEmpty refuses {} (§2.3 for
// dictionaries).
func (p props) object(key string, required, nonEmpty bool) (props, bool, error) {
	v, ok, err := p.get(key, required)
	if !ok {
		return props{}, false, err
	}
	m, isObj := v.(map[string]any)
	if !isObj {
		return props{}, true, wrongType(p.at(key), "an object", v)
	}
	if nonEmpty && len(m) == 0 {
		return props{}, true, fmt.Errorf("%s: empty object (omit the property instead)", p.at(key))
	}
	return props{m: m, path: p.at(key)}, true, nil
}

func (p props) enum(key string, required bool, values ...string) (string, bool, error) {
	s, ok, err := p.str(key, required)
	if !ok || err != nil {
		return s, ok, err
	}
	if !slices.Contains(values, s) {
		return s, true, fmt.Errorf("%s: %q is not one of %s", p.at(key), s, strings.Join(values, ", "))
	}
	return s, true, nil
}

// refRule restricts the type of object an identifier may reference.
type refRule struct {
	want string // "an identity", for messages
	ok   func(typ string) bool
}

// anyRef is any STIX identifier.
var anyRef = refRule{}

// refTo allows identifiers of the given types; want names them with an
// article ("a file or artifact").
func refTo(want string, types ...string) refRule {
	return refRule{want: want, ok: func(t string) bool { return slices.Contains(types, t) }}
}

func checkRef(path string, v any, r refRule) (string, error) {
	s, isStr := v.(string)
	if !isStr {
		return "", wrongType(path, "an identifier", v)
	}
	if err := CheckID(s, ""); err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	if r.ok != nil {
		if t, _, _ := strings.Cut(s, "--"); !r.ok(t) {
			return "", fmt.Errorf("%s: %q is not %s id", path, s, r.want)
		}
	}
	return s, nil
}

func (p props) ref(key string, required bool, r refRule) (string, bool, error) {
	v, ok, err := p.get(key, required)
	if !ok {
		return "", false, err
	}
	s, err := checkRef(p.at(key), v, r)
	return s, true, err
}

func (p props) refs(key string, required bool, r refRule) ([]string, bool, error) {
	a, ok, err := p.list(key, required)
	if !ok || err != nil {
		return nil, ok, err
	}
	out := make([]string, len(a))
	for i, v := range a {
		if out[i], err = checkRef(index(p.at(key), i), v, r); err != nil {
			return nil, true, err
		}
	}
	return out, true, nil
}

// hashHexLen gives the length of the hash-algorithm-ov values (§10.7) whose
// format this package checks: hexadecimal digests of a fixed length.
var hashHexLen = map[string]int{"MD5": 32, "SHA-1": 40, "SHA-256": 64, "SHA-512": 128, "SHA3-256": 64, "SHA3-512": 128}

var hashKey = regexp.MustCompile(`^[a-zA-Z0-9_-]{3,250}$`)

// hashes checks a hashes dictionary (§2.7).
func (p props) hashes(key string) error {
	h, ok, err := p.object(key, false, true)
	if !ok || err != nil {
		return err
	}
	for _, k := range sortedKeys(h.m) {
		if !hashKey.MatchString(k) {
			return fmt.Errorf("%s: %q is not a hash algorithm name (3 to 250 of a-z, A-Z, 0-9, _ and -)", h.path, k)
		}
		s, _, err := h.str(k, true)
		if err != nil {
			return err
		}
		if n, known := hashHexLen[k]; known && (len(s) != n || !isHex(s)) {
			return fmt.Errorf("%s: %q is not a %s digest (%d hexadecimal digits)", h.at(k), s, k, n)
		}
		if s == "" {
			return fmt.Errorf("%s: empty hash value", h.at(k))
		}
	}
	return nil
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// checkHexValue checks a hex property (§2.8): an even number of hexadecimal
// digits. The specification asks for lower case; upper case is accepted as
// the official JSON schema does.
func checkHexValue(path string, v any) error {
	s, ok := v.(string)
	if !ok {
		return wrongType(path, "a hexadecimal string", v)
	}
	if len(s)%2 != 0 || !isHex(s) {
		return fmt.Errorf("%s: %q is not hexadecimal octets", path, s)
	}
	return nil
}

// checkBinaryValue checks a binary property (§2.1): base64 (RFC 4648).
func checkBinaryValue(path string, v any) error {
	s, ok := v.(string)
	if !ok {
		return wrongType(path, "a base64 string", v)
	}
	if _, err := base64.StdEncoding.DecodeString(s); err != nil {
		return fmt.Errorf("%s: not base64: %v", path, err)
	}
	return nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// languageTag matches well-formed RFC 5646 language tags (langtag and
// privateuse productions; the irregular grandfathered tags are listed in
// irregularTags). It checks the form, not the registry.
var languageTag = regexp.MustCompile(`^(?i)(?:(?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4,8})(?:-[a-z]{4})?(?:-(?:[a-z]{2}|[0-9]{3}))?(?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*(?:-[0-9a-wyz](?:-[a-z0-9]{2,8})+)*(?:-x(?:-[a-z0-9]{1,8})+)?|x(?:-[a-z0-9]{1,8})+)$`)

var irregularTags = []string{"en-gb-oed", "i-ami", "i-bnn", "i-default", "i-enochian", "i-hak", "i-klingon", "i-lux",
	"i-mingo", "i-navajo", "i-pwn", "i-tao", "i-tay", "i-tsu", "sgn-be-fr", "sgn-be-nl", "sgn-ch-de"}

// ValidLanguageTag reports whether s is a well-formed RFC 5646 language
// tag, as the STIX lang properties require (§3.2, §7.1, §7.2.3).
func ValidLanguageTag(s string) bool {
	return len(s) <= 256 && (languageTag.MatchString(s) || slices.Contains(irregularTags, strings.ToLower(s)))
}

func (p props) lang(key string) error {
	s, ok, err := p.str(key, false)
	if ok && err == nil && !ValidLanguageTag(s) {
		return fmt.Errorf("%s: %q is not an RFC 5646 language tag", p.at(key), s)
	}
	return err
}
