package api

import (
	"encoding/json"
	"github.com/nisnet-eu/nisnet/internal/federation"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/nisnet-eu/nisnet/internal/rules"
	"github.com/nisnet-eu/nisnet/internal/vocab"
)

// operation documents one route of the API.
type operation struct {
	method, path, id, summary string
	request                   reflect.Type // nil when there is no body
	response                  reflect.Type // nil: a generic object, or no body for 204
	status                    int
	errors                    []int    // besides 500, and 401 and 403 of authenticated routes
	query                     []string // query parameters, documented in queryParams
	headers                   []string // request headers, documented in headerParams
	alsoOK                    []int    // further success statuses, with the same response
	public                    bool     // served without authentication
}

// queryParams documents the query parameters operations name.
var queryParams = map[string]map[string]any{
	"limit":           {"description": "page size, 1 to 500 (default 100)", "schema": map[string]any{"type": "integer", "minimum": 1, "maximum": 500}},
	"offset":          {"description": "items to skip: the next_offset of the previous page", "schema": map[string]any{"type": "integer", "minimum": 0}},
	"organisation_id": {"description": "the organisation; the caller's own when absent", "schema": map[string]any{"type": "string"}},
	"next":            {"description": "the cursor of the page: the next of the previous page", "schema": map[string]any{"type": "string"}},
	"state":           {"description": "only incidents in these states (received, triaged, in_progress, closed); repeat or separate with commas", "schema": map[string]any{"type": "string"}},
	"kind":            {"description": "only incidents of these kinds (incident, near_miss, cyber_threat); repeat or separate with commas", "schema": map[string]any{"type": "string"}},
	"sector":          {"description": "only incidents of entities in this sector, e.g. energy", "schema": map[string]any{"type": "string"}},
	"regime":          {"description": "only incidents reportable under this regime: nis2, dora, gdpr or cra", "schema": map[string]any{"type": "string"}},
	"overdue":         {"description": "true: only incidents with an overdue report", "schema": map[string]any{"type": "boolean"}},
	"assigned_user":   {"description": "only incidents assigned to this user of the authority; \"me\" is the signed-in user (authority roles)", "schema": map[string]any{"type": "string"}},
	"assigned_team":   {"description": "only incidents assigned to this team (authority roles)", "schema": map[string]any{"type": "string"}},
	"organisation":    {"description": "only incidents of this reporting entity (entities: their own only)", "schema": map[string]any{"type": "string"}},
	"type":            {"description": "only STIX objects of these types, separated by commas, e.g. incident,indicator", "schema": map[string]any{"type": "string"}},
	"before":          {"description": "the cursor of the page: the before of the previous page", "schema": map[string]any{"type": "integer"}},
	"unread":          {"description": "true: only unread notifications", "schema": map[string]any{"type": "boolean"}},
}

// headerParams documents the request headers operations name.
var headerParams = map[string]map[string]any{
	"Idempotency-Key": {"description": "a key unique to this report for the organisation (at most 255 printable ASCII characters): a retried request with the same key and body answers 200 with the original receipt and stores nothing; the same key with another body is 409",
		"schema": map[string]any{"type": "string", "maxLength": 255}},
}

var (
	paged     = []string{"limit", "offset"}
	pagedOrgs = []string{"organisation_id", "limit", "offset"}
	queue     = []string{"state", "kind", "sector", "regime", "overdue", "assigned_user", "assigned_team", "organisation", "limit", "next"}
)

