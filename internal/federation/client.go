package federation

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// TAXII 2.1 media type (TAXII 2.1 §1.6.8).
const taxiiMediaType = "application/taxii+json;version=2.1"

// maxResponseBytes bounds what this node reads from a peer in one response.
const maxResponseBytes = 64 << 20

// client speaks TAXII 2.1 to one peer.
type client struct {
	http *http.Client
	peer Peer
}

// remoteError is a failure answered by the peer: an HTTP status with the
// TAXII error's title, if any.
type remoteError struct {
	Status int
	Title  string
}

func (e *remoteError) Error() string {
	if e.Title != "" {
		return fmt.Sprintf("peer answered %d %s: %s", e.Status, http.StatusText(e.Status), e.Title)
	}
	return fmt.Sprintf("peer answered %d %s", e.Status, http.StatusText(e.Status))
}

func (c client) do(ctx context.Context, method, rel string, query url.Values, body []byte, out any) (http.Header, error) {
	u := c.peer.URL + rel
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", taxiiMediaType)
	req.Header.Set("User-Agent", "nisnet")
	if body != nil {
		req.Header.Set("Content-Type", taxiiMediaType)
	}
	switch {
	case c.peer.Username != "":
		req.SetBasicAuth(c.peer.Username, c.peer.Secret)
	case c.peer.Secret != "":
		req.Header.Set("Authorization", "Bearer "+c.peer.Secret)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading the peer's answer: %w", err)
	}
	if len(b) > maxResponseBytes {
		return nil, fmt.Errorf("the peer's answer is larger than %d bytes", maxResponseBytes)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		var e struct {
			Title string `json:"title"`
		}
		_ = json.Unmarshal(b, &e)
		if len(e.Title) > 200 {
			e.Title = e.Title[:200]
		}
		return nil, &remoteError{Status: resp.StatusCode, Title: e.Title}
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/taxii+json") {
		return nil, fmt.Errorf("the peer answered with Content-Type %q, not %s", ct, taxiiMediaType)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return nil, fmt.Errorf("the peer's answer is not a TAXII resource: %v", err)
		}
	}
	return resp.Header, nil
}

type remoteCollection struct {
	ID       string `json:"id"`
	Alias    string `json:"alias"`
	Title    string `json:"title"`
	CanRead  bool   `json:"can_read"`
	CanWrite bool   `json:"can_write"`
}

func (c client) collections(ctx context.Context) ([]remoteCollection, error) {
	var r struct {
		Collections []remoteCollection `json:"collections"`
	}
	_, err := c.do(ctx, http.MethodGet, "collections/", nil, nil, &r)
	return r.Collections, err
}

// pushCollection finds the collection to post to: the configured one, else
// the writable collection with alias "inbox".
func (c client) pushCollection(ctx context.Context) (string, error) {
	if c.peer.PushCollection != "" {
		return c.peer.PushCollection, nil
	}
	cols, err := c.collections(ctx)
	if err != nil {
		return "", err
	}
	for _, col := range cols {
		if col.Alias == "inbox" && col.CanWrite {
			return col.ID, nil
		}
	}
	return "", errors.New("the peer has no writable collection with alias \"inbox\" for this node; set push_collection")
}

type envelope struct {
	More    bool              `json:"more,omitempty"`
	Next    string            `json:"next,omitempty"`
	Objects []json.RawMessage `json:"objects,omitempty"`
}

type statusDetail struct {
	ID      string `json:"id"`
	Version string `json:"version"`
	Message string `json:"message,omitempty"`
}

type status struct {
	ID        string         `json:"id"`
	Status    string         `json:"status"`
	Successes []statusDetail `json:"successes"`
	Failures  []statusDetail `json:"failures"`
	Pendings  []statusDetail `json:"pendings"`
}

func (c client) post(ctx context.Context, collection string, objects []json.RawMessage) (status, error) {
	body, err := json.Marshal(envelope{Objects: objects})
	if err != nil {
		return status{}, err
	}
	var st status
	_, err = c.do(ctx, http.MethodPost, "collections/"+url.PathEscape(collection)+"/objects/", nil, body, &st)
	return st, err
}

// page is one page of objects pulled from a peer.
type page struct {
	envelope
	// Last is the X-TAXII-Date-Added-Last header, as the peer wrote it.
	Last string
}

func (c client) objects(ctx context.Context, collection, addedAfter, next string, limit int) (page, error) {
	q := url.Values{"limit": {strconv.Itoa(limit)}}
	if addedAfter != "" {
		q.Set("added_after", addedAfter)
	}
	if next != "" {
		q.Set("next", next)
	}
	var p page
	h, err := c.do(ctx, http.MethodGet, "collections/"+url.PathEscape(collection)+"/objects/", q, nil, &p.envelope)
	if err != nil {
		return page{}, err
	}
	p.Last = h.Get("X-TAXII-Date-Added-Last")
	if len(p.Objects) > 0 && p.Last == "" {
		return page{}, errors.New("the peer sent objects without X-TAXII-Date-Added-Last")
	}
	if p.Last != "" {
		if _, err := time.Parse(time.RFC3339Nano, p.Last); err != nil {
			return page{}, fmt.Errorf("X-TAXII-Date-Added-Last %q is not a timestamp", p.Last)
		}
	}
	return p, nil
}
