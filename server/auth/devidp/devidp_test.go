package devidp

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/assocengine/assoc/server/auth"
)

// serve starts the IdP on a loopback port.
func serve(t *testing.T, opts Options) (*IdP, *httptest.Server) {
	t.Helper()
	var idp *IdP
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { idp.Handler().ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	opts.Issuer = srv.URL
	var err error
	idp, err = New(opts)
	require.NoError(t, err)
	return idp, srv
}

func TestDevIdPTokensValidate(t *testing.T) {
	idp, srv := serve(t, Options{})
	for _, useIDToken := range []bool{true, false} {
		cfg := idp.Config()
		cfg.UseClaimsFromIDToken = useIDToken
		v, err := auth.NewVerifier(auth.Options{Config: &auth.Config{IdPs: []auth.IdPConfig{cfg}}})
		require.NoError(t, err)

		// The password grant, as a script or test client logs in.
		resp, err := http.PostForm(srv.URL+"/token", url.Values{"grant_type": {"password"}, "username": {"harley@qlik.example"}, "password": {"Password1!"}})
		require.NoError(t, err)
		var body struct {
			AccessToken string `json:"access_token"`
			TokenType   string `json:"token_type"`
		}
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
		resp.Body.Close()
		require.Equal(t, "Bearer", body.TokenType)

		u, err := v.Authenticate(context.Background(), "Bearer "+body.AccessToken)
		require.NoError(t, err)
		require.Equal(t, "dev", u.Realm)
		require.Equal(t, "harley@qlik.example", u.Subject)
		require.Equal(t, "Harley Kiffe", u.Name)
		require.Equal(t, []string{"Everyone", "Sales"}, u.Groups)
	}
}

func TestDevIdPRefusals(t *testing.T) {
	idp, srv := serve(t, Options{})
	resp, err := http.PostForm(srv.URL+"/token", url.Values{"grant_type": {"password"}, "username": {"harley@qlik.example"}, "password": {"wrong"}})
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	resp, err = http.PostForm(srv.URL+"/token", url.Values{"grant_type": {"client_credentials"}})
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	resp, err = http.Get(srv.URL + "/userinfo")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	_, err = idp.Issue("nobody@qlik.example")
	require.ErrorContains(t, err, "no user")
	_, err = idp.Login("HARLEY@qlik.example", "Password1!")
	require.NoError(t, err, "user names are case-insensitive")

	// Loopback only unless told otherwise; never a bad URL.
	_, err = New(Options{Issuer: "https://idp.example.com"})
	require.ErrorContains(t, err, "loopback addresses only")
	_, err = New(Options{Issuer: "https://idp.example.com", AllowRemote: true})
	require.NoError(t, err)
	_, err = New(Options{Issuer: "ftp://127.0.0.1"})
	require.ErrorContains(t, err, "not an http(s) URL")
}

func TestDevIdPTokensExpire(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	idp, _ := serve(t, Options{TTL: time.Minute, Clock: func() time.Time { return now }})
	tok, err := idp.Issue("barb@qlik.example")
	require.NoError(t, err)
	cfg := idp.Config()
	v, err := auth.NewVerifier(auth.Options{Config: &auth.Config{IdPs: []auth.IdPConfig{cfg}},
		Clock: func() time.Time { return now.Add(2 * time.Minute) }})
	require.NoError(t, err)
	_, err = v.Verify(context.Background(), tok)
	require.ErrorIs(t, err, auth.ErrExpired)
	require.True(t, strings.HasPrefix(cfg.DiscoveryURL, idp.Issuer()))
}
