package browser

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/chromedp"
	"github.com/golang-jwt/jwt/v5"

	"github.com/zmed/exam-manager/local/authorizer"
	"github.com/zmed/exam-manager/local/stack"
	"github.com/zmed/exam-manager/shared/console"
)

// The SRP-6a group Cognito uses (RFC 3526, 3072 bits), g = 2.
var srpN, _ = new(big.Int).SetString(""+
	"FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"+
	"EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"+
	"EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"+
	"83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"+
	"E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"+
	"15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"+
	"ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C"+
	"BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF", 16)

var srpG = big.NewInt(2)

func padHex(n *big.Int) string {
	h := n.Text(16)
	if len(h)%2 == 1 {
		h = "0" + h
	} else if strings.ContainsRune("89abcdef", rune(h[0])) {
		h = "00" + h
	}
	return h
}

func hexHash(hexes ...string) *big.Int {
	b, _ := hex.DecodeString(strings.Join(hexes, ""))
	sum := sha256.Sum256(b)
	return new(big.Int).SetBytes(sum[:])
}

func hmacSHA256(key, data []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(data)
	return m.Sum(nil)
}

func randomInt(bytes int) *big.Int {
	b := make([]byte, bytes)
	_, _ = rand.Read(b)
	return new(big.Int).SetBytes(b)
}

// fakeCognito is the server side of Cognito's SRP sign-in with TOTP, written
// from the protocol: it checks the page's password proof for real (unlike
// moto, which accepts any signature), then a TOTP code, and issues an access
// token the local API accepts (signed with the local attendant key).
type fakeCognito struct {
	t                          *testing.T
	pool, client, user, userID string
	password, code             string
	expiresIn                  int
	salt, verifier             *big.Int
	mu                         sync.Mutex
	sessions                   map[string]*srpSession
	bodies                     []string
	signedOut                  []string
	accessToken                string
	// refreshes counts REFRESH_TOKEN_AUTH calls; refused refuses them (a
	// revoked refresh token); staleFirst issues the sign-in's access token
	// already expired, as the API would find one after a suspended laptop.
	refreshes         int
	refused           bool
	staleFirst        bool
	refreshToken      string
	refreshedAccesses map[string]bool
	// A new user (cognito_first_test.go): temporary asks NEW_PASSWORD_REQUIRED
	// after the password; without an authenticator, MFA_SETUP follows.
	temporary, withoutAuthenticator bool
	totpSecret                      string
}

type srpSession struct {
	a, b, bigB  *big.Int
	secretBlock string
	verified    bool
	stage       string // the step this session may take next, after the password
}

// cognitoCall is the body of a call to Cognito's API, the fields the fake reads.
type cognitoCall struct {
	AuthFlow, ClientId, Session, ChallengeName, AccessToken, UserCode string
	AuthParameters, ChallengeResponses                                map[string]string
}

func newFakeCognito(t *testing.T) *fakeCognito {
	f := &fakeCognito{t: t, pool: "sa-east-1_ZmedTest1", client: "3n4b5urk1ft4fl3mg5e62d9ado",
		user: "ana@zmed.example", userID: "6b1f2c3d-0e4a-4b5c-8d7e-9f0a1b2c3d4e",
		password: "Uma-Senha-longa-1!", code: "123456", expiresIn: 3600, sessions: map[string]*srpSession{},
		refreshedAccesses: map[string]bool{}}
	f.setPassword(f.password)
	return f
}

// setPassword keeps the password's verifier, as Cognito does (never the password).
func (f *fakeCognito) setPassword(password string) {
	f.password = password
	f.salt = randomInt(16)
	poolName := strings.Split(f.pool, "_")[1]
	userHash := sha256.Sum256([]byte(poolName + f.userID + ":" + password))
	x := hexHash(padHex(f.salt), hex.EncodeToString(userHash[:]))
	f.verifier = new(big.Int).Exp(srpG, x, srpN)
}

func (f *fakeCognito) fail(w http.ResponseWriter, kind string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(400)
	fmt.Fprintf(w, `{"__type":%q,"message":"refused"}`, kind)
}

