package api

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/nisnet-eu/nisnet/internal/rules"
	"github.com/nisnet-eu/nisnet/internal/store"
)

// Notifications are addressed to organisations: every user and token of
// the recipient sees them.

// listNotifications is GET /api/v1/notifications: the caller's
// organisation's notifications, newest first; ?unread=true for the unread
// ones only.
func (s *Server) listNotifications(w http.ResponseWriter, r *http.Request) error {
	unread := false
	if v := r.URL.Query().Get("unread"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return errInvalid("unread must be true or false", rules.FieldError{Field: "unread", Message: "must be true or false"})
		}
		unread = b
	}
	pg, err := pageParams(r)
	if err != nil {
		return err
	}
	list, err := s.DB.ListNotifications(r.Context(), principal(r).Organisation.ID, unread, pg)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pageOf(list, pg, notificationOf))
	return nil
}

// readNotification is POST /api/v1/notifications/{id}/read: marks one of
// the caller's organisation's notifications read; idempotent.
func (s *Server) readNotification(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principal(r)
	n, err := s.DB.GetNotification(ctx, p.Organisation.ID, r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		return errNotFound("notification")
	}
	if err != nil {
		return err
	}
	if n.ReadAt.IsZero() {
		err = s.DB.Transact(ctx, func(tx *store.Tx) error {
			if err := tx.MarkNotificationRead(ctx, p.Organisation.ID, n.ID); err != nil {
				return err
			}
			return tx.Audit(ctx, store.AuditEvent{Actor: p.Actor(), OrganisationID: p.Organisation.ID, Action: "notification.read",
				ObjectType: "notification", ObjectID: n.ID})
		})
		if err != nil {
			return err
		}
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