// operations lists every documented route; a test checks it against the
// real mux, so the document cannot drift from the routes.
var operations = []operation{
	{method: "GET", path: "/api/v1/openapi.json", id: "getOpenAPI", summary: "This OpenAPI 3.1 document.",
		status: 200, public: true},
	{method: "GET", path: "/api/v1/vocabularies", id: "listVocabularies", summary: "List the controlled vocabularies (sectors, entity types, RSIT, TLP, Member States …).",
		response: reflect.TypeFor[vocabularyIndex](), status: 200, public: true},
	{method: "GET", path: "/api/v1/vocabularies/{name}", id: "getVocabulary", summary: "One controlled vocabulary with its entries.",
		response: reflect.TypeFor[vocab.Vocabulary](), status: 200, errors: []int{404}, public: true},
	{method: "POST", path: "/api/v1/setup", id: "setup", summary: "Create the first node administrator with the one-time setup token that nisnet serve printed. Works once, while the node has no users.",
		request: reflect.TypeFor[SetupRequest](), response: reflect.TypeFor[User](), status: 201, errors: []int{400, 403, 409, 413, 415}, public: true},
	{method: "POST", path: "/api/v1/session", id: "createSession", summary: "Sign in with email and password: sets the session cookie (HttpOnly, SameSite=Lax). Failed attempts are limited per email and per client address (429 with Retry-After).",
		request: reflect.TypeFor[SessionRequest](), response: reflect.TypeFor[Me](), status: 201, errors: []int{400, 401, 413, 415, 429}, public: true},
	{method: "DELETE", path: "/api/v1/session", id: "deleteSession", summary: "Sign out: end the session of the cookie.",
		status: 204, errors: []int{400}},
	{method: "GET", path: "/api/v1/me", id: "getMe", summary: "The caller: user or API token, organisation and role.",
		response: reflect.TypeFor[Me](), status: 200},
	{method: "PATCH", path: "/api/v1/me", id: "updateMe", summary: "Change the signed-in user's display name and preferences: locale (two-letter UI language) and time_zone (IANA name); absent fields stay, an empty string means the node's default. 403 for an API token.",
		request: reflect.TypeFor[UpdateMeRequest](), response: reflect.TypeFor[Me](), status: 200, errors: []int{400, 413, 415}},
	{method: "POST", path: "/api/v1/me/password", id: "changePassword", summary: "Change the signed-in user's password, giving the current one (wrong ones count against the sign-in limits: 429 with Retry-After). The new one must have at least 12 characters. The user's other sessions end. 403 for an API token.",
		request: reflect.TypeFor[ChangePasswordRequest](), status: 204, errors: []int{400, 409, 413, 415, 429}},

	{method: "POST", path: "/api/v1/assessments", id: "createAssessment", summary: "Assess facts: which regimes apply, which reports are due when, whom to route to, and why. Stateless.",
		request: reflect.TypeFor[rules.Facts](), response: reflect.TypeFor[rules.Result](), status: 200, errors: []int{400, 413, 415}},

	{method: "POST", path: "/api/v1/organisations", id: "createOrganisation", summary: "Register a reporting entity with its NIS2 profile (node_admin).",
		request: reflect.TypeFor[CreateOrganisationRequest](), response: reflect.TypeFor[Organisation](), status: 201, errors: []int{400, 413, 415}},
	{method: "GET", path: "/api/v1/organisations", id: "listOrganisations", summary: "List the organisations of the node (authority roles).",
		response: reflect.TypeFor[Page[Organisation]](), status: 200, errors: []int{400}, query: paged},
	{method: "GET", path: "/api/v1/organisations/{id}", id: "getOrganisation", summary: "One organisation: any for authority roles, their own for entity users.",
		response: reflect.TypeFor[Organisation](), status: 200, errors: []int{404}},
	{method: "PATCH", path: "/api/v1/organisations/{id}", id: "updateOrganisation", summary: "Change an organisation: name, member_state and profile (node_admin, any organisation), or the profile alone (entity_admin, their own entity). The profile is validated as on registration; the Member State follows it. Incidents keep the facts they were reported with.",
		request: reflect.TypeFor[UpdateOrganisationRequest](), response: reflect.TypeFor[Organisation](), status: 200, errors: []int{400, 404, 413, 415}},

	{method: "POST", path: "/api/v1/users", id: "createUser", summary: "Create a user (entity_admin for the entity, node_admin for any organisation). The password must have at least 12 characters.",
		request: reflect.TypeFor[CreateUserRequest](), response: reflect.TypeFor[User](), status: 201, errors: []int{400, 404, 409, 413, 415}},
	{method: "GET", path: "/api/v1/users", id: "listUsers", summary: "List the users of an organisation (entity_admin, node_admin, authority_supervisor).",
		response: reflect.TypeFor[Page[User]](), status: 200, errors: []int{400, 404}, query: pagedOrgs},
	{method: "GET", path: "/api/v1/users/{id}", id: "getUser", summary: "One user (the caller, or as for listUsers).",
		response: reflect.TypeFor[User](), status: 200, errors: []int{404}},
	{method: "PATCH", path: "/api/v1/users/{id}", id: "updateUser", summary: "Change a user's display name, role or disabled flag (entity_admin for the entity's users, with entity roles; node_admin for anyone). Disabling ends the user's sessions and revokes the API tokens they created. Nobody disables themselves (403); the last active node_admin cannot be demoted or disabled (409).",
		request: reflect.TypeFor[UpdateUserRequest](), response: reflect.TypeFor[User](), status: 200, errors: []int{400, 404, 409, 413, 415}},
	{method: "PUT", path: "/api/v1/users/{id}/password", id: "setUserPassword", summary: "Set a user's password (as for updateUser). The user's sessions end. The password must have at least 12 characters.",
		request: reflect.TypeFor[SetPasswordRequest](), status: 204, errors: []int{400, 404, 413, 415}},

	{method: "POST", path: "/api/v1/teams", id: "createTeam", summary: "Create a team of the authority (authority_supervisor, node_admin).",
		request: reflect.TypeFor[CreateTeamRequest](), response: reflect.TypeFor[Team](), status: 201, errors: []int{400, 409, 413, 415}},
	{method: "GET", path: "/api/v1/teams", id: "listTeams", summary: "List the authority's teams (authority roles).",
		response: reflect.TypeFor[Page[Team]](), status: 200, errors: []int{400}, query: paged},
	{method: "GET", path: "/api/v1/teams/{id}", id: "getTeam", summary: "One team (authority roles).",
		response: reflect.TypeFor[Team](), status: 200, errors: []int{404}},
	{method: "GET", path: "/api/v1/teams/{id}/members", id: "listTeamMembers", summary: "The users in a team (authority roles).",
		response: reflect.TypeFor[Page[User]](), status: 200, errors: []int{400, 404}, query: paged},
	{method: "PUT", path: "/api/v1/teams/{id}/members/{user_id}", id: "addTeamMember", summary: "Put a user of the authority in a team; idempotent (authority_supervisor, node_admin).",
		status: 204, errors: []int{404}},
	{method: "DELETE", path: "/api/v1/teams/{id}/members/{user_id}", id: "removeTeamMember", summary: "Take a user out of a team (authority_supervisor, node_admin).",
		status: 204, errors: []int{404}},

	{method: "POST", path: "/api/v1/tokens", id: "createToken", summary: "Issue an API token (entity_admin for the entity, node_admin for any organisation). The answer holds the secret, once; expiry is required, at most a year ahead.",
		request: reflect.TypeFor[CreateAPITokenRequest](), response: reflect.TypeFor[APIToken](), status: 201, errors: []int{400, 404, 413, 415}},
	{method: "GET", path: "/api/v1/tokens", id: "listTokens", summary: "List an organisation's API tokens, without secrets (entity_admin, node_admin).",
		response: reflect.TypeFor[Page[APIToken]](), status: 200, errors: []int{400, 404}, query: pagedOrgs},
	{method: "GET", path: "/api/v1/tokens/{id}", id: "getToken", summary: "One API token, without its secret (entity_admin, node_admin).",
		response: reflect.TypeFor[APIToken](), status: 200, errors: []int{404}},
	{method: "DELETE", path: "/api/v1/tokens/{id}", id: "revokeToken", summary: "Revoke an API token; idempotent (entity_admin, node_admin).",
		status: 204, errors: []int{404}},

	{method: "POST", path: "/api/v1/incidents", id: "createIncident", summary: "Report an incident, near miss or cyber threat with its facts (entity roles). Without facts.entity the organisation's profile is used. Answers the incident and its assessment: which reports are due when.",
		request: reflect.TypeFor[CreateIncidentRequest](), response: reflect.TypeFor[IncidentView](), status: 201, errors: []int{400, 413, 415}},
	{method: "GET", path: "/api/v1/incidents", id: "listIncidents", summary: "The incident queue, ordered by the next due report (incidents with nothing due last): every incident for authority roles, their own for entities. Reads by the authority are audited with their filters.",
		response: reflect.TypeFor[IncidentPage](), status: 200, errors: []int{400}, query: queue},
	{method: "GET", path: "/api/v1/incidents/{id}", id: "getIncident", summary: "An incident with its latest assessment. Reads by the authority are audited.",
		response: reflect.TypeFor[IncidentView](), status: 200, errors: []int{404}},
	{method: "PUT", path: "/api/v1/incidents/{id}/facts", id: "updateFacts", summary: "Replace an incident's facts and reassess it (entity roles); 409 if the incident changed since the version sent.",
		request: reflect.TypeFor[UpdateFactsRequest](), response: reflect.TypeFor[IncidentView](), status: 200, errors: []int{400, 404, 409, 413, 415}},
	{method: "POST", path: "/api/v1/incidents/{id}/reports/{report}", id: "submitReport", summary: "File a staged report (entity roles): {report} is a report id (vocabulary report-ids, e.g. nis2.early_warning), the body its fields. Answers the receipt — with the SHA-256 of the canonical body and whether it was on time — and the obligations reassessed. Reports cannot be changed or withdrawn; a later one of the same id supersedes. 200 is the original receipt of a retried request (Idempotency-Key).",
		request: reflect.TypeFor[map[string]any](), response: reflect.TypeFor[SubmissionResult](), status: 201, alsoOK: []int{200}, errors: []int{400, 404, 409, 413, 415}, headers: []string{"Idempotency-Key"}},
	{method: "GET", path: "/api/v1/incidents/{id}/reports", id: "listReports", summary: "The reports filed on an incident, superseded ones included, oldest first. Every report the authority reads is audited.",
		response: reflect.TypeFor[Page[SubmittedReport]](), status: 200, errors: []int{400, 404}, query: paged},
	{method: "GET", path: "/api/v1/incidents/{id}/reports/{submission_id}", id: "getReport", summary: "One filed report with its receipt. Reads by the authority are audited.",
		response: reflect.TypeFor[SubmittedReport](), status: 200, errors: []int{404}},
	{method: "PUT", path: "/api/v1/incidents/{id}/drafts/{report}", id: "putDraft", summary: "Save an unfinished report (entity roles of the incident's organisation): the body is any JSON object up to 256 KiB, stored as given and not validated; it replaces the draft saved before. Submitting the report deletes its draft. The authority gets 404 for drafts.",
		request: reflect.TypeFor[map[string]any](), response: reflect.TypeFor[Draft](), status: 200, errors: []int{400, 404, 413, 415}},
	{method: "GET", path: "/api/v1/incidents/{id}/drafts", id: "listDrafts", summary: "The incident's drafts by report id, without bodies (entity roles; the authority gets 404). One page: next_offset is always null.",
		response: reflect.TypeFor[Page[DraftSummary]](), status: 200, errors: []int{404}},
	{method: "GET", path: "/api/v1/incidents/{id}/drafts/{report}", id: "getDraft", summary: "One draft with its body (entity roles; the authority gets 404).",
		response: reflect.TypeFor[Draft](), status: 200, errors: []int{404}},
	{method: "DELETE", path: "/api/v1/incidents/{id}/drafts/{report}", id: "deleteDraft", summary: "Delete a draft (entity roles; the authority gets 404).",
		status: 204, errors: []int{404}},
	{method: "POST", path: "/api/v1/incidents/{id}/handling-ended", id: "handlingEnded", summary: "Record when the entity's handling of the incident ended (entity roles; NIS2 Art 23(4)(e)) and reassess.",
		request: reflect.TypeFor[HandlingEndedRequest](), response: reflect.TypeFor[EventResult](), status: 201, errors: []int{400, 404, 413, 415}},
	{method: "POST", path: "/api/v1/incidents/{id}/messages", id: "postMessage", summary: "Send a message to the other side (entity or authority); the other side is notified.",
		request: reflect.TypeFor[TextRequest](), response: reflect.TypeFor[TimelineEntry](), status: 201, errors: []int{400, 404, 413, 415}},
	{method: "GET", path: "/api/v1/incidents/{id}/timeline", id: "getTimeline", summary: "An incident's timeline, oldest first: entities see the shared entries, the authority also its internal notes and assignments (reads by the authority are audited).",
		response: reflect.TypeFor[Page[TimelineEntry]](), status: 200, errors: []int{400, 404}, query: paged},
	{method: "POST", path: "/api/v1/incidents/{id}/state", id: "setState", summary: "Move an incident to another state (authority roles): received → triaged → in_progress → closed, closed → in_progress reopens; 409 for another move or a stale version.",
		request: reflect.TypeFor[StateRequest](), response: reflect.TypeFor[ReportedIncident](), status: 200, errors: []int{400, 404, 409, 413, 415}},
	{method: "POST", path: "/api/v1/incidents/{id}/assignment", id: "assignIncident", summary: "Assign an incident to a user and a team of the authority, or unassign it (authority roles).",
		request: reflect.TypeFor[AssignmentRequest](), response: reflect.TypeFor[ReportedIncident](), status: 200, errors: []int{400, 404, 409, 413, 415}},
	{method: "POST", path: "/api/v1/incidents/{id}/classification", id: "classifyIncident", summary: "Classify an incident: RSIT class/type, TLP 2.0 label, impact severity and outlook (authority roles).",
		request: reflect.TypeFor[ClassificationRequest](), response: reflect.TypeFor[ReportedIncident](), status: 200, errors: []int{400, 404, 409, 413, 415}},
	{method: "POST", path: "/api/v1/incidents/{id}/notes", id: "postNote", summary: "Add an internal note, never shown to the entity (authority roles).",
		request: reflect.TypeFor[TextRequest](), response: reflect.TypeFor[TimelineEntry](), status: 201, errors: []int{400, 404, 413, 415}},
	{method: "POST", path: "/api/v1/incidents/{id}/intermediate-requests", id: "requestIntermediate", summary: "Request an intermediate report (authority roles; NIS2 Art 23(4)(c), CRA Art 14(6)): the entity owes it by due_at and is notified.",
		request: reflect.TypeFor[IntermediateReportRequest](), response: reflect.TypeFor[EventResult](), status: 201, errors: []int{400, 404, 413, 415}},
	{method: "POST", path: "/api/v1/incidents/{id}/feedback", id: "giveFeedback", summary: "Give the entity feedback (authority roles); fulfils the initial feedback of NIS2 Art 23(5). The entity is notified.",
		request: reflect.TypeFor[TextRequest](), response: reflect.TypeFor[EventResult](), status: 201, errors: []int{400, 404, 413, 415}},

	{method: "POST", path: "/api/v1/incidents/{id}/shares", id: "shareIncident", summary: "Share an incident with an audience over TAXII 2.1 (authority roles): network, group:<name>, peer:<name> or public. Its TLP marking must allow the audience (409 tlp_forbids otherwise); later changes of the incident follow as new STIX versions.",
		request: reflect.TypeFor[ShareRequest](), response: reflect.TypeFor[ShareResult](), status: 201, errors: []int{400, 404, 409, 413, 415}},
	{method: "GET", path: "/api/v1/incidents/{id}/shares", id: "listShares", summary: "The audiences an incident is shared with, and the delivery of its latest version to each peer (authority roles).",
		response: reflect.TypeFor[[]Share](), status: 200, errors: []int{404}},
	{method: "DELETE", path: "/api/v1/incidents/{id}/shares/{audience}", id: "revokeShare", summary: "Revoke a share (authority roles): revoked STIX versions go to the audience.",
		response: reflect.TypeFor[ShareResult](), status: 200, errors: []int{400, 404}},
	{method: "POST", path: "/api/v1/incidents/{id}/indicators", id: "addIndicator", summary: "Add an indicator of compromise to an incident (the entity or the authority); STIX patterns are checked (STIX 2.1 §9).",
		request: reflect.TypeFor[IndicatorRequest](), response: reflect.TypeFor[Indicator](), status: 201, errors: []int{400, 404, 413, 415}},
	{method: "GET", path: "/api/v1/incidents/{id}/indicators", id: "listIndicators", summary: "An incident's indicators of compromise, oldest first.",
		response: reflect.TypeFor[[]Indicator](), status: 200, errors: []int{404}},
	{method: "GET", path: "/api/v1/federation/audiences", id: "listAudiences", summary: "The audiences this node can share with and their peers (authority roles).",
		response: reflect.TypeFor[[]AudienceInfo](), status: 200, errors: []int{404}},
	{method: "GET", path: "/api/v1/federation/peers", id: "listPeers", summary: "Every peer: delivered, pending, failing and rejected object versions, the lag and the last error, and the pulls (authority roles).",
		response: reflect.TypeFor[[]federation.PeerStatus](), status: 200, errors: []int{404}},
	{method: "GET", path: "/api/v1/federation/received", id: "listReceived", summary: "The latest version of each STIX object received from peers, newest first, with the peer it came from (authority roles).",
		response: reflect.TypeFor[ReceivedPage](), status: 200, errors: []int{400, 404}, query: []string{"type", "before", "limit"}},
	{method: "GET", path: "/api/v1/federation/received/{stix_id}", id: "getReceived", summary: "The latest version of one received STIX object (authority roles).",
		response: reflect.TypeFor[ReceivedObject](), status: 200, errors: []int{404}},
	{method: "POST", path: "/api/v1/federation/received/{stix_id}/forward", id: "forwardReceived", summary: "Pass a received object on to an audience where its TLP marking allows it (authority roles); never back to its origin.",
		request: reflect.TypeFor[ShareRequest](), response: reflect.TypeFor[ShareResult](), status: 201, errors: []int{400, 404, 409, 413, 415}},

	{method: "GET", path: "/api/v1/stats", id: "getStats", summary: "Dashboard figures over the incidents the caller sees (authority roles: every incident; entities: their own): counts by state, sector and regime, the number with an overdue report and the first 100 of those, longest overdue first. Reads by the authority are audited.",
		response: reflect.TypeFor[Stats](), status: 200},

	{method: "GET", path: "/api/v1/notifications", id: "listNotifications", summary: "The caller's organisation's notifications, newest first.",
		response: reflect.TypeFor[Page[Notification]](), status: 200, errors: []int{400}, query: []string{"unread", "limit", "offset"}},
	{method: "POST", path: "/api/v1/notifications/{id}/read", id: "readNotification", summary: "Mark a notification of the caller's organisation read; idempotent.",
		status: 204, errors: []int{404}},
}

