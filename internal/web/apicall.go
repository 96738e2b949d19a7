package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/nisnet-eu/nisnet/internal/rules"
)

// apiError is an error answer of the JSON API: its status, stable code,
// message and per-field details.
type apiError struct {
	Status  int                `json:"-"`
	Code    string             `json:"code"`
	Message string             `json:"message"`
	Fields  []rules.FieldError `json:"fields,omitempty"`
}

func (e *apiError) Error() string { return fmt.Sprintf("api %d %s: %s", e.Status, e.Code, e.Message) }

// field returns the API's message about one field ("" if none): forms show
// it next to that field.
func (e *apiError) field(name string) string {
	if e == nil {
		return ""
	}
	for _, f := range e.Fields {
		if f.Field == name {
			return f.Message
		}
	}
	return ""
}

// maxAPIAnswer bounds what the interface reads from one API answer.
const maxAPIAnswer = 16 << 20

// recorder is the in-memory ResponseWriter of an in-process API call.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (rec *recorder) Header() http.Header { return rec.header }
func (rec *recorder) WriteHeader(status int) {
	if rec.status == 0 {
		rec.status = status
	}
}
func (rec *recorder) Write(p []byte) (int, error) {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	if rec.body.Len()+len(p) > maxAPIAnswer {
		return 0, fmt.Errorf("web: API answer larger than %d bytes", maxAPIAnswer)
	}
	return rec.body.Write(p)
}

// call sends one request to the JSON API in-process, as the browser that
// made r: with its session cookie and client address, but none of its
// other headers. in, if not nil, is sent as the JSON body; a 2xx answer is
// decoded into out (if not nil). A 4xx or 5xx answer is an *apiError. The
// response headers are returned for the callers that need them (sign-in
// passes Set-Cookie on).
func (u *UI) call(r *http.Request, method, path string, in, out any) (http.Header, error) {
	var body io.Reader = http.NoBody
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, fmt.Errorf("web: encode %s %s: %w", method, path, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(r.Context(), method, path, body)
	if err != nil {
		return nil, fmt.Errorf("web: %s %s: %w", method, path, err)
	}
	req.RemoteAddr = r.RemoteAddr
	req.TLS = r.TLS
	req.Host = r.Host
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, c := range r.Cookies() {
		if isSessionCookie(c.Name) {
			req.AddCookie(c)
		}
	}
	rec := &recorder{header: http.Header{}}
	u.API.ServeHTTP(rec, req)
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	if rec.status >= 400 {
		var env struct {
			Error *apiError `json:"error"`
		}
		if err := json.Unmarshal(rec.body.Bytes(), &env); err != nil || env.Error == nil {
			return rec.header, &apiError{Status: rec.status, Code: "unknown", Message: strings.TrimSpace(rec.body.String())}
		}
		env.Error.Status = rec.status
		return rec.header, env.Error
	}
	if out != nil && rec.status != http.StatusNoContent {
		if err := json.Unmarshal(rec.body.Bytes(), out); err != nil {
			return rec.header, fmt.Errorf("web: decode answer of %s %s: %w", method, path, err)
		}
	}
	return rec.header, nil
}

// isSessionCookie reports whether name is the API's session cookie, under
// either of its names (with and without the __Host- prefix).
func isSessionCookie(name string) bool {
	return name == "nisnet_session" || name == "__Host-nisnet_session"
}
