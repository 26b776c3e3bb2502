package reload

import (
	"strconv"
	"strings"
)

// reloadLog collects the reload log and forwards persistent lines to the
// progress callback.
type reloadLog struct {
	b        strings.Builder
	progress func(Progress)
}

// line appends a persistent line to the log and reports it.
func (l *reloadLog) line(s string) {
	l.b.WriteString(s)
	l.b.WriteByte('\n')
	if l.progress != nil {
		l.progress(Progress{Message: s, Persistent: true})
	}
}

// quiet appends a line to the log only (statement echo).
func (l *reloadLog) quiet(s string) {
	l.b.WriteString(s)
	l.b.WriteByte('\n')
}

// transient reports a line that does not stay in the log.
func (l *reloadLog) transient(s string) {
	if l.progress != nil {
		l.progress(Progress{Message: s})
	}
}

func (l *reloadLog) String() string { return l.b.String() }

// statement echoes a statement's text to the log, each line prefixed with
// its 4-digit script line number, as Qlik's script log does.
func (l *reloadLog) statement(firstLine int, text string) {
	for i, ln := range strings.Split(text, "\n") {
		n := strconv.Itoa(firstLine + i)
		if len(n) < 4 {
			n = strings.Repeat("0", 4-len(n)) + n
		}
		l.quiet(n + " " + strings.TrimRight(ln, "\r \t"))
	}
}

// groupDigits renders n with ',' grouping (1,234,567).
func groupDigits(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
