package main

import (
	"bytes"
	"os"
	"testing"
)

// TestCommittedDataIsGenerated guards against hand edits of holidays.json
// and against rule changes without "go generate".
func TestCommittedDataIsGenerated(t *testing.T) {
	want, err := generate(minYear, 2030)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../../holidays.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("holidays.json differs from the generator's output: got %d bytes, want %d; run go generate in internal/calendar", len(got), len(want))
	}
}

func TestGenerateRejectsYears(t *testing.T) {
	for _, r := range [][2]int{{minYear - 1, 2030}, {2030, 2029}, {2025, 2201}} {
		if _, err := generate(r[0], r[1]); err == nil {
			t.Errorf("generate(%d, %d): got no error, want one", r[0], r[1])
		}
	}
}
