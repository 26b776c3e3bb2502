// Package license enforces the engine's license (spec §1): which users may
// connect, with what access, how many connections, and what they consume.
//
// # Keys
//
// A license key is a compact signed document, verified offline with an
// Ed25519 public key configured at start (ParseKey):
//
//	AL1.<base64url(payload)>.<base64url(signature)>
//
// The payload is the canonical JSON of the Entitlements (fields in name
// order, no spaces): professional, analyzer, analyzerCapacityMinutes,
// tokens, cores, expires, licensee, keyId and legacy. The signature covers
// SignedPrefix plus the payload. A tampered, wrongly signed, non-canonical,
// invalid or expired key is refused with an error that says which, and the
// engine then runs unlicensed. "assoc license keygen|sign|inspect" makes
// and checks keys.
//
// # Model
//
// A License admits connections (Connect → a Lease, or a *Refusal whose
// SessionState is the QIX OnConnected state), releases them (Lease.Release)
// and does its periodic work on Tick, all timed by an injected Clock:
//
//   - Without a key: evaluation mode, EvaluationSessions (5) sessions; the
//     sixth is refused with SESSION_ERROR_LIMIT_EXCEEDED.
//   - Access types: Professional and Analyzer allocations (user-based,
//     identified users), Analyzer Capacity (a monthly pool of minutes used
//     in 6-minute units, also by anonymous users). The Assignment setting
//     picks what a user without an allocation gets; Analyzer upgrades to
//     Professional, never the reverse. No access possible:
//     SESSION_ERROR_NO_LICENSE.
//   - Token licenses: user access passes (one token each) and login access
//     groups (ten passes per token; a pass is 60 continuous minutes, passes
//     count over a rolling 28 days; identified users keep their pass when
//     they come back within the hour, anonymous users take a new one).
//   - A user-based allocation (or a login pass) holds at most MaxParallel
//     (5) connections, 1 for an anonymous pass; when one at the maximum
//     ends, 5 minutes pass before it may add another. A user access pass at
//     its maximum opens more connections with login passes.
//   - Removal: legacy keys quarantine Professional and Analyzer allocations
//     used in the last 7 days; user access passes are quarantined 7 days
//     from their last use; Reinstate ends a quarantine.
//   - The key's cores cap the engine's parallelism (CoreCap).
//
// A connection, for the license, is an engine session: sockets attached to
// the same session share it (and what it consumes). Consumption-based
// sessions (Analyzer Capacity, login passes) are charged when each period
// begins; one idle for Options.IdleTimeout is not renewed, and reloads of
// its app (License.Reload) count as activity, so an open app that reloads
// keeps consuming.
//
// # State
//
// Allocations, quarantines, login passes, capacity consumption and the
// connections of every engine live in a Store, per key id, so engines that
// share a store and key enforce the limits together (a unified license),
// and a new key id starts from its own allocations (the old key's come back
// with it). Updates are optimistic: read, change, save if the revision is
// unchanged, else retry. FileStore is the embedded default (one file per
// key in the data directory, atomic writes, a file lock), MongoStore the
// deployment's MongoDB. Each engine heartbeats its connections on Tick; an
// engine not seen for Options.StaleAfter stops holding anything. Whatever
// the store holds is first cut down to what the key grants, a corrupt
// record starts afresh, and an engine re-admits its live connections into
// a state that lost them (or ends them), so a lost or damaged store never
// grants more than the key allows; a store that cannot be reached refuses
// new connections.
package license
