package web

// adminRoutes registers the node administrator's pages.
func (u *UI) adminRoutes(page func(string, pageFunc)) {}
