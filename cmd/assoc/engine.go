package main

import (
	"github.com/assocengine/assoc/qix"
	"github.com/assocengine/assoc/server"
)

// qixEngine adapts a *qix.Engine to server.Engine: the server declares its
// own small interfaces, and qix's methods return concrete types.
type qixEngine struct{ e *qix.Engine }

var _ server.Engine = qixEngine{}

func (a qixEngine) NewSession(p server.SessionParams) (server.Session, error) {
	s, err := a.e.NewSession(qix.SessionParams{AppID: p.AppID, User: p.User, UserDirectory: p.UserDirectory})
	if err != nil {
		return nil, err
	}
	return qixSession{s}, nil
}

func (a qixEngine) Stats() server.EngineStats {
	st := a.e.Stats()
	return server.EngineStats{
		ActiveSessions: st.ActiveSessions,
		TotalSessions:  st.TotalSessions,
		ActiveDocs:     st.ActiveDocs,
		LoadedDocs:     st.LoadedDocs,
		Calls:          st.Calls,
		Selections:     st.Selections,
	}
}

// qixSession adapts a *qix.Session; a *qix.Conn is a server.Conn as it is.
type qixSession struct{ s *qix.Session }

func (q qixSession) Attach(out server.Sender) server.Conn { return q.s.Attach(out) }
func (q qixSession) Close()                               { q.s.Close() }