func (f *fakeCognito) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var in cognitoCall
	raw, err := io.ReadAll(r.Body)
	if err != nil || json.Unmarshal(raw, &in) != nil {
		f.fail(w, "InvalidParameterException")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.bodies = append(f.bodies, string(raw))
	target := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "AWSCognitoIdentityProviderService.")
	if !slices.Contains([]string{"GlobalSignOut", "AssociateSoftwareToken", "VerifySoftwareToken"}, target) && in.ClientId != f.client {
		f.fail(w, "ResourceNotFoundException")
		return
	}
	out := map[string]any{}
	switch {
	case target == "InitiateAuth" && in.AuthFlow == "USER_SRP_AUTH":
		a, ok := new(big.Int).SetString(in.AuthParameters["SRP_A"], 16)
		if !ok || new(big.Int).Mod(a, srpN).Sign() == 0 || in.AuthParameters["USERNAME"] != f.user {
			f.fail(w, "NotAuthorizedException")
			return
		}
		k := hexHash(padHex(srpN), padHex(srpG))
		b := randomInt(32)
		bigB := new(big.Int).Mod(new(big.Int).Add(new(big.Int).Mul(k, f.verifier), new(big.Int).Exp(srpG, b, srpN)), srpN)
		block := make([]byte, 64)
		_, _ = rand.Read(block)
		id := randomInt(16).Text(36)
		f.sessions[id] = &srpSession{a: a, b: b, bigB: bigB, secretBlock: base64.StdEncoding.EncodeToString(block)}
		out = map[string]any{"ChallengeName": "PASSWORD_VERIFIER", "Session": id, "ChallengeParameters": map[string]string{
			"SALT": f.salt.Text(16), "SRP_B": bigB.Text(16), "SECRET_BLOCK": f.sessions[id].secretBlock,
			"USERNAME": f.userID, "USER_ID_FOR_SRP": f.userID}}
	case target == "RespondToAuthChallenge" && in.ChallengeName == "PASSWORD_VERIFIER":
		s := f.sessions[in.Session]
		c := in.ChallengeResponses
		if s == nil || c["USERNAME"] != f.userID || c["PASSWORD_CLAIM_SECRET_BLOCK"] != s.secretBlock ||
			!regexp.MustCompile(`^(Sun|Mon|Tue|Wed|Thu|Fri|Sat) [A-Z][a-z]{2} [1-9][0-9]? \d{2}:\d{2}:\d{2} UTC \d{4}$`).MatchString(c["TIMESTAMP"]) {
			f.fail(w, "NotAuthorizedException")
			return
		}
		u := hexHash(padHex(s.a), padHex(s.bigB))
		// S = (A · v^u)^b: the same secret the page derives only if it knows the password.
		S := new(big.Int).Exp(new(big.Int).Mod(new(big.Int).Mul(s.a, new(big.Int).Exp(f.verifier, u, srpN)), srpN), s.b, srpN)
		uBytes, _ := hex.DecodeString(padHex(u))
		sBytes, _ := hex.DecodeString(padHex(S))
		key := hmacSHA256(hmacSHA256(uBytes, sBytes), []byte("Caldera Derived Key\x01"))[:16]
		block, _ := base64.StdEncoding.DecodeString(s.secretBlock)
		want := hmacSHA256(key, []byte(strings.Split(f.pool, "_")[1]+f.userID+string(block)+c["TIMESTAMP"]))
		got, _ := base64.StdEncoding.DecodeString(c["PASSWORD_CLAIM_SIGNATURE"])
		if !hmac.Equal(got, want) {
			f.fail(w, "NotAuthorizedException")
			return
		}
		s.verified = true
		out = f.afterPassword(in.Session)
	case target == "RespondToAuthChallenge" && in.ChallengeName == "SOFTWARE_TOKEN_MFA":
		s := f.sessions[in.Session]
		if s == nil || !s.verified || s.stage != "SOFTWARE_TOKEN_MFA" || in.ChallengeResponses["USERNAME"] != f.userID {
			f.fail(w, "NotAuthorizedException")
			return
		}
		if !f.codeOK(in.ChallengeResponses["SOFTWARE_TOKEN_MFA_CODE"]) {
			f.fail(w, "CodeMismatchException")
			return
		}
		delete(f.sessions, in.Session)
		out = f.signedIn()
	case target == "InitiateAuth" && in.AuthFlow == "REFRESH_TOKEN_AUTH":
		f.refreshes++
		if f.refused || in.AuthParameters["REFRESH_TOKEN"] != f.refreshToken {
			f.fail(w, "NotAuthorizedException")
			return
		}
		f.accessToken = f.token(time.Duration(f.expiresIn) * time.Second)
		f.refreshedAccesses[f.accessToken] = true
		out = map[string]any{"ChallengeParameters": map[string]string{}, "AuthenticationResult": map[string]any{
			"AccessToken": f.accessToken, "IdToken": f.accessToken, "ExpiresIn": f.expiresIn, "TokenType": "Bearer"}}
	case target == "GlobalSignOut":
		f.signedOut = append(f.signedOut, in.AccessToken)
	default:
		var refusal string
		if out, refusal = f.firstSignIn(target, in); refusal != "" {
			f.fail(w, refusal)
			return
		}
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(out)
}

