package app

import (
	"flag"
	"os"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the worked examples in docs/assess.md from the real output")

// exampleBlock matches a documented command and the output block after it.
var exampleBlock = regexp.MustCompile("(?s)\\$ nisnet (assess [^\\n]+)\\n```\\n```\\n(.*?)```")

// TestDocsWorkedExamples keeps docs/assess.md honest: each worked example's
// output is exactly what the command prints. Refresh with -update.
func TestDocsWorkedExamples(t *testing.T) {
	const path = "../../docs/assess.md"
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	matches := exampleBlock.FindAllSubmatchIndex(doc, -1)
	if len(matches) < 4 {
		t.Fatalf("found %d worked examples in %s, want at least 4", len(matches), path)
	}
	var out strings.Builder
	last := 0
	for _, m := range matches {
		args := strings.Fields(string(doc[m[2]:m[3]]))
		for i, a := range args {
			if strings.HasPrefix(a, "examples/") {
				args[i] = "../../" + a
			}
		}
		code, got, errs := runCmd(t, "", args...)
		if code != ExitOK {
			t.Fatalf("nisnet %v: exit %d: %s", args, code, errs)
		}
		documented := string(doc[m[4]:m[5]])
		if documented != got && !*update {
			t.Errorf("docs/assess.md: the output of 'nisnet %s' differs from the document; run go test ./internal/app -run TestDocsWorkedExamples -update", doc[m[2]:m[3]])
		}
		out.Write(doc[last:m[4]])
		out.WriteString(got)
		last = m[5]
	}
	out.Write(doc[last:])
	if *update {
		if err := os.WriteFile(path, []byte(out.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
