package stix

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// schemaBase is the $id prefix of the official STIX 2.1 JSON Schemas
// (oasis-open/cti-stix2-json-schemas). They are registered under their ids
// and never fetched.
const schemaBase = "http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas/"

// Schemas validates STIX objects against the official STIX 2.1 JSON Schemas
// (draft 2020-12), loaded from a copy on disk. The schemas are
// non-normative; nisnet uses them in tests and, when a node is given a copy,
// on objects it receives in addition to its own checks.
type Schemas struct {
	byType map[string]*jsonschema.Schema // sdos, sros, observables, marking and extension definitions
	core   *jsonschema.Schema            // for types without a schema of their own
	bundle *jsonschema.Schema
}

// LoadSchemas compiles the schemas under dir, the "schemas" folder of
// oasis-open/cti-stix2-json-schemas (with common/, sdos/, sros/ and
// observables/).
func LoadSchemas(dir string) (*Schemas, error) {
	c := jsonschema.NewCompiler()
	fsys := os.DirFS(dir)
	var files []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".json") {
			b, err := fs.ReadFile(fsys, p)
			if err != nil {
				return err
			}
			doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
			if err != nil {
				return fmt.Errorf("%s: %w", p, err)
			}
			if err := c.AddResource(schemaBase+p, doc); err != nil {
				return fmt.Errorf("%s: %w", p, err)
			}
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("stix: load schemas from %s: %w", dir, err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("stix: load schemas: no .json files under %s", dir)
	}
	s := &Schemas{byType: map[string]*jsonschema.Schema{}}
	for _, p := range files {
		folder, file := path.Split(p)
		typ := strings.TrimSuffix(file, ".json")
		switch {
		case folder == "sdos/" || folder == "sros/" || folder == "observables/",
			p == "common/marking-definition.json", p == "common/extension-definition.json",
			p == "common/language-content.json":
		case p == "common/core.json", p == "common/bundle.json":
		default:
			continue
		}
		sch, err := c.Compile(schemaBase + p)
		if err != nil {
			return nil, fmt.Errorf("stix: compile schema %s: %w", filepath.Join(dir, p), err)
		}
		switch p {
		case "common/core.json":
			s.core = sch
		case "common/bundle.json":
			s.bundle = sch
		default:
			s.byType[typ] = sch
		}
	}
	if s.core == nil {
		return nil, fmt.Errorf("stix: load schemas: %s has no common/core.json", dir)
	}
	return s, nil
}

// Has reports whether there is a schema for objects of type typ (other than
// the common core schema every object is checked against).
func (s *Schemas) Has(typ string) bool { _, ok := s.byType[typ]; return ok }

// Validate checks one STIX object against the schema of its type, or
// against the common core schema for a type without one.
func (s *Schemas) Validate(raw json.RawMessage) error {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return errors.New("not a JSON object")
	}
	typ, _ := m["type"].(string)
	sch := s.byType[typ]
	if sch == nil {
		sch = s.core
	}
	if err := sch.Validate(v); err != nil {
		return schemaError(typ, err)
	}
	return nil
}

// ValidateBundle checks a STIX bundle against the bundle schema.
func (s *Schemas) ValidateBundle(raw json.RawMessage) error {
	if s.bundle == nil {
		return errors.New("stix: no bundle schema loaded")
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	if err := s.bundle.Validate(v); err != nil {
		return schemaError("bundle", err)
	}
	return nil
}

var english = message.NewPrinter(language.English)

// schemaError makes the validator's error one line naming the schema.
func schemaError(typ string, err error) error {
	var ve *jsonschema.ValidationError
	if errors.As(err, &ve) {
		var msgs []string
		for _, leaf := range leaves(ve) {
			loc := "/" + strings.Join(leaf.InstanceLocation, "/")
			msgs = append(msgs, fmt.Sprintf("at %s: %s", loc, leaf.ErrorKind.LocalizedString(english)))
		}
		return fmt.Errorf("the STIX 2.1 schema of %s does not accept it: %s", typ, strings.Join(msgs, "; "))
	}
	return fmt.Errorf("the STIX 2.1 schema of %s does not accept it: %v", typ, err)
}

func leaves(e *jsonschema.ValidationError) []*jsonschema.ValidationError {
	if len(e.Causes) == 0 {
		return []*jsonschema.ValidationError{e}
	}
	var out []*jsonschema.ValidationError
	for _, c := range e.Causes {
		out = append(out, leaves(c)...)
	}
	if len(out) > 5 {
		out = out[:5]
	}
	return out
}