// signedIn is the answer that ends a sign-in: the tokens.
func (f *fakeCognito) signedIn() map[string]any {
	lifetime := time.Duration(f.expiresIn) * time.Second
	if f.staleFirst {
		lifetime = -time.Minute
	}
	f.accessToken = f.token(lifetime)
	f.refreshToken = randomInt(32).Text(36)
	return map[string]any{"ChallengeParameters": map[string]string{}, "AuthenticationResult": map[string]any{
		"AccessToken": f.accessToken, "IdToken": f.accessToken, "RefreshToken": f.refreshToken, "ExpiresIn": f.expiresIn, "TokenType": "Bearer"}}
}

// token is an access token the local API accepts (signed with the local
// attendant key), running out after lifetime (negative: already expired).
func (f *fakeCognito) token(lifetime time.Duration) string {
	tok, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": f.userID, "username": f.user, "client_id": f.client,
		"token_use": "access", "jti": randomInt(16).Text(36), "exp": time.Now().Add(lifetime).Unix()}).SignedString([]byte(authorizer.DefaultKey))
	return tok
}

const cognitoEndpoint = "https://cognito-idp.sa-east-1.amazonaws.com/"

// routeCognito answers the tab's requests to Cognito's endpoint with handler,
// inside the browser (the Fetch domain): the page keeps its production
// endpoint and policy, and no request leaves the machine. The answers carry
// the CORS headers Cognito's API sends.
func routeCognito(t *testing.T, handler http.Handler) func(ctx context.Context) {
	return routeCognitoTo(t, cognitoEndpoint, handler)
}

// routeCognitoTo is routeCognito for another endpoint.
func routeCognitoTo(t *testing.T, endpoint string, handler http.Handler) func(ctx context.Context) {
	return routeCognitoGated(t, endpoint, handler, nil)
}

// apiGate stands for API Gateway's JWT authorizer in front of the local API
// for tokens of an issuer the local API does not know (moto's): given a
// request's Authorization header, it answers the header to send on, or false
// for a 401 as API Gateway answers it.
type apiGate func(authorization string) (string, bool)

// routeCognitoGated is routeCognitoTo with, when gate is set, every request
// to the local stack that carries a token passed through gate.
func routeCognitoGated(t *testing.T, endpoint string, handler http.Handler, gate apiGate) func(ctx context.Context) {
	return func(ctx context.Context) {
		paused := chromedp.Events(ctx, fetch.RequestPaused)
		patterns := []*fetch.RequestPattern{{URLPattern: endpoint + "*"}}
		if gate != nil {
			patterns = append(patterns, &fetch.RequestPattern{URLPattern: "http://127.0.0.1:*"})
		}
		if _, err := chromedp.Call(ctx, fetch.Enable, fetch.EnableParams{Patterns: patterns}); err != nil {
			t.Fatal(err)
		}
		go func() {
			for ev, err := range paused {
				if err != nil {
					return
				}
				if !strings.HasPrefix(ev.Request.URL, endpoint) {
					passGate(ctx, ev, gate)
					continue
				}
				var body strings.Builder
				for _, p := range ev.Request.PostDataEntries {
					body.Write(p.Bytes)
				}
				req := httptest.NewRequest(ev.Request.Method, ev.Request.URL, strings.NewReader(body.String()))
				for k, v := range ev.Request.Headers {
					req.Header.Set(k, fmt.Sprint(v))
				}
				rec := httptest.NewRecorder()
				origin := req.Header.Get("Origin")
				if ev.Request.Method != http.MethodOptions {
					handler.ServeHTTP(rec, req)
				}
				headers := []*fetch.HeaderEntry{
					{Name: "Access-Control-Allow-Origin", Value: origin},
					{Name: "Access-Control-Allow-Headers", Value: "content-type, x-amz-target, x-amz-user-agent"},
					{Name: "Access-Control-Allow-Methods", Value: "POST"},
					{Name: "Content-Type", Value: rec.Header().Get("Content-Type")},
				}
				_, _ = chromedp.Call(ctx, fetch.FulfillRequest, fetch.FulfillRequestParams{RequestID: ev.RequestID, ResponseCode: int64(rec.Code), ResponseHeaders: headers, Body: rec.Body.Bytes()})
			}
		}()
	}
}

