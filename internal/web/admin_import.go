package web

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nisnet-eu/nisnet/internal/rules"
)

// The CSV import of entities (docs/admin-import.md): one entity a row,
// each created through POST /api/v1/organisations; a row that fails does
// not stop the others.

// Limits of an import, besides the upload's size (maxUploadBytes).
const (
	maxImportRows  = 5000 // data rows, the header not counted
	maxImportField = 1000 // bytes in one cell
)

// importColumn is a column of the CSV and the profile key it fills.
type importColumn struct {
	Name string // the header's name
	Path string // the profile's dotted path
	Kind string // kText, kList (";"-separated), kInt, kNumber, kBool
}

var importColumns = []importColumn{
	{"name", "name", kText},
	{"member_state", "member_state", kText},
	{"entity_types", "entity_types", kList},
	{"employees", "size.employees", kInt},
	{"annual_turnover_eur", "size.annual_turnover_eur", kNumber},
	{"balance_sheet_eur", "size.balance_sheet_eur", kNumber},
	{"main_establishment", "main_establishment", kText},
	{"dora_entity_type", "dora.entity_type", kText},
	{"cer_critical", "designations.cer_critical", kBool},
	{"qualified_trust_service_provider", "qualified_trust_service_provider", kBool},
	{"cra_manufacturer", "cra.manufacturer", kBool},
	{"gdpr_role", "gdpr_role", kText},
}

// importExample is the example file GET …/import/example.csv serves.
const importExample = `name,member_state,entity_types,employees,annual_turnover_eur,balance_sheet_eur,main_establishment,dora_entity_type,cer_critical,qualified_trust_service_provider,cra_manufacturer,gdpr_role
Example Grid B.V.,NL,energy/electricity/dso,850,120000000,,NL,,true,false,false,controller
Example Cloud GmbH,DE,digital-infrastructure/cloud;digital-infrastructure/data-centre,300,45000000,30000000,DE,,false,false,false,processor
Example Payments S.A.,BE,,120,20000000,,BE,payment-institution,false,false,false,controller
`

// importProblem is one thing wrong with a row, and the column it concerns
// ("" for the whole row).
type importProblem struct {
	Column, Message string
}

// importRow is a row's line in the report.
type importRow struct {
	Row      int // the row's number in the file; the header is row 1
	Name     string
	ID       string // the created organisation
	Valid    bool   // check only: nothing found wrong
	Problems []importProblem
}

// importData is the import page: the form, and after an upload the report.
type importData struct {
	Columns   []importColumn
	CheckOnly bool
	Error     string
	Done      bool
	Rows      []importRow
	Created   int
	Failed    int
	MaxRows   int
}

func (u *UI) adminImportForm(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := requireNodeAdmin(v); err != nil {
		return err
	}
	v.Title, v.Nav = v.T("admin.import.title"), "organisations"
	u.render(w, http.StatusOK, "admin_import", v, &importData{Columns: importColumns, MaxRows: maxImportRows})
	return nil
}

func (u *UI) adminImportExample(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := requireNodeAdmin(v); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="nisnet-entities-example.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	io.WriteString(w, importExample)
	return nil
}

func (u *UI) adminImport(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := requireNodeAdmin(v); err != nil {
		return err
	}
	d := &importData{Columns: importColumns, MaxRows: maxImportRows, CheckOnly: r.PostFormValue("check_only") != ""}
	v.Title, v.Nav = v.T("admin.import.title"), "organisations"
	fail := func(msg string) error {
		d.Error = msg
		u.render(w, http.StatusBadRequest, "admin_import", v, d)
		return nil
	}
	file, _, err := r.FormFile("file")
	if err != nil {
		return fail(v.T("admin.import.no_file"))
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, maxUploadBytes+1))
	if err != nil {
		return err
	}
	header, records, err := readImport(data)
	if err != nil {
		return fail(importFileError(v, err))
	}
	for i, rec := range records {
		row := importRow{Row: i + 2}
		profile, problems := importProfile(header, rec.fields)
		if rec.err != nil {
			problems = append(problems, importProblem{Message: v.T("admin.import.bad_row", "error", rec.err.Error())})
		}
		row.Name, _ = profile["name"].(string)
		switch {
		case len(problems) > 0:
		case d.CheckOnly:
			problems = checkImportProfile(profile)
		default:
			var created adminOrg
			_, err := u.call(r, http.MethodPost, "/api/v1/organisations", map[string]any{"name": row.Name, "profile": profile}, &created)
			var ae *apiError
			switch {
			case err == nil:
				row.ID = created.ID
			case errors.As(err, &ae) && ae.Status < 500:
				problems = apiImportProblems(ae)
			default:
				return err
			}
		}
		row.Problems = problems
		row.Valid = len(problems) == 0
		if row.Valid {
			d.Created++
		} else {
			d.Failed++
		}
		d.Rows = append(d.Rows, row)
	}
	d.Done = true
	u.render(w, http.StatusOK, "admin_import", v, d)
	return nil
}

// importRecord is a data row of the file: its cells, or why it could not
// be read as a whole.
type importRecord struct {
	fields []string
	err    error
}

// Errors about the file as a whole.
var (
	errImportEmpty   = errors.New("empty file")
	errImportTooMany = errors.New("too many rows")
)

type importHeaderError struct{ column, problem string }

func (e *importHeaderError) Error() string { return e.problem + ": " + e.column }

