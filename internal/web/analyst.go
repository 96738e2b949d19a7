package web

import "net/http"

// analystRoutes registers the authority's pages.
func (u *UI) analystRoutes(page func(string, pageFunc)) {}

// queue is the authority's incident queue.
func (u *UI) queue(w http.ResponseWriter, r *http.Request, v *view) error {
	var list incidentPage
	if _, err := u.call(r, http.MethodGet, "/api/v1/incidents?limit=100", nil, &list); err != nil {
		return err
	}
	v.Title, v.Nav = v.T("nav.queue"), "incidents"
	u.render(w, http.StatusOK, "incidents", v, list)
	return nil
}

// authorityIncident is an incident as the authority sees it.
func (u *UI) authorityIncident(w http.ResponseWriter, r *http.Request, v *view) error {
	return &pageError{Status: http.StatusNotImplemented, Message: "not built yet"}
}
