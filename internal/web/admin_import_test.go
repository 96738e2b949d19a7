package web

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestReadImport(t *testing.T) {
	for _, tc := range []struct {
		name, file string
		rows       int
		err        string
	}{
		{"bom and spaces", "\ufeffname, member_state\nA,NL\nB,BE\n", 2, ""},
		{"any order, few columns", "member_state,employees,name\nNL,3,A\n", 1, ""},
		{"empty", "", 0, "empty file"},
		{"unknown column", "name,member_state,colour\n", 0, "unknown: colour"},
		{"twice", "name,member_state,name\n", 0, "twice: name"},
		{"no member_state", "name,employees\n", 0, "missing: member_state"},
		{"bad quote", "name,member_state\n\"A,NL\nB\"x,BE\n", 0, "parse error"},
		{"too many", "name,member_state\n" + strings.Repeat("A,NL\n", maxImportRows+1), 0, "too many rows"},
		{"just enough", "name,member_state\n" + strings.Repeat("A,NL\n", maxImportRows), maxImportRows, ""},
	} {
		_, recs, err := readImport([]byte(tc.file))
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: error %v, want %q", tc.name, err, tc.err)
			}
			continue
		}
		if err != nil || len(recs) != tc.rows {
			t.Errorf("%s: %d rows, %v; want %d", tc.name, len(recs), err, tc.rows)
		}
	}
	// A row with the wrong number of cells is reported, the next ones read.
	_, recs, err := readImport([]byte("name,member_state\nA,NL,extra\nB,BE\n"))
	if err != nil || len(recs) != 2 || recs[0].err == nil || recs[1].err != nil || recs[1].fields[0] != "B" {
		t.Errorf("wrong cell count: %+v, %v", recs, err)
	}
}

func TestImportProfile(t *testing.T) {
	header, recs, err := readImport([]byte(strings.Join([]string{
		"name,member_state,entity_types,employees,annual_turnover_eur,cer_critical,dora_entity_type,gdpr_role",
		"A,nl, energy/electricity/dso ; digital-infrastructure/dns ;,12,1.5e6,yes,credit-institution,controller",
		"B,BE,,twelve,lots,maybe,,",
		",DE,,,,,,",
		strings.Repeat("x", maxImportField+1) + ",NL,,,,,,",
	}, "\n")))
	if err != nil {
		t.Fatal(err)
	}
	p, problems := importProfile(header, recs[0].fields)
	if len(problems) != 0 || p["member_state"] != "NL" || !slices.Equal(p["entity_types"].([]string), []string{"energy/electricity/dso", "digital-infrastructure/dns"}) ||
		p["size"].(map[string]any)["employees"] != int64(12) || p["size"].(map[string]any)["annual_turnover_eur"] != 1.5e6 ||
		p["designations"].(map[string]any)["cer_critical"] != true || p["dora"].(map[string]any)["entity_type"] != "credit-institution" {
		t.Errorf("row A: %v %v", p, problems)
	}
	if problems := checkImportProfile(p); len(problems) != 0 {
		t.Errorf("row A checked: %v", problems)
	}
	_, problems = importProfile(header, recs[1].fields)
	if got := fmt.Sprint(problems); !strings.Contains(got, "employees") || !strings.Contains(got, "annual_turnover_eur") || !strings.Contains(got, "cer_critical") {
		t.Errorf("row B: %v", got)
	}
	if _, problems = importProfile(header, recs[2].fields); len(problems) != 1 || problems[0].Column != "name" {
		t.Errorf("row without a name: %v", problems)
	}
	if _, problems = importProfile(header, recs[3].fields); len(problems) != 1 || problems[0].Column != "name" || !strings.Contains(problems[0].Message, "longer") {
		t.Errorf("a cell too long: %v", problems)
	}
	// The local check names the columns as the API's answer would.
	bad := map[string]any{"name": "C", "member_state": "XX", "entity_types": []string{"energy/electricity/dso", "nope"},
		"size": map[string]any{"employees": -1}, "gdpr_role": "owner"}
	got := map[string]bool{}
	for _, pr := range checkImportProfile(bad) {
		got[pr.Column] = true
	}
	for _, c := range []string{"member_state", "entity_types", "employees", "gdpr_role"} {
		if !got[c] {
			t.Errorf("check: no problem named for column %s (%v)", c, got)
		}
	}
	if c := columnOf("entity_types[3]"); c != "entity_types" {
		t.Errorf("columnOf: %q", c)
	}
}