var (
	openAPIOnce sync.Once
	openAPIDoc  []byte
)

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) error {
	openAPIOnce.Do(func() {
		b, err := json.MarshalIndent(OpenAPI(), "", "  ")
		if err != nil {
			panic(err)
		}
		openAPIDoc = b
	})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, err := w.Write(openAPIDoc)
	return err
}

// OpenAPI builds the OpenAPI 3.1 document from the operation table and the
// Go types of requests and responses.
func OpenAPI() map[string]any {
	g := &schemaGen{defs: map[string]any{}, types: map[string]reflect.Type{}}
	paths := map[string]any{}
	for _, op := range operations {
		item, _ := paths[op.path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[op.path] = item
		}
		o := map[string]any{"operationId": op.id, "summary": op.summary}
		var params []any
		for _, name := range pathParams(op.path) {
			params = append(params, map[string]any{"name": name, "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
		for _, name := range op.query {
			q := map[string]any{"name": name, "in": "query", "required": false}
			maps.Copy(q, queryParams[name])
			params = append(params, q)
		}
		for _, name := range op.headers {
			h := map[string]any{"name": name, "in": "header", "required": false}
			maps.Copy(h, headerParams[name])
			params = append(params, h)
		}
		if params != nil {
			o["parameters"] = params
		}
		if op.request != nil {
			o["requestBody"] = map[string]any{"required": true, "content": map[string]any{
				"application/json": map[string]any{"schema": g.schema(op.request, true)}}}
		}
		okResp := map[string]any{"description": http.StatusText(op.status)}
		switch {
		case op.response != nil:
			okResp["content"] = map[string]any{"application/json": map[string]any{"schema": g.schema(op.response, false)}}
		case op.status != http.StatusNoContent:
			okResp["content"] = map[string]any{"application/json": map[string]any{"schema": map[string]any{"type": "object"}}}
		}
		errs := slices.Clone(op.errors)
		if op.public {
			o["security"] = []any{}
		} else {
			errs = append(errs, 401, 403)
		}
		resps := map[string]any{itoa(op.status): okResp}
		for _, st := range op.alsoOK {
			also := maps.Clone(okResp)
			also["description"] = http.StatusText(st)
			resps[itoa(st)] = also
		}
		for _, st := range append(errs, 500) {
			resps[itoa(st)] = map[string]any{"description": http.StatusText(st), "content": map[string]any{
				"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/ErrorEnvelope"}}}}
		}
		o["responses"] = resps
		item[strings.ToLower(op.method)] = o
	}
	g.defs["ErrorEnvelope"] = map[string]any{
		"type": "object", "required": []string{"error"},
		"properties": map[string]any{"error": g.schema(reflect.TypeFor[Error](), false)},
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":       "nisnet API",
			"version":     "v1",
			"description": "JSON API of a nisnet node. Facts and results of the reportability engine are documented field by field in docs/assess.md. Unknown fields in request bodies are rejected; bodies are limited to 64 KiB (facts: 1 MiB; staged reports: 256 KiB). Errors use one envelope: {\"error\": {\"code\", \"message\", \"fields\"}}. Authenticate with an API token (Authorization: Bearer nsn_…) or a session cookie from POST /api/v1/session; state-changing requests with the cookie must come from the node's own origin. Objects of an organisation the caller may not see answer 404, like objects that do not exist; a visible object the caller's role may not act on answers 403. Lists take ?limit= (1–500) and ?offset= and answer {\"items\": […], \"next_offset\": n|null}; the incident queue pages with a cursor instead: ?next= and {\"items\": […], \"next\": \"…\"|null}. Staged reports are immutable: a 2xx answer to a submission means the report is durably stored.",
		},
		"paths":    paths,
		"security": []any{map[string]any{"bearer": []any{}}, map[string]any{"session": []any{}}},
		"components": map[string]any{
			"schemas": g.defs,
			"securitySchemes": map[string]any{
				"bearer": map[string]any{"type": "http", "scheme": "bearer", "bearerFormat": "nsn_…",
					"description": "An API token (POST /api/v1/tokens, or nisnet admin create-token): Authorization: Bearer nsn_…"},
				"session": map[string]any{"type": "apiKey", "in": "cookie", "name": "nisnet_session",
					"description": "The session cookie set by POST /api/v1/session; named __Host-nisnet_session over TLS. State-changing requests with it must come from the node's own origin."},
			},
		},
	}
}