// passGate sends a paused request to the local stack on, its token
// exchanged by gate, or answers 401 when gate refuses it.
func passGate(ctx context.Context, ev fetch.EventRequestPaused, gate apiGate) {
	var headers []*fetch.HeaderEntry
	auth := ""
	for k, v := range ev.Request.Headers {
		if strings.EqualFold(k, "Authorization") {
			auth = fmt.Sprint(v)
			continue
		}
		headers = append(headers, &fetch.HeaderEntry{Name: k, Value: fmt.Sprint(v)})
	}
	if auth == "" {
		_, _ = chromedp.Call(ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: ev.RequestID})
		return
	}
	next, ok := gate(auth)
	if !ok {
		_, _ = chromedp.Call(ctx, fetch.FulfillRequest, fetch.FulfillRequestParams{RequestID: ev.RequestID, ResponseCode: 401,
			ResponseHeaders: []*fetch.HeaderEntry{{Name: "Content-Type", Value: "application/json"}}, Body: []byte(`{"message":"Unauthorized"}`)})
		return
	}
	headers = append(headers, &fetch.HeaderEntry{Name: "Authorization", Value: next})
	_, _ = chromedp.Call(ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: ev.RequestID, Headers: headers})
}

func startCognito(t *testing.T, f *fakeCognito) *env {
	return startWith(t, func(c *stack.Config) {
		c.Console = console.Settings{Mode: console.ModeCognito, CognitoEndpoint: cognitoEndpoint, UserPoolID: f.pool, ClientID: f.client}
	}, routeCognito(t, f))
}

