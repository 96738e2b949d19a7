package web

import "net/http"

// operatorRoutes registers the pages of reporting entities.
func (u *UI) operatorRoutes(page func(string, pageFunc)) {}

// myIncidents lists the entity's incidents with what is due next.
func (u *UI) myIncidents(w http.ResponseWriter, r *http.Request, v *view) error {
	var list incidentPage
	if _, err := u.call(r, http.MethodGet, "/api/v1/incidents?limit=100", nil, &list); err != nil {
		return err
	}
	v.Title, v.Nav = v.T("nav.my_incidents"), "incidents"
	u.render(w, http.StatusOK, "incidents", v, list)
	return nil
}

// entityIncident is an incident as its reporting entity sees it.
func (u *UI) entityIncident(w http.ResponseWriter, r *http.Request, v *view) error {
	return &pageError{Status: http.StatusNotImplemented, Message: "not built yet"}
}
