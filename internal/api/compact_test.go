package api

import (
	"bytes"
	"testing"
)

// TestAnswersAreCompact checks that answers and errors are compact JSON,
// one value and a newline.
func TestAnswersAreCompact(t *testing.T) {
	f := newServer(t)
	for _, tc := range []struct {
		name, path string
		opts       []any
		status     int
	}{
		{"an answer", "/api/v1/me", []any{bearer(f.token)}, 200},
		{"a list", "/api/v1/vocabularies", nil, 200},
		{"an error", "/api/v1/me", nil, 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, out := f.do(t, "GET", tc.path, tc.opts...)
			wantStatus(t, tc.name, resp, out, tc.status)
			want := append(compact(t, out), '\n')
			if !bytes.Equal(out, want) {
				t.Errorf("answer is not compact:\n%s", out)
			}
		})
	}
}
