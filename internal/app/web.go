package app

import (
	"fmt"
	"log/slog"
	"net/http"

	"github.com/nisnet-eu/nisnet/internal/calendar"
	"github.com/nisnet-eu/nisnet/internal/i18n"
	"github.com/nisnet-eu/nisnet/internal/web"
)

// newUI prepares the HTML interface on top of api, the handler serving
// /api/v1: times in the node's Member State's zone unless a reader chose
// another, every language of the embedded catalogue.
func newUI(cfg Config, api http.Handler, log *slog.Logger) (*web.UI, error) {
	cat, err := i18n.Load()
	if err != nil {
		return nil, fmt.Errorf("message catalogue: %w", err)
	}
	zone, err := calendar.Location(cfg.NodeMemberState)
	if err != nil {
		return nil, fmt.Errorf("time zone of %s: %w", cfg.NodeMemberState, err)
	}
	ui := &web.UI{API: api, Text: cat, Zone: zone, SecureCookies: cfg.SecureCookies, Log: log}
	for _, l := range cat.Languages() {
		ui.Languages = append(ui.Languages, web.Language{Code: l.Code, Name: l.Name})
	}
	return ui, nil
}