// readImport reads the header and every data row. A row with the wrong
// number of cells is kept with its error; a file that is not CSV, has an
// unusable header or too many rows is refused as a whole, so nothing is
// created from it.
func readImport(data []byte) ([]int, []importRecord, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a UTF-8 byte-order mark
	cr := csv.NewReader(bytes.NewReader(data))
	cr.TrimLeadingSpace = true
	head, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil, errImportEmpty
	}
	if err != nil {
		return nil, nil, err
	}
	// header[i] is the index in importColumns of the file's column i.
	header := make([]int, len(head))
	seen := map[int]bool{}
	for i, h := range head {
		name := strings.ToLower(strings.TrimSpace(h))
		header[i] = -1
		for ci, c := range importColumns {
			if c.Name == name {
				header[i] = ci
			}
		}
		if header[i] < 0 {
			return nil, nil, &importHeaderError{column: h, problem: "unknown"}
		}
		if seen[header[i]] {
			return nil, nil, &importHeaderError{column: h, problem: "twice"}
		}
		seen[header[i]] = true
	}
	for _, required := range []int{0, 1} {
		if !seen[required] {
			return nil, nil, &importHeaderError{column: importColumns[required].Name, problem: "missing"}
		}
	}
	var out []importRecord
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if len(out) >= maxImportRows {
			return nil, nil, errImportTooMany
		}
		if errors.Is(err, csv.ErrFieldCount) {
			out = append(out, importRecord{err: fmt.Errorf("%d cells, the header has %d", len(rec), len(head))})
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		out = append(out, importRecord{fields: rec})
	}
	return header, out, nil
}

// importFileError says in the reader's language why a file was refused.
func importFileError(v *view, err error) string {
	var he *importHeaderError
	switch {
	case errors.Is(err, errImportEmpty):
		return v.T("admin.import.empty")
	case errors.Is(err, errImportTooMany):
		return v.T("admin.import.too_many", "max", strconv.Itoa(maxImportRows))
	case errors.As(err, &he):
		return v.T("admin.import.header_"+he.problem, "column", he.column)
	}
	return v.T("admin.import.not_csv", "error", err.Error())
}

// importProfile turns a row's cells into an entity profile; problems are
// what could not be read.
func importProfile(header []int, cells []string) (map[string]any, []importProblem) {
	profile := map[string]any{}
	var problems []importProblem
	for i, cell := range cells {
		if i >= len(header) {
			break
		}
		c := importColumns[header[i]]
		s := strings.TrimSpace(cell)
		if len(s) > maxImportField {
			problems = append(problems, importProblem{c.Name, fmt.Sprintf("longer than %d bytes", maxImportField)})
			continue
		}
		if s == "" {
			continue
		}
		var x any
		switch c.Kind {
		case kText:
			x = s
			if c.Name == "member_state" || c.Name == "main_establishment" {
				x = strings.ToUpper(s)
			}
		case kList:
			var list []string
			for _, p := range strings.Split(s, ";") {
				if p = strings.TrimSpace(p); p != "" {
					list = append(list, p)
				}
			}
			if len(list) == 0 {
				continue
			}
			x = list
		case kInt:
			n, err := strconv.ParseInt(strings.ReplaceAll(s, " ", ""), 10, 64)
			if err != nil {
				problems = append(problems, importProblem{c.Name, "not a whole number: " + strconv.Quote(s)})
				continue
			}
			x = n
		case kNumber:
			n, err := strconv.ParseFloat(strings.ReplaceAll(s, " ", ""), 64)
			if err != nil {
				problems = append(problems, importProblem{c.Name, "not a number: " + strconv.Quote(s)})
				continue
			}
			x = n
		case kBool:
			switch strings.ToLower(s) {
			case "true", "yes", "1", "x":
				x = true
			case "false", "no", "0":
				continue
			default:
				problems = append(problems, importProblem{c.Name, "not true or false: " + strconv.Quote(s)})
				continue
			}
		}
		setPath(profile, c.Path, x)
	}
	if profile["name"] == nil && !slices.ContainsFunc(problems, func(p importProblem) bool { return p.Column == "name" }) {
		problems = append(problems, importProblem{"name", "required"})
	}
	return profile, problems
}

// checkImportProfile checks a profile here, as the API would (the entity
// part of the engine's facts validation), without creating anything.
func checkImportProfile(profile map[string]any) []importProblem {
	var problems []importProblem
	if name, _ := profile["name"].(string); len(name) > 200 {
		problems = append(problems, importProblem{"name", "too long"})
	}
	b, err := json.Marshal(profile)
	if err != nil {
		return append(problems, importProblem{Message: err.Error()})
	}
	var e rules.Entity
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		return append(problems, importProblem{Message: err.Error()})
	}
	facts := rules.Facts{Now: time.Now(), Entity: e, Incident: rules.Incident{Kind: "near_miss"}}
	var fe *rules.FieldErrors
	if err := facts.Validate(); errors.As(err, &fe) {
		for _, f := range fe.List {
			if rest, ok := strings.CutPrefix(f.Field, "entity."); ok {
				problems = append(problems, importProblem{columnOf(rest), f.Message})
			}
		}
	}
	return problems
}

// apiImportProblems names the columns the API's objections concern.
func apiImportProblems(ae *apiError) []importProblem {
	if len(ae.Fields) == 0 {
		return []importProblem{{Message: ae.Message}}
	}
	var out []importProblem
	for _, f := range ae.Fields {
		col := columnOf(strings.TrimPrefix(f.Field, "profile."))
		msg := f.Message
		if col == "" {
			msg = f.Field + ": " + msg
		}
		out = append(out, importProblem{col, msg})
	}
	return out
}

// columnOf returns the column of a profile path ("size.employees",
// "entity_types[1]"), or "" when no column sets it.
func columnOf(path string) string {
	path = indexSuffix.ReplaceAllString(path, "")
	for _, c := range importColumns {
		if c.Path == path {
			return c.Name
		}
	}
	return ""
}
