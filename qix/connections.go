package qix

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
)

// Data connections. A "folder" connection names a directory that must lie
// inside one of Options.AllowDirs once made absolute and rid of symlinks and
// "..": reloads reach its files as lib://<name>/...; other connection types
// (ODBC, custom connectors ...) are not supported.

// connection parses a Connection parameter.
func (c *call) connection(name string) Connection {
	o := c.obj(name)
	str := func(k string) string {
		v, ok := o.Get(k)
		if !ok || v == nil {
			return ""
		}
		s, isStr := v.(string)
		if !isStr {
			c.badArg(name+"."+k, "a string", v)
		}
		return s
	}
	return Connection{ID: str("qId"), Name: str("qName"), ConnectionString: str("qConnectionString"),
		Type: str("qType"), UserName: str("qUserName"), Password: str("qPassword")}
}

// validConnectionName follows LOCERR_CONNECTION_NAME_IS_INVALID: 1-256
// characters, none of <>:"/|?*.
func validConnectionName(n string) bool {
	return n != "" && len([]rune(n)) <= 256 && !strings.ContainsAny(n, `<>:"/|?*`) && strings.TrimSpace(n) == n
}

// checkConnection validates a connection and resolves its folder.
func (e *Engine) checkConnection(cn *Connection) error {
	if !validConnectionName(cn.Name) {
		return qerr(errConnInvalidName, "%q", cn.Name)
	}
	if !strings.EqualFold(cn.Type, "folder") {
		return qerr(errNotImplemented, "connection type %q is not supported, only folder", cn.Type)
	}
	cn.Type = "folder"
	dir := cn.ConnectionString
	if dir == "" {
		return qerr(errInvalidPath, "connection %q: qConnectionString must be a folder path", cn.Name)
	}
	if !filepath.IsAbs(dir) {
		if e.opts.DocsDir == "" {
			return qerr(errInvalidPath, "connection %q: folder %q must be an absolute path", cn.Name, dir)
		}
		dir = filepath.Join(e.opts.DocsDir, dir)
	}
	p, err := e.checkFolder(dir)
	if err != nil {
		var qe *Error
		if errors.As(err, &qe) {
			qe.Parameter = fmt.Sprintf("connection %q: %s", cn.Name, qe.Parameter)
			return qe
		}
		return err
	}
	cn.Path = p
	return nil
}

// checkFolder resolves dir (absolute, symlinks and ".." removed) and checks
// that it is an existing directory inside an allowed root.
func (e *Engine) checkFolder(dir string) (string, error) {
	if len(e.allow) == 0 {
		return "", qerr(errAccessDenied, "folder connections are disabled (no allowed directories)")
	}
	p, err := resolveDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", qerr(errInvalidPath, "folder %q does not exist", dir)
		}
		return "", qerr(errInvalidPath, "folder %q: %v", dir, err)
	}
	for _, root := range e.allow {
		if within(root, p) {
			return p, nil
		}
	}
	return "", qerr(errAccessDenied, "folder %q is outside the allowed directories", dir)
}

// within reports whether p is root or inside it (both clean and absolute).
func within(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

func connectionObj(cn Connection) *jsonObject {
	o := newObj(7)
	o.Set("qId", cn.ID)
	o.Set("qName", cn.Name)
	o.Set("qConnectionString", cn.ConnectionString)
	o.Set("qType", cn.Type)
	if cn.UserName != "" {
		o.Set("qUserName", cn.UserName)
	}
	o.Set("qModifiedDate", isoTime(cn.Modified))
	o.Set("qMeta", newObj(0))
	return o
}

func docCreateConnection(c *call) error {
	cn := c.connection("qConnection")
	if c.bad() {
		return nil
	}
	if err := c.e.checkConnection(&cn); err != nil {
		return err
	}
	a := c.h.app
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, x := range a.conns {
		if strings.EqualFold(x.Name, cn.Name) {
			return qerr(errConnExists, "%s", cn.Name)
		}
	}
	cn.ID = newUUID()
	cn.Modified = now().UTC()
	a.conns = append(a.conns, cn)
	c.out("qConnectionId", cn.ID)
	return nil
}

func docModifyConnection(c *call) error {
	id := c.str("qConnectionId")
	cn := c.connection("qConnection")
	override := c.boolean("qOverrideCredentials")
	if c.bad() {
		return nil
	}
	if err := c.e.checkConnection(&cn); err != nil {
		return err
	}
	a := c.h.app
	a.mu.Lock()
	defer a.mu.Unlock()
	i := slices.IndexFunc(a.conns, func(x Connection) bool { return x.ID == id })
	if i < 0 {
		return qerr(errConnNotFound, "%s", id)
	}
	for j, x := range a.conns {
		if j != i && strings.EqualFold(x.Name, cn.Name) {
			return qerr(errConnExists, "%s", cn.Name)
		}
	}
	old := a.conns[i]
	cn.ID = id
	cn.Modified = now().UTC()
	if !override {
		cn.UserName, cn.Password = old.UserName, old.Password
	}
	a.conns[i] = cn
	return nil
}

func docDeleteConnection(c *call) error {
	id := c.str("qConnectionId")
	if c.bad() {
		return nil
	}
	a := c.h.app
	a.mu.Lock()
	defer a.mu.Unlock()
	i := slices.IndexFunc(a.conns, func(x Connection) bool { return x.ID == id })
	if i < 0 {
		return qerr(errConnNotFound, "%s", id)
	}
	a.conns = slices.Delete(a.conns, i, i+1)
	return nil
}

func docGetConnection(c *call) error {
	id := c.str("qConnectionId")
	if c.bad() {
		return nil
	}
	a := c.h.app
	a.mu.RLock()
	defer a.mu.RUnlock()
	i := slices.IndexFunc(a.conns, func(x Connection) bool { return x.ID == id })
	if i < 0 {
		return qerr(errConnNotFound, "%s", id)
	}
	c.out("qConnection", connectionObj(a.conns[i]))
	return nil
}

func docGetConnections(c *call) error {
	a := c.h.app
	a.mu.RLock()
	defer a.mu.RUnlock()
	out := make([]any, len(a.conns))
	for i, cn := range a.conns {
		out[i] = connectionObj(cn)
	}
	c.out("qConnections", out)
	return nil
}
