package app

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nisnet-eu/nisnet/internal/rules"
)

// runCmd runs the real program with arguments and standard input.
func runCmd(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Run(context.Background(), args, Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }})
	return code, out.String(), errb.String()
}

func TestAssessCommandFileAndStdin(t *testing.T) {
	file := "../../examples/assess/hospital-ransomware.json"
	code, out, errs := runCmd(t, "", "assess", file)
	if code != ExitOK {
		t.Fatalf("exit %d, stderr %s", code, errs)
	}
	var res rules.Result
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("stdout is not a result: %v", err)
	}
	status := map[string]string{}
	for _, r := range res.Regimes {
		status[r.Regime] = r.Status
	}
	if status["nis2"] != rules.StatusReportable || status["gdpr"] != rules.StatusReportable {
		t.Errorf("regimes %v, want nis2 and gdpr reportable (NIS2 Art 23(3) judgement; GDPR Art 33(1))", status)
	}
	body, _ := os.ReadFile(file)
	code, out2, _ := runCmd(t, string(body), "assess", "-")
	if code != ExitOK || out2 != out {
		t.Errorf("stdin gives exit %d and a different result than the file", code)
	}
}

func TestAssessCommandText(t *testing.T) {
	code, out, errs := runCmd(t, "", "assess", "--format", "text", "../../examples/assess/dns-outage.json")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{
		"Verdict: reportable under NIS2",
		"2024/2690 Art 5(a) met: complete unavailability of recursive or authoritative domain name resolution of 45 min is more than 30 min",
		"Incident notification",
		"2026-03-08T21:40:00Z",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text output lacks %q:\n%s", want, out)
		}
	}
}

func TestAssessCommandInvalid(t *testing.T) {
	tests := []struct {
		name, stdin string
		args        []string
		want        string
	}{
		{"unknown field", `{"now":"2026-01-01T00:00:00Z","bogus":1}`, nil, "bogus: unknown field"},
		{"unknown sector", `{"now":"2026-01-01T00:00:00Z","entity":{"member_state":"NL","entity_types":["energy/nuclear"]},"incident":{"aware_at":"2025-12-31T00:00:00Z"}}`, nil, `entity.entity_types[0]: unknown NIS2 entity type "energy/nuclear"`},
		{"negative duration", `{"now":"2026-01-01T00:00:00Z","entity":{"member_state":"NL"},"incident":{"aware_at":"2025-12-31T00:00:00Z","impact":{"complete_unavailability":"-5m"}}}`, nil, "negative"},
		{"missing aware", `{"now":"2026-01-01T00:00:00Z","entity":{"member_state":"NL"}}`, nil, "incident.aware_at: required"},
		{"bad format flag", `{}`, []string{"--format", "xml"}, "--format must be json or text"},
		{"missing file", ``, []string{"/nonexistent/facts.json"}, "no such file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := runCmd(t, tc.stdin, append([]string{"assess"}, tc.args...)...)
			if code != ExitUsage {
				t.Errorf("exit %d, want %d", code, ExitUsage)
			}
			if out != "" {
				t.Errorf("stdout %q, want nothing on invalid input", out)
			}
			if !strings.Contains(errs, tc.want) {
				t.Errorf("stderr %q lacks %q", errs, tc.want)
			}
		})
	}
}

func TestAssessCommandHolidayUpdate(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"member_states":{"XX":{}}}`), 0o600)
	code, _, errs := runCmd(t, "", "assess", "--holidays", bad, "../../examples/assess/bank-weekend.json")
	if code != ExitUsage || !strings.Contains(errs, "XX") {
		t.Errorf("bad holiday file: exit %d stderr %q, want exit 2 naming XX", code, errs)
	}
}

func TestUnknownCommandAndHelp(t *testing.T) {
	code, _, errs := runCmd(t, "", "frobnicate")
	if code != ExitUsage || !strings.Contains(errs, `unknown command "frobnicate"`) {
		t.Errorf("exit %d stderr %q", code, errs)
	}
	code, out, _ := runCmd(t, "", "help")
	if code != ExitOK || !strings.Contains(out, "assess") || !strings.Contains(out, "serve") {
		t.Errorf("help: exit %d, output %q", code, out)
	}
}
