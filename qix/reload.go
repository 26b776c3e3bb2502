package qix

import (
	"errors"
)

// DoReload and DoReloadEx run the app's script through Options.Reload on
// the requesting goroutine, recording progress for Global.GetProgress under
// the request's id. On success the new model is swapped in: every session's
// selections start afresh and every object of the app is listed in change.
// A failed reload leaves the previous model and answers false; its error is
// in the progress data.

func docDoReload(c *call) error {
	rp := reloadParams{mode: c.integer("qMode"), partial: c.boolean("qPartial"), debug: c.boolean("qDebug"), rowLimit: -1}
	if c.bad() {
		return nil
	}
	ok, err := c.reload(rp)
	if err != nil {
		return err
	}
	c.ret(ok)
	return nil
}

func docDoReloadEx(c *call) error {
	// Without qParams every option takes its default (enigma's schema
	// default of qRowLimit 0 would mean "no rows").
	p := newObj(0)
	if c.isGiven("qParams") {
		p = c.obj("qParams")
	}
	if c.bad() {
		return nil
	}
	rp := reloadParams{mode: p.integer("qMode", 0), partial: p.boolean("qPartial"), debug: p.boolean("qDebug"), rowLimit: -1}
	if v, ok := p.Get("qRowLimit"); ok {
		n, isNum := v.(jsonNumber)
		f, ok := n.float()
		if !isNum || !ok {
			return qerr(errInvalidParams, "qParams.qRowLimit must be a number")
		}
		rp.rowLimit = int64(f)
	}
	ok, err := c.reload(rp)
	if err != nil {
		return err
	}
	r := newObj(2)
	r.Set("qSuccess", ok)
	c.out("qResult", r)
	return nil
}

// reload runs a reload of the request's app.
func (c *call) reload(rp reloadParams) (bool, error) {
	a := c.h.app
	p := newProgress(c.cancel)
	s := c.s
	s.mu.Lock()
	if len(s.reloads) >= maxProgressRecords {
		for id := range s.reloads {
			delete(s.reloads, id)
			break
		}
	}
	if c.reqID >= 0 {
		s.reloads[c.reqID] = p
	}
	s.lastReload = p
	s.mu.Unlock()
	a.mu.RLock()
	script := a.script
	a.mu.RUnlock()

	_, err := a.reload(c.ctx, rp, p)
	p.finish(err, script)
	switch {
	case err == nil:
		c.eff.reloaded = a
		return true, nil
	case errors.Is(err, ErrNoReloader):
		return false, qerr(errNotImplemented, "this engine has no load-script reloader configured")
	case c.ctx.Err() != nil:
		return false, qerr(errAborted, "reload of %s aborted", a.id)
	}
	var qe *Error
	if errors.As(err, &qe) {
		return false, qe
	}
	c.e.log.Info("reload failed", "app", a.id, "err", err)
	return false, nil
}