func (e *env) signInCognito(user, password, code string) {
	e.t.Helper()
	e.do(chromedp.Evaluate[chromedp.Void](`document.getElementById('username').value = ''`), chromedp.SendKeys(chromedp.CSS("#username"), user),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('signin-error').hidden = true`),
		chromedp.Click(chromedp.CSS(`#password-form button[type="submit"]`)))
	e.waitFor(`['totp-form', 'new-password-form', 'mfa-setup-form', 'signin-error'].some((id) => !document.getElementById(id).hidden)`)
	if code == "" || eval[bool](e, `document.getElementById('totp-form').hidden`) {
		return
	}
	e.do(chromedp.SendKeys(chromedp.CSS("#totp"), code), chromedp.Click(chromedp.CSS(`#totp-form button[type="submit"]`)))
	e.waitFor(`!document.getElementById('workspace').hidden || !document.getElementById('signin-error').hidden`)
}

// TestCognitoSignIn: in AWS the page signs in with the user pool's SRP flow
// and a TOTP code; the password never leaves the page; the access token is
// kept in memory only and sent to the API; sign-out ends the session at
// Cognito; wrong passwords and codes read in Portuguese.
func TestCognitoSignIn(t *testing.T) {
	f := newFakeCognito(t)
	e := startCognito(t, f)
	if !eval[bool](e, `document.getElementById('signin-local').hidden && !document.getElementById('password-form').hidden`) {
		t.Fatal("the Cognito page offers the local sign-in")
	}

	e.signInCognito(f.user, "senha-errada", "")
	e.waitText("#signin-error", "E-mail, senha ou código incorretos")
	if !eval[bool](e, `document.activeElement === document.getElementById('signin-error')`) {
		t.Error("the sign-in error does not take the focus")
	}
	e.signInCognito(f.user, f.password, "654321")
	e.waitText("#signin-error", "Código do autenticador incorreto.")
	e.signInCognito(f.user, f.password, f.code)
	e.waitText("#who-name", "Atendente: "+f.user)
	if v := eval[string](e, `document.getElementById('password').value + document.getElementById('totp').value`); v != "" {
		t.Errorf("the password or code stays in the form: %q", v)
	}

	e.search(maria)
	lists := e.sent("POST", "/exams/info")
	if len(lists) == 0 || lists[len(lists)-1].Headers["Authorization"] != "Bearer "+f.accessToken {
		t.Errorf("the API request carries %q, want the access token", lists[len(lists)-1].Headers["Authorization"])
	}
	f.mu.Lock()
	for _, b := range f.bodies {
		if strings.Contains(b, f.password) {
			t.Errorf("the password reached Cognito: %s", b)
		}
	}
	f.mu.Unlock()
	if kept := eval[string](e, `JSON.stringify(localStorage) + JSON.stringify(sessionStorage) + document.cookie`); kept != "{}{}" {
		t.Errorf("the page stored something: %s", kept)
	}

	e.do(chromedp.Click(chromedp.CSS("#sign-out")), chromedp.WaitVisible(chromedp.CSS("#password-form")))
	e.waitFor(`document.getElementById('status').textContent === 'Você saiu.'`)
	for deadline := time.Now().Add(hang); ; time.Sleep(20 * time.Millisecond) {
		f.mu.Lock()
		out := len(f.signedOut) == 1 && f.signedOut[0] == f.accessToken
		f.mu.Unlock()
		if out {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("sign-out did not call GlobalSignOut with the access token")
		}
	}
}

// TestCognitoSessionExpires: when the access token runs out and Cognito
// refuses to renew it (the refresh token was revoked), the page forgets the
// patient and asks to sign in again.
func TestCognitoSessionExpires(t *testing.T) {
	f := newFakeCognito(t)
	f.expiresIn = 2
	f.refused = true
	e := startCognito(t, f)
	e.signInCognito(f.user, f.password, f.code)
	f.mu.Lock()
	issued := f.accessToken != ""
	f.mu.Unlock()
	if !issued {
		t.Fatal("the sign-in did not complete")
	}
	e.waitText("#alert", "Sua sessão expirou. Entre novamente.")
	if !eval[bool](e, `document.getElementById('workspace').hidden && document.querySelectorAll('li.exam').length === 0 && !document.getElementById('password-form').hidden`) {
		t.Error("the workspace is still shown after the session expired")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.refreshes == 0 {
		t.Error("the page did not try to renew the token before signing out")
	}
}

// refreshed waits until the fake has renewed the access token n times.
func (f *fakeCognito) refreshed(e *env, n int) {
	e.t.Helper()
	for deadline := time.Now().Add(hang); ; time.Sleep(20 * time.Millisecond) {
		f.mu.Lock()
		done := f.refreshes >= n
		f.mu.Unlock()
		if done {
			return
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("the page did not renew its token %d times", n)
		}
	}
}

// searchSignedIn searches a patient and requires the answer with the
// attendant still signed in; it returns the page's list requests so far.
func (e *env) searchSignedIn() []sentRequest {
	e.t.Helper()
	e.search(maria)
	if e.text("#alert") != "" || !eval[bool](e, `!document.getElementById('workspace').hidden`) {
		e.t.Fatalf("signed out or refused: %q", e.text("#alert"))
	}
	return e.sent("POST", "/exams/info")
}

// TestCognitoRenewsBeforeExpiry: before the access token runs out the page
// renews it with the refresh token (REFRESH_TOKEN_AUTH) and sends the new one.
func TestCognitoRenewsBeforeExpiry(t *testing.T) {
	f := newFakeCognito(t)
	f.expiresIn = 4
	e := startCognito(t, f)
	e.signInCognito(f.user, f.password, f.code)
	f.refreshed(e, 2)
	lists := e.searchSignedIn()
	f.mu.Lock()
	defer f.mu.Unlock()
	if got := strings.TrimPrefix(lists[len(lists)-1].Headers["Authorization"], "Bearer "); !f.refreshedAccesses[got] {
		t.Errorf("the API request carries %q, not a renewed token", got)
	}
	for _, b := range f.bodies {
		if strings.Contains(b, "REFRESH_TOKEN_AUTH") && strings.Contains(b, f.password) {
			t.Errorf("the password went with a renewal: %s", b)
		}
	}
	if kept := eval[string](e, `JSON.stringify(localStorage) + JSON.stringify(sessionStorage) + document.cookie`); kept != "{}{}" {
		t.Errorf("the page stored something: %s", kept)
	}
}

// TestCognitoRenewsAfter401: a token the API refuses (401) is renewed once
// and the request sent again, so the attendant sees the answer, not a sign-out.
func TestCognitoRenewsAfter401(t *testing.T) {
	f := newFakeCognito(t)
	f.expiresIn = 900
	f.staleFirst = true
	e := startCognito(t, f)
	e.signInCognito(f.user, f.password, f.code)
	e.searchSignedIn()
	// The first calls are the worklist's two lists, sent at once with the
	// stale token: both are refused, one renewal serves both, and each is
	// sent again with the new token.
	byURL := map[string][]sentRequest{}
	for _, r := range e.sent("GET", "/exams/worklist") {
		byURL[r.URL] = append(byURL[r.URL], r)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.refreshes != 1 || len(byURL) == 0 {
		t.Fatalf("%d renewals and %d worklist lists, want 1 renewal", f.refreshes, len(byURL))
	}
	bearer := func(r sentRequest) string { return strings.TrimPrefix(r.Headers["Authorization"], "Bearer ") }
	for url, rs := range byURL {
		if len(rs) < 2 || f.refreshedAccesses[bearer(rs[0])] || !f.refreshedAccesses[bearer(rs[1])] {
			t.Errorf("%s: %d requests, want the refused one with the stale token, then the same with the renewed one", url, len(rs))
		}
	}
}
