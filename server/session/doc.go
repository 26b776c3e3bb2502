// Package session keeps the engine-side QIX sessions of a server: which
// session a new WebSocket connection belongs to, how many connections each
// session has, and how long a session without connections lives on.
//
// A session is found by its Key, built with KeyOf from what the client sent
// (Qlik Core's rules): the X-Qlik-Session header when present, else the app
// id of the URL plus its /identity/<x> segment; with authentication on, the
// user id is part of the key too, so two users never share a session.
//
// A connection takes a Lease with Registry.Acquire and gives it back with
// Lease.Release. When the last connection of a session has gone, the
// session lives on for its TTL: the server's default, or the latest value a
// client asked for with /ttl/<seconds>, capped by the maximum. A connection
// that comes back within the TTL gets the same session (the engine then
// says SESSION_ATTACHED and the open app, objects and selections are still
// there); once the TTL has lapsed the session is closed. A TTL of 0 closes
// the session as soon as its last connection leaves, and a negative TTL
// keeps it until the registry closes.
//
// The registry does not know what a session is: it stores any value with a
// Close method and creates it through the function given to Acquire, so it
// is tested without an engine. Time comes from a Clock, so TTL expiry is
// tested without sleeping.
package session
