package remind

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/nisnet-eu/nisnet/internal/mail"
	"github.com/nisnet-eu/nisnet/internal/store"
)

// recipientRoles are the roles e-mailed about an organisation's
// notifications: the people who file an entity's reports, or who handle
// incidents at the authority.
var recipientRoles = map[store.OrgKind][]store.Role{
	store.OrgEntity:    {store.RoleEntityAdmin, store.RoleEntityReporter},
	store.OrgAuthority: {store.RoleAuthorityAnalyst, store.RoleAuthoritySupervisor},
}

// email runs an e-mail job: see the package documentation.
func (w *Worker) email(ctx context.Context, j store.Job) error {
	var p EmailPayload
	if err := json.Unmarshal(j.Payload, &p); err != nil || p.NotificationID == "" || p.OrganisationID == "" {
		return skip("malformed e-mail payload %s", j.Payload)
	}
	if !w.mailEnabled() {
		return skip("e-mail is not configured on this node")
	}
	n, err := w.DB.GetNotification(ctx, p.OrganisationID, p.NotificationID)
	if errors.Is(err, store.ErrNotFound) {
		return skip("notification %s no longer exists", p.NotificationID)
	}
	if err != nil {
		return err
	}
	if !n.EmailedAt.IsZero() {
		return skip("notification %s was e-mailed already", n.ID)
	}
	org, err := w.DB.GetOrganisation(ctx, n.OrganisationID)
	if err != nil {
		return err
	}
	to, err := w.recipients(ctx, org)
	if err != nil {
		return err
	}
	if len(to) == 0 {
		return skip("%s has no active user to e-mail", org.Name)
	}
	if err := w.Mail.Send(ctx, message(n, org, to)); errors.Is(err, mail.ErrDisabled) {
		return skip("e-mail is not configured on this node")
	} else if err != nil {
		return err
	}
	// Mark first, in its own transaction: if the lease was lost meanwhile,
	// the worker now holding the job sees the mark and does not send again.
	if err := w.DB.MarkNotificationEmailed(ctx, n.ID); errors.Is(err, store.ErrConflict) {
		w.Log.Warn("notification was e-mailed twice", "notification", n.ID)
	} else if err != nil {
		return fmt.Errorf("sent, but not recorded (it may be sent again): %w", err)
	}
	w.Log.Info("notification e-mailed", "notification", n.ID, "organisation", org.ID, "recipients", len(to))
	return w.DB.CompleteJob(ctx, j.ID, w.ID)
}

// recipients returns the addresses of the organisation's active users
// with a recipient role.
func (w *Worker) recipients(ctx context.Context, org store.Organisation) ([]string, error) {
	roles := recipientRoles[org.Kind]
	var to []string
	for off := 0; ; off += store.MaxPageSize {
		users, err := w.DB.ListUsers(ctx, org.ID, store.Page{Limit: store.MaxPageSize, Offset: off})
		if err != nil {
			return nil, err
		}
		for _, u := range users {
			if !u.Disabled && slices.Contains(roles, u.Role) {
				to = append(to, u.Email)
			}
		}
		if len(users) < store.MaxPageSize {
			return to, nil
		}
	}
}

// message is the e-mail of a notification: what is due, for which
// reference, and when — nothing of the incident's contents.
func message(n store.Notification, org store.Organisation, to []string) mail.Message {
	subject := "nisnet: " + strings.TrimSuffix(n.Message, ".")
	body := n.Message + "\n\n" +
		"Report: " + n.Obligation + "\n" +
		"Due at: " + n.DueAt.UTC().Format("2006-01-02 15:04 UTC") + "\n\n" +
		"This reminder is also shown in nisnet. It was sent to the users of " + org.Name +
		" who file or handle incident reports.\n"
	return mail.Message{To: to, Subject: subject, Body: body}
}