// pathParams returns the names of the {parameters} in a path, in order.
func pathParams(path string) []string {
	var names []string
	for rest := path; ; {
		i := strings.IndexByte(rest, '{')
		if i < 0 {
			return names
		}
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			return names
		}
		names = append(names, strings.TrimSuffix(rest[i+1:i+j], "..."))
		rest = rest[i+j+1:]
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// schemaGen derives JSON Schemas (2020-12, as OpenAPI 3.1 uses) from Go
// types via their json tags.
type schemaGen struct {
	defs  map[string]any
	types map[string]reflect.Type // the type of each schema name
}

var (
	timeType       = reflect.TypeFor[time.Time]()
	durationType   = reflect.TypeFor[rules.Duration]()
	rawMessageType = reflect.TypeFor[json.RawMessage]()
)

// namedSchemas are the types a struct field's `openapi:"Name"` tag can
// name, to document a json.RawMessage field by the type it must decode as.
var namedSchemas = map[string]reflect.Type{
	"Entity":        reflect.TypeFor[rules.Entity](),
	"IncidentFacts": reflect.TypeFor[IncidentFacts](),
}

// schemaName names a type's schema: its Go name, with the type argument of
// a generic first (Page[api.User] is "UserPage").
func schemaName(t reflect.Type) string {
	name := t.Name()
	base, args, ok := strings.Cut(name, "[")
	if !ok {
		return name
	}
	args = strings.TrimSuffix(args, "]")
	return args[strings.LastIndexAny(args, "./")+1:] + base
}

func (g *schemaGen) schema(t reflect.Type, strict bool) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t {
	case timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case rawMessageType:
		return map[string]any{"type": "object"}
	case durationType:
		return map[string]any{"oneOf": []any{
			map[string]any{"type": "string", "description": "Go duration (\"1h30m\") or ISO 8601 (\"PT1H30M\")"},
			map[string]any{"type": "number", "minimum": 0, "description": "seconds"}}}
	}
	switch t.Kind() {
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int64, reflect.Int32:
		return map[string]any{"type": "integer"}
	case reflect.Float64, reflect.Float32:
		return map[string]any{"type": "number"}
	case reflect.Slice:
		return map[string]any{"type": "array", "items": g.schema(t.Elem(), strict)}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.schema(t.Elem(), strict)}
	case reflect.Struct:
		name := schemaName(t)
		if other, ok := g.types[name]; ok && other != t {
			panic("api: two types with the OpenAPI schema name " + name + ": " + other.String() + " and " + t.String())
		}
		if _, ok := g.defs[name]; !ok {
			g.defs[name] = map[string]any{} // placeholder against recursion
			g.types[name] = t
			props := map[string]any{}
			g.properties(props, t, strict)
			def := map[string]any{"type": "object", "properties": props}
			if strict {
				def["additionalProperties"] = false
			}
			g.defs[name] = def
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	}
	return map[string]any{}
}

// properties adds the JSON properties of struct type t to props; the
// fields of an embedded struct without a json tag are promoted, as
// encoding/json does.
func (g *schemaGen) properties(props map[string]any, t reflect.Type, strict bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if f.Anonymous && tag == "" && f.Type.Kind() == reflect.Struct {
			g.properties(props, f.Type, strict)
			continue
		}
		if !f.IsExported() || tag == "-" {
			continue
		}
		jname, _, _ := strings.Cut(tag, ",")
		if jname == "" {
			jname = f.Name
		}
		ft := f.Type
		if named, ok := namedSchemas[f.Tag.Get("openapi")]; ok {
			ft = named
		}
		props[jname] = g.schema(ft, strict)
	}
}
