package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"time"
)

// CSRF tokens protect the REST endpoints that change state from requests
// a browser is tricked into sending (spec §2). The server issues a token
// for a session; a state-changing request carries it in CSRFHeader (or
// the CSRFField form value) and is refused without a valid one.
const (
	CSRFHeader = "X-CSRF-Token"
	CSRFField  = "csrf_token"
	// DefaultCSRFTTL is how long a token is valid.
	DefaultCSRFTTL = time.Hour
	// maxSpent bounds the remembered used tokens.
	maxSpent = 1 << 20
)

// Errors of CSRF validation.
var (
	ErrCSRFMissing  = errors.New("anti-CSRF token is missing")
	ErrCSRFInvalid  = errors.New("anti-CSRF token is invalid or was issued for another session")
	ErrCSRFExpired  = errors.New("anti-CSRF token has expired")
	ErrCSRFReplayed = errors.New("anti-CSRF token was already used")
)

// CSRF issues and checks single-use anti-CSRF tokens tied to a session:
// base64url(nonce ‖ expiry ‖ HMAC-SHA256(key, session ‖ nonce ‖ expiry)).
// A token is accepted once, for its session, before it expires.
type CSRF struct {
	key   [32]byte
	ttl   time.Duration
	now   func() time.Time
	mu    sync.Mutex
	spent map[[16]byte]time.Time // nonce → expiry
}

// NewCSRF returns a CSRF with a random key. ttl 0 is DefaultCSRFTTL; now
// nil is time.Now.
func NewCSRF(ttl time.Duration, now func() time.Time) *CSRF {
	c := &CSRF{ttl: ttl, now: now, spent: map[[16]byte]time.Time{}}
	if c.ttl <= 0 {
		c.ttl = DefaultCSRFTTL
	}
	if c.now == nil {
		c.now = time.Now
	}
	_, _ = rand.Read(c.key[:])
	return c
}

const csrfLen = 16 + 8 + sha256.Size

func (c *CSRF) mac(session string, nonce []byte, exp uint64) []byte {
	m := hmac.New(sha256.New, c.key[:])
	m.Write([]byte("assoc-csrf\x00"))
	m.Write([]byte(session))
	m.Write([]byte{0})
	m.Write(nonce)
	var e [8]byte
	binary.BigEndian.PutUint64(e[:], exp)
	m.Write(e[:])
	return m.Sum(nil)
}

// Issue returns a new token for a session.
func (c *CSRF) Issue(session string) string {
	var b [csrfLen]byte
	_, _ = rand.Read(b[:16])
	exp := uint64(c.now().Add(c.ttl).Unix())
	binary.BigEndian.PutUint64(b[16:24], exp)
	copy(b[24:], c.mac(session, b[:16], exp))
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// Verify accepts a token once for the session it was issued to; a token
// that is missing, forged, expired, for another session or already used
// is refused with an error that says which.
func (c *CSRF) Verify(session, token string) error {
	if token == "" {
		return ErrCSRFMissing
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(b) != csrfLen {
		return ErrCSRFInvalid
	}
	exp := binary.BigEndian.Uint64(b[16:24])
	if !hmac.Equal(b[24:], c.mac(session, b[:16], exp)) {
		// Forged, or issued for another session: one error, so a forger
		// learns nothing.
		return ErrCSRFInvalid
	}
	now := c.now()
	if now.Unix() >= int64(exp) {
		return fmt.Errorf("%w at %s", ErrCSRFExpired, time.Unix(int64(exp), 0).UTC().Format(time.RFC3339))
	}
	var nonce [16]byte
	copy(nonce[:], b[:16])
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, used := c.spent[nonce]; used {
		return ErrCSRFReplayed
	}
	if len(c.spent) >= maxSpent/2 {
		for n, e := range c.spent {
			if now.After(e) {
				delete(c.spent, n)
			}
		}
		if len(c.spent) >= maxSpent {
			return fmt.Errorf("%w: too many tokens in use; try again", ErrCSRFInvalid)
		}
	}
	c.spent[nonce] = time.Unix(int64(exp), 0)
	return nil
}
