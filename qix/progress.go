package qix

import (
	"strings"
	"sync"
	"time"
)

// progress records a reload's progress for Global.GetProgress.
type progress struct {
	mu        sync.Mutex
	started   time.Time
	finished  bool
	end       time.Time
	pending   []string // persistent lines not yet reported
	transient string
	errs      []*jsonObject
	cancel    func()
}

// maxProgressRecords bounds the reload records a session keeps.
const maxProgressRecords = 16

func newProgress(cancel func()) *progress {
	return &progress{started: now(), cancel: cancel}
}

// add receives one ReloadProgress event.
func (p *progress) add(ev ReloadProgress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if ev.Persistent {
		p.pending = append(p.pending, ev.Message)
		p.transient = ""
		return
	}
	p.transient = ev.Message
}

// finish marks the reload done; a failure adds its error data.
func (p *progress) finish(err error, script string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.finished = true
	p.end = now()
	p.transient = ""
	if err == nil {
		return
	}
	ed := newObj(4)
	ed.Set("qErrorString", err.Error())
	ed.Set("qLineEnd", "")
	line := ""
	if re := asReloadError(err); re != nil && re.Line > 0 {
		line = scriptLine(script, re.Line)
	}
	ed.Set("qLine", line)
	ed.Set("qErrorDataCode", "EDC_ERROR")
	p.errs = append(p.errs, ed)
}

// report returns the ProgressData and clears the reported messages: the
// persistent lines since the last report (each ending in a newline) and the
// latest transient line.
func (p *progress) report() *jsonObject {
	o := newObj(12)
	if p == nil {
		o.Set("qStarted", false).Set("qFinished", false).Set("qCompleted", 0).Set("qTotal", 0).Set("qKB", 0).
			Set("qMillisecs", 0).Set("qUserInteractionWanted", false).Set("qPersistentProgress", "").
			Set("qTransientProgress", "").Set("qErrorData", []any{}).Set("qPersistentProgressMessages", []any{}).
			Set("qTransientProgressMessage", newObj(0))
		return o
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	end := now()
	if p.finished {
		end = p.end
	}
	var b strings.Builder
	for _, l := range p.pending {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	p.pending = p.pending[:0]
	errs := make([]any, len(p.errs))
	for i, e := range p.errs {
		errs[i] = e
	}
	o.Set("qStarted", true)
	o.Set("qFinished", p.finished)
	o.Set("qCompleted", 0)
	o.Set("qTotal", 0)
	o.Set("qKB", 0)
	o.Set("qMillisecs", int(end.Sub(p.started)/time.Millisecond))
	o.Set("qUserInteractionWanted", false)
	o.Set("qPersistentProgress", b.String())
	o.Set("qTransientProgress", p.transient)
	o.Set("qErrorData", errs)
	o.Set("qPersistentProgressMessages", []any{})
	o.Set("qTransientProgressMessage", newObj(0))
	p.transient = ""
	return o
}

// scriptLine returns line n (1-based) of a script.
func scriptLine(script string, n int) string {
	for i := 1; ; i++ {
		line, rest, found := strings.Cut(script, "\n")
		if i == n {
			return strings.TrimRight(line, "\r")
		}
		if !found {
			return ""
		}
		script = rest
	}
}
