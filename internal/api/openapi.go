package api

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/nisnet-eu/nisnet/internal/rules"
	"github.com/nisnet-eu/nisnet/internal/vocab"
)

// operation documents one route of the API.
type operation struct {
	method, path, id, summary string
	request                   reflect.Type // nil when there is no body
	response                  reflect.Type
	status                    int
	errors                    []int
}

// operations lists every documented route; a test checks it against the
// real mux, so the document cannot drift from the routes.
var operations = []operation{
	{"POST", "/api/v1/assessments", "createAssessment", "Assess facts: which regimes apply, which reports are due when, whom to route to, and why. Stateless.",
		reflect.TypeFor[rules.Facts](), reflect.TypeFor[rules.Result](), 200, []int{400, 413, 415}},
	{"GET", "/api/v1/vocabularies", "listVocabularies", "List the controlled vocabularies (sectors, entity types, RSIT, TLP, Member States …).",
		nil, reflect.TypeFor[vocabularyIndex](), 200, nil},
	{"GET", "/api/v1/vocabularies/{name}", "getVocabulary", "One controlled vocabulary with its entries.",
		nil, reflect.TypeFor[vocab.Vocabulary](), 200, []int{404}},
	{"GET", "/api/v1/openapi.json", "getOpenAPI", "This OpenAPI 3.1 document.",
		nil, nil, 200, nil},
}

var (
	openAPIOnce sync.Once
	openAPIDoc  []byte
)

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) error {
	openAPIOnce.Do(func() {
		b, err := json.MarshalIndent(OpenAPI(), "", "  ")
		if err != nil {
			panic(err)
		}
		openAPIDoc = b
	})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, err := w.Write(openAPIDoc)
	return err
}

// OpenAPI builds the OpenAPI 3.1 document from the operation table and the
// Go types of requests and responses.
func OpenAPI() map[string]any {
	g := &schemaGen{defs: map[string]any{}}
	paths := map[string]any{}
	for _, op := range operations {
		item, _ := paths[op.path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[op.path] = item
		}
		o := map[string]any{"operationId": op.id, "summary": op.summary}
		if strings.Contains(op.path, "{name}") {
			o["parameters"] = []any{map[string]any{"name": "name", "in": "path", "required": true, "schema": map[string]any{"type": "string"}}}
		}
		if op.request != nil {
			o["requestBody"] = map[string]any{"required": true, "content": map[string]any{
				"application/json": map[string]any{"schema": g.schema(op.request, true)}}}
		}
		okResp := map[string]any{"description": "success"}
		if op.response != nil {
			okResp["content"] = map[string]any{"application/json": map[string]any{"schema": g.schema(op.response, false)}}
		} else {
			okResp["content"] = map[string]any{"application/json": map[string]any{"schema": map[string]any{"type": "object"}}}
		}
		resps := map[string]any{itoa(op.status): okResp}
		for _, st := range append(op.errors, 500) {
			resps[itoa(st)] = map[string]any{"description": http.StatusText(st), "content": map[string]any{
				"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/ErrorEnvelope"}}}}
		}
		o["responses"] = resps
		item[strings.ToLower(op.method)] = o
	}
	g.defs["ErrorEnvelope"] = map[string]any{
		"type": "object", "required": []string{"error"},
		"properties": map[string]any{"error": g.schema(reflect.TypeFor[Error](), false)},
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":       "nisnet API",
			"version":     "v1",
			"description": "JSON API of a nisnet node. Facts and results of the reportability engine are documented field by field in docs/assess.md. Unknown fields in request bodies are rejected. Errors use one envelope: {\"error\": {\"code\", \"message\", \"fields\"}}.",
		},
		"paths":      paths,
		"components": map[string]any{"schemas": g.defs},
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// schemaGen derives JSON Schemas (2020-12, as OpenAPI 3.1 uses) from Go
// types via their json tags.
type schemaGen struct {
	defs map[string]any
}

var (
	timeType     = reflect.TypeFor[time.Time]()
	durationType = reflect.TypeFor[rules.Duration]()
)

func (g *schemaGen) schema(t reflect.Type, strict bool) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t {
	case timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case durationType:
		return map[string]any{"oneOf": []any{
			map[string]any{"type": "string", "description": "Go duration (\"1h30m\") or ISO 8601 (\"PT1H30M\")"},
			map[string]any{"type": "number", "minimum": 0, "description": "seconds"}}}
	}
	switch t.Kind() {
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int64, reflect.Int32:
		return map[string]any{"type": "integer"}
	case reflect.Float64, reflect.Float32:
		return map[string]any{"type": "number"}
	case reflect.Slice:
		return map[string]any{"type": "array", "items": g.schema(t.Elem(), strict)}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.schema(t.Elem(), strict)}
	case reflect.Struct:
		name := t.Name()
		if _, ok := g.defs[name]; !ok {
			g.defs[name] = map[string]any{} // placeholder against recursion
			props := map[string]any{}
			for i := range t.NumField() {
				f := t.Field(i)
				if !f.IsExported() {
					continue
				}
				tag := f.Tag.Get("json")
				if tag == "-" {
					continue
				}
				jname, _, _ := strings.Cut(tag, ",")
				if jname == "" {
					jname = f.Name
				}
				props[jname] = g.schema(f.Type, strict)
			}
			def := map[string]any{"type": "object", "properties": props}
			if strict {
				def["additionalProperties"] = false
			}
			g.defs[name] = def
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	}
	return map[string]any{}
}
