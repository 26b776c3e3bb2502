package qix

import (
	"errors"
	"runtime"
	"strings"
	"time"
)

func init() {
	register("Global", map[string]handler{
		"EngineVersion":           globalEngineVersion,
		"ProductVersion":          globalVersionString,
		"QvVersion":               globalVersionString,
		"QTProduct":               func(c *call) error { c.ret(productName); return nil },
		"IsDesktopMode":           func(c *call) error { c.ret(false); return nil },
		"IsPersonalMode":          func(c *call) error { c.ret(false); return nil },
		"OSName":                  func(c *call) error { c.ret(osName()); return nil },
		"OSVersion":               func(c *call) error { c.ret(runtime.GOOS + "/" + runtime.GOARCH); return nil },
		"AllowCreateApp":          func(c *call) error { c.ret(true); return nil },
		"GetUniqueID":             func(c *call) error { c.out("qUniqueID", newUUID()); return nil },
		"GetAuthenticatedUser":    globalAuthenticatedUser,
		"GetDefaultAppFolder":     func(c *call) error { c.out("qPath", c.e.opts.DocsDir); return nil },
		"GetActiveDoc":            globalGetActiveDoc,
		"OpenDoc":                 globalOpenDoc,
		"CreateSessionApp":        globalCreateSessionApp,
		"CreateSessionAppFromApp": globalCreateSessionAppFromApp,
		"CreateApp":               globalCreateApp,
		"DeleteApp":               globalDeleteApp,
		"GetDocList":              globalGetDocList,
		"GetProgress":             globalGetProgress,
		"AbortRequest":            globalAbortRequest,
		"CancelRequest":           globalAbortRequest,
		"AbortAll":                globalAbortAll,
		"CancelReload":            globalCancelReload,
		// ConfigureReload tunes interactive script debugging, which this
		// engine does not have: accepted, as the real engine does in
		// non-interactive mode.
		"ConfigureReload": func(c *call) error {
			c.boolean("qCancelOnScriptError")
			c.boolean("qUseErrorData")
			c.boolean("qInteractOnError")
			return nil
		},
	})
}

// productName is what QTProduct reports.
const productName = "Assoc"

func globalEngineVersion(c *call) error {
	v := newObj(1)
	v.Set("qComponentVersion", c.e.opts.Version)
	c.out("qVersion", v)
	return nil
}

func globalVersionString(c *call) error {
	c.ret(c.e.opts.Version)
	return nil
}

func osName() string {
	switch runtime.GOOS {
	case "linux":
		return "Linux"
	case "windows":
		return "Windows"
	case "darwin":
		return "macOS"
	}
	return runtime.GOOS
}

func globalAuthenticatedUser(c *call) error {
	p := c.s.params
	if p.User == "" {
		c.ret("")
		return nil
	}
	c.ret("UserDirectory=" + p.UserDirectory + "; UserId=" + p.User)
	return nil
}

// docInterface is the ObjectInterface of an app for handle h.
func docInterface(a *app, h int) *jsonObject {
	r := newObj(3)
	r.Set("qType", "Doc")
	r.Set("qHandle", h)
	r.Set("qGenericId", a.id)
	return r
}

func globalGetActiveDoc(c *call) error {
	a := c.s.doc()
	if a == nil {
		return qerr(errAppInvalid, "No active document")
	}
	c.ret(docInterface(a, c.conn.docHandle(a)))
	return nil
}

func globalOpenDoc(c *call) error {
	name := c.str("qDocName")
	c.str("qUserName")
	c.str("qPassword")
	c.str("qSerial")
	c.boolean("qNoData")
	if c.bad() {
		return nil
	}
	if cur := c.s.doc(); cur != nil {
		if cur.id != name {
			return qerr(errAppAlreadyOpen, "%s", cur.id)
		}
		return c.openedDoc(cur)
	}
	a, err := c.e.openApp(name)
	if err != nil {
		if errors.Is(err, ErrAppNotFound) {
			return qerr(errAppNotFound, "%s", name)
		}
		return err
	}
	return c.open(a)
}

// open makes a the session's app and returns its handle.
func (c *call) open(a *app) error {
	s := c.s
	s.mu.Lock()
	if s.app != nil && s.app != a {
		cur := s.app.id
		s.mu.Unlock()
		return qerr(errAppAlreadyOpen, "%s", cur)
	}
	if s.app == nil {
		s.openLocked(a)
	}
	s.mu.Unlock()
	return c.openedDoc(a)
}

func (c *call) openedDoc(a *app) error {
	h := c.conn.docHandle(a)
	c.ret(docInterface(a, h))
	c.eff.extra = append(c.eff.extra, h)
	return nil
}

func globalCreateSessionApp(c *call) error {
	if cur := c.s.doc(); cur != nil {
		return qerr(errAppAlreadyOpen, "%s", cur.id)
	}
	a := c.e.sessionApp(sessionAppPrefix + newUUID())
	if err := c.open(a); err != nil {
		return err
	}
	c.out("qSessionAppId", a.id)
	return nil
}

func globalCreateSessionAppFromApp(c *call) error {
	src := c.str("qSrcAppId")
	if c.bad() {
		return nil
	}
	if cur := c.s.doc(); cur != nil {
		return qerr(errAppAlreadyOpen, "%s", cur.id)
	}
	from, err := c.e.openApp(src)
	if err != nil {
		if errors.Is(err, ErrAppNotFound) {
			return qerr(errAppNotFound, "%s", src)
		}
		return err
	}
	snap := from.snapshot()
	snap.ID = sessionAppPrefix + newUUID()
	a, err := appFromSnapshot(c.e, snap)
	if err != nil {
		return err
	}
	a.isSession = true
	c.e.mu.Lock()
	c.e.apps[a.id] = a
	c.e.mu.Unlock()
	if err := c.open(a); err != nil {
		return err
	}
	c.out("qSessionAppId", a.id)
	return nil
}

func globalCreateApp(c *call) error {
	name := c.str("qAppName")
	c.str("qLocalizedScriptMainSection")
	c.str("qLocale")
	if c.bad() {
		return nil
	}
	if err := validAppID(name); err != nil || strings.HasPrefix(name, sessionAppPrefix) {
		return qerr(errAppInvalidName, "%s", name)
	}
	// The app gets a GUID as its id, like the product's apps; its name is
	// its title, unique among the apps, and OpenDoc and DeleteApp accept
	// it in place of the id.
	if _, ok := c.e.appIDByTitle(name); ok {
		return qerr(errAppExists, "%s", name)
	}
	id := newUUID()
	if err := c.e.CreateApp(c.ctx, id, name, "", false); err != nil {
		if errors.Is(err, ErrAppExists) {
			return qerr(errAppExists, "%s", name)
		}
		return err
	}
	c.out("qSuccess", true)
	c.out("qAppId", id)
	return nil
}

func globalDeleteApp(c *call) error {
	id := c.str("qAppId")
	if c.bad() {
		return nil
	}
	if err := c.e.deleteApp(id); err != nil {
		if errors.Is(err, ErrAppNotFound) {
			return qerr(errAppNotFound, "%s", id)
		}
		return err
	}
	c.out("qSuccess", true)
	return nil
}

func globalGetDocList(c *call) error {
	infos, err := c.e.store.List()
	if err != nil {
		return err
	}
	list := make([]any, 0, len(infos))
	for _, in := range infos {
		d := newObj(12)
		d.Set("qDocName", in.Title)
		d.Set("qConnectedUsers", 0)
		d.Set("qFileTime", fileTime(in.Modified))
		d.Set("qFileSize", float64(in.Size))
		d.Set("qDocId", in.ID)
		d.Set("qMeta", newObj(0))
		d.Set("qLastReloadTime", isoTime(in.LastReload))
		d.Set("qTitle", in.Title)
		thumb := newObj(1)
		thumb.Set("qUrl", "")
		d.Set("qThumbnail", thumb)
		list = append(list, d)
	}
	c.out("qDocList", list)
	return nil
}

// fileTime is a time as Qlik's qFileTime: days since 1899-12-30.
func fileTime(t time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return float64(t.UnixMilli())/86400000 + 25569
}

// isoTime formats a time as the engine does (ISO 8601, UTC, milliseconds),
// "" for the zero time.
func isoTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

func globalGetProgress(c *call) error {
	id := c.integer("qRequestId")
	if c.bad() {
		return nil
	}
	c.s.mu.Lock()
	p := c.s.reloads[int64(id)]
	if p == nil && id == 0 {
		p = c.s.lastReload
	}
	c.s.mu.Unlock()
	c.out("qProgressData", p.report())
	return nil
}

func globalAbortRequest(c *call) error {
	id := c.integer("qRequestId")
	if c.bad() {
		return nil
	}
	for _, cn := range c.s.connList() {
		if cn.cancelRequest(int64(id)) {
			break
		}
	}
	return nil
}

func globalAbortAll(c *call) error {
	for _, cn := range c.s.connList() {
		cn.cancelAll()
	}
	return nil
}

func globalCancelReload(c *call) error {
	c.str("qReason")
	c.s.mu.Lock()
	p := c.s.lastReload
	c.s.mu.Unlock()
	if p != nil && p.cancel != nil {
		p.cancel()
	}
	return nil
}

// appIDByTitle returns the id of the one app titled title.
func (e *Engine) appIDByTitle(title string) (string, bool) {
	infos, err := e.store.List()
	if err != nil {
		return "", false
	}
	id, n := "", 0
	for _, in := range infos {
		if in.Title == title {
			id, n = in.ID, n+1
		}
	}
	e.mu.Lock()
	for aid, a := range e.apps {
		if !a.isSession && a.appTitle() == title && aid != id {
			id, n = aid, n+1
		}
	}
	e.mu.Unlock()
	return id, n == 1
}

// resolveAppID returns id when an app has it, else the id of the one app
// whose title is id (CreateApp's name), else id unchanged.
func (e *Engine) resolveAppID(id string) string {
	e.mu.Lock()
	_, live := e.apps[id]
	e.mu.Unlock()
	if live {
		return id
	}
	if infos, err := e.store.List(); err == nil {
		for _, in := range infos {
			if in.ID == id {
				return id
			}
		}
	}
	if byTitle, ok := e.appIDByTitle(id); ok {
		return byTitle
	}
	return id
}

// deleteApp removes an app from the store; sessions that have it open keep
// their copy until they close.
func (e *Engine) deleteApp(id string) error {
	id = e.resolveAppID(id)
	e.mu.Lock()
	a := e.apps[id]
	if a != nil && !a.isSession {
		delete(e.apps, id)
	}
	e.mu.Unlock()
	err := e.store.Delete(id)
	if a != nil && !a.isSession {
		a.mu.Lock()
		a.deleted = true
		a.mu.Unlock()
		if errors.Is(err, ErrAppNotFound) {
			return nil // created but never saved
		}
	}
	return err
}
