package browser

import (
	"bytes"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha1"
	"encoding/base32"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"image/png"
	"io"
	"math/big"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/golang-jwt/jwt/v5"

	"github.com/zmed/exam-manager/local/authorizer"
	"github.com/zmed/exam-manager/local/stack"
	"github.com/zmed/exam-manager/shared/console"
	"github.com/zmed/exam-manager/shared/testsupport/emulators/mototest"
)

// motoCognito is moto's Cognito IdP API: a second implementation of the calls
// the page makes. Moto does not check the SRP proof (any signature passes), so
// the fake Cognito test is what checks the password proof; this one checks
// that the calls, their parameters and the challenge sequence are the ones a
// Cognito implementation accepts, and moto checks the TOTP code.
type motoCognito struct {
	t   *testing.T
	url string
}

const motoCognitoHost = "cognito-idp.us-east-1.amazonaws.com"

func (m motoCognito) call(target string, body any) map[string]any {
	m.t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", m.url+"/", bytes.NewReader(b))
	req.Host = motoCognitoHost
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService."+target)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		m.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		m.t.Fatalf("moto %s: %d %s", target, resp.StatusCode, raw)
	}
	out := map[string]any{}
	_ = json.Unmarshal(raw, &out)
	return out
}

// totp is RFC 6238's code (SHA-1, 6 digits, 30 s) for a base32 secret at t.
func totp(secret string, t time.Time) string {
	secret = strings.ToUpper(secret)
	if n := len(secret) % 8; n != 0 {
		secret += strings.Repeat("=", 8-n)
	}
	key, _ := base32.StdEncoding.DecodeString(secret)
	var counter [8]byte
	binary.BigEndian.PutUint64(counter[:], uint64(t.Unix()/30))
	mac := hmac.New(sha1.New, key)
	mac.Write(counter[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0xf
	code := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%06d", code%1_000_000)
}

// freshTOTP returns a code with at least 5 s left in its 30 s step (moto
// accepts the current step only): it waits out the end of a step rather than
// race it.
func freshTOTP(secret string) string {
	for time.Now().Unix()%30 > 24 {
		time.Sleep(200 * time.Millisecond)
	}
	return totp(secret, time.Now())
}

// motoPool is a user pool on moto set up as the template's: e-mail as the
// user name, the template's password policy, TOTP as the second factor.
type motoPool struct {
	m            motoCognito
	id, client   string
	issued       []string // access tokens moto gave the page, in order
	bodies       []string // the page's calls to Cognito
	renewals     int      // REFRESH_TOKEN_AUTH calls the page made
	mu           sync.Mutex
	expired      map[string]bool // tokens the gate treats as run out
	accepted     []string        // tokens the gate let through
	jwks         *rsa.PublicKey
	localKey     []byte
	refusedCalls int
}

func newMotoPool(t *testing.T) *motoPool {
	t.Setenv("MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP", "true") // moto then checks the codes
	m := motoCognito{t: t, url: mototest.Start(t).URL}
	p := &motoPool{m: m, expired: map[string]bool{}, localKey: []byte(authorizer.DefaultKey)}
	p.id = m.call("CreateUserPool", map[string]any{"PoolName": "zmed-attendants-test", "MfaConfiguration": "OFF",
		"UsernameAttributes": []string{"email"},
		"Policies": map[string]any{"PasswordPolicy": map[string]any{"MinimumLength": 12, "RequireLowercase": true,
			"RequireUppercase": true, "RequireNumbers": true, "RequireSymbols": true}}})["UserPool"].(map[string]any)["Id"].(string)
	p.client = m.call("CreateUserPoolClient", map[string]any{"UserPoolId": p.id, "ClientName": "zmed-attendants-app-test", "GenerateSecret": false,
		"ExplicitAuthFlows": []string{"ALLOW_USER_SRP_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}})["UserPoolClient"].(map[string]any)["ClientId"].(string)
	p.jwks = p.signingKey()
	return p
}

// mfaOn turns the pool's MFA on (TOTP), as the template has it.
func (p *motoPool) mfaOn() {
	p.m.call("SetUserPoolMfaConfig", map[string]any{"UserPoolId": p.id, "MfaConfiguration": "ON",
		"SoftwareTokenMfaConfiguration": map[string]bool{"Enabled": true}})
}

// signingKey is the RSA key of moto's JWKS for the pool (its tokens' signer).
func (p *motoPool) signingKey() *rsa.PublicKey {
	p.m.t.Helper()
	req, _ := http.NewRequest("GET", p.m.url+"/"+p.id+"/.well-known/jwks.json", nil)
	req.Host = motoCognitoHost
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		p.m.t.Fatal(err)
	}
	defer resp.Body.Close()
	var set struct{ Keys []struct{ N, E string } }
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil || len(set.Keys) != 1 {
		p.m.t.Fatalf("moto's JWKS: %v %+v", err, set)
	}
	n, _ := base64.RawURLEncoding.DecodeString(set.Keys[0].N)
	e, _ := base64.RawURLEncoding.DecodeString(set.Keys[0].E)
	return &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
}

// ServeHTTP passes the page's Cognito calls to moto, noting the access
// tokens it issues and the renewals asked.
func (p *motoPool) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var in struct{ AuthFlow string }
	_ = json.Unmarshal(body, &in)
	req, _ := http.NewRequest("POST", p.m.url+"/", bytes.NewReader(body))
	req.Host = motoCognitoHost // moto tells the service by the host the request names, as Cognito's endpoint is
	req.Header = r.Header.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		w.WriteHeader(502)
		return
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out struct{ AuthenticationResult struct{ AccessToken string } }
	_ = json.Unmarshal(raw, &out)
	p.mu.Lock()
	p.bodies = append(p.bodies, string(body))
	if in.AuthFlow == "REFRESH_TOKEN_AUTH" {
		p.renewals++
	}
	if t := out.AuthenticationResult.AccessToken; t != "" {
		p.issued = append(p.issued, t)
	}
	p.mu.Unlock()
	w.Header().Set("Content-Type", resp.Header.Get("Content-Type"))
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(raw)
}

// gate is API Gateway's JWT authorizer with moto as the issuer: the token
// must be a live access token moto signed for this pool and client; the
// local API then gets a local token with the same sub and username.
func (p *motoPool) gate(header string) (string, bool) {
	raw := strings.TrimPrefix(header, "Bearer ")
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(raw, claims, func(*jwt.Token) (any, error) { return p.jwks, nil },
		jwt.WithValidMethods([]string{"RS256"}), jwt.WithIssuer("https://"+motoCognitoHost+"/"+p.id), jwt.WithExpirationRequired())
	sub, _ := claims["sub"].(string)
	username, _ := claims["username"].(string)
	p.mu.Lock()
	defer p.mu.Unlock()
	if err != nil || claims["token_use"] != "access" || claims["client_id"] != p.client || p.expired[raw] {
		p.refusedCalls++
		return "", false
	}
	p.accepted = append(p.accepted, raw)
	local, err := authorizer.Mint(p.localKey, sub, username, time.Now(), time.Minute)
	if err != nil {
		return "", false
	}
	return "Bearer " + local, true
}

// expireIssued makes the gate treat every access token issued so far as run out.
func (p *motoPool) expireIssued() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, t := range p.issued {
		p.expired[t] = true
	}
}

// start opens the console in Cognito mode on this pool.
func (p *motoPool) start(t *testing.T) *env {
	return startWith(t, func(c *stack.Config) {
		c.Console = console.Settings{Mode: console.ModeCognito, CognitoEndpoint: "https://" + motoCognitoHost + "/", UserPoolID: p.id, ClientID: p.client}
	}, routeCognitoGated(t, "https://"+motoCognitoHost+"/", p, p.gate))
}

// TestCognitoSignInOnMoto: the page's SRP and TOTP sign-in against moto's
// Cognito, a user pool set up as the template's (MFA on, TOTP) with a user
// whose authenticator is registered; then the access token runs out and the
// page renews it (REFRESH_TOKEN_AUTH) and carries on; once the refresh token
// is revoked, the page signs out.
func TestCognitoSignInOnMoto(t *testing.T) {
	p := newMotoPool(t)
	m := p.m
	const user, password = "ana@zmed.example", "Uma-Senha-longa-1!"
	m.call("AdminCreateUser", map[string]any{"UserPoolId": p.id, "Username": user, "MessageAction": "SUPPRESS",
		"UserAttributes": []map[string]string{{"Name": "email", "Value": user}, {"Name": "email_verified", "Value": "true"}}})
	m.call("AdminSetUserPassword", map[string]any{"UserPoolId": p.id, "Username": user, "Password": password, "Permanent": true})
	// An authenticator registered through the admin flow (docs/deployment.md).
	access := m.call("AdminInitiateAuth", map[string]any{"UserPoolId": p.id, "ClientId": p.client, "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
		"AuthParameters": map[string]string{"USERNAME": user, "PASSWORD": password}})["AuthenticationResult"].(map[string]any)["AccessToken"].(string)
	secret := m.call("AssociateSoftwareToken", map[string]any{"AccessToken": access})["SecretCode"].(string)
	m.call("VerifySoftwareToken", map[string]any{"AccessToken": access, "UserCode": freshTOTP(secret)})
	m.call("AdminSetUserMFAPreference", map[string]any{"UserPoolId": p.id, "Username": user,
		"SoftwareTokenMfaSettings": map[string]bool{"Enabled": true, "PreferredMfa": true}})
	p.mfaOn()

	e := p.start(t)
	e.signInCognito(user, password, wrongCode(secret))
	e.waitText("#signin-error", "Código do autenticador incorreto.")
	e.signInCognito(user, password, freshTOTP(secret))
	e.waitText("#who-name", "Atendente: "+user)
	if e.text("#signin-error") != "" || e.text("#alert") != "" {
		t.Errorf("errors shown: %q %q", e.text("#signin-error"), e.text("#alert"))
	}

	// The access token runs out: the API refuses it, the page renews it and
	// sends the request again.
	p.expireIssued()
	e.search(maria)
	if e.text("#alert") != "" || !eval[bool](e, `!document.getElementById('workspace').hidden`) {
		t.Fatalf("after the token ran out: %q", e.text("#alert"))
	}
	p.mu.Lock()
	renewals, issued, accepted := p.renewals, slices.Clone(p.issued), slices.Clone(p.accepted)
	p.mu.Unlock()
	if renewals != 1 || len(accepted) == 0 || accepted[len(accepted)-1] != issued[len(issued)-1] {
		t.Errorf("%d renewals; the API got %d tokens, the last not the renewed one", renewals, len(accepted))
	}

	// Signed out everywhere (AdminUserGlobalSignOut revokes the refresh
	// token): the next renewal is refused and the page signs out cleanly.
	// (By the user's sub: moto files the tokens of an SRP sign-in under the
	// name the page answered the challenge with, USER_ID_FOR_SRP.)
	var sub string
	for _, a := range m.call("AdminGetUser", map[string]any{"UserPoolId": p.id, "Username": user})["UserAttributes"].([]any) {
		if a := a.(map[string]any); a["Name"] == "sub" {
			sub = a["Value"].(string)
		}
	}
	m.call("AdminUserGlobalSignOut", map[string]any{"UserPoolId": p.id, "Username": sub})
	p.expireIssued()
	e.search(maria)
	e.waitText("#alert", "Sua sessão expirou. Entre novamente.")
	if !eval[bool](e, `document.getElementById('workspace').hidden && !document.getElementById('password-form').hidden`) {
		t.Error("the workspace is still shown after the renewal was refused")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.renewals != 2 {
		t.Errorf("%d renewals, want 2 (the second refused)", p.renewals)
	}
}

// TestFirstSignInOnMoto: a new attendant's first sign-in, in the page alone:
// the temporary password the operator gave, a password of their own (typed
// twice, checked against the pool's policy shown in Portuguese), the
// authenticator's set-up from the QR code, and the attendant is in. The next
// sign-in asks the password and a code.
func TestFirstSignInOnMoto(t *testing.T) {
	p := newMotoPool(t)
	p.mfaOn()
	const user, temporary, chosen = "bia@zmed.example", "Provisoria-2026!", "Minha-Senha-da-Bia-7"
	p.m.call("AdminCreateUser", map[string]any{"UserPoolId": p.id, "Username": user, "TemporaryPassword": temporary, "MessageAction": "SUPPRESS",
		"UserAttributes": []map[string]string{{"Name": "email", "Value": user}, {"Name": "email_verified", "Value": "true"}}})
	e := p.start(t)

	e.do(chromedp.SendKeys(chromedp.CSS("#username"), user), chromedp.SendKeys(chromedp.CSS("#password"), temporary),
		chromedp.Click(chromedp.CSS(`#password-form button[type="submit"]`)))
	e.waitFor(`!document.getElementById('new-password-form').hidden || !document.getElementById('signin-error').hidden`)
	if e.text("#signin-error") != "" {
		t.Fatalf("the temporary password: %s", e.text("#signin-error"))
	}
	policy := e.text("#password-policy")
	for _, rule := range []string{"pelo menos 12 caracteres", "uma letra minúscula", "uma letra maiúscula", "um número", "um símbolo"} {
		if !strings.Contains(policy, rule) {
			t.Errorf("the policy shown %q lacks %q", policy, rule)
		}
	}
	if !eval[bool](e, `document.activeElement === document.getElementById('new-password') && document.getElementById('password-form').hidden`) {
		t.Error("the new password's field does not take the focus")
	}

	for _, c := range []struct{ first, again, want string }{
		{chosen, chosen + "8", "As duas senhas digitadas não são iguais."},
		{"Curta-1!", "Curta-1!", "A nova senha precisa de pelo menos 12 caracteres."},
		{"sem-maiusculas-12", "sem-maiusculas-12", "A nova senha precisa de uma letra maiúscula (A–Z)."},
	} {
		e.newPassword(c.first, c.again)
		e.waitText("#signin-error", c.want)
		if !eval[bool](e, `document.activeElement === document.getElementById('signin-error') && !document.getElementById('new-password-form').hidden`) {
			t.Errorf("%q: the error does not take the focus, or the form went away", c.want)
		}
	}
	e.noAxeViolations("the new password, with an error")
	e.newPassword(chosen, chosen)
	if e.text("#signin-error") != "" {
		t.Fatalf("the new password: %s", e.text("#signin-error"))
	}

	// The authenticator's set-up: the QR code holds the otpauth URI with the
	// secret shown as text.
	secret := strings.ReplaceAll(e.text("#mfa-secret"), " ", "")
	shot, err := chromedp.Run(e.ctx, chromedp.Screenshot(chromedp.CSS("#mfa-qr svg")))
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatal(err)
	}
	uri, err := decodeQR(img)
	if want := "otpauth://totp/ZMED:bia%40zmed.example?secret=" + secret + "&issuer=ZMED"; err != nil || uri != want || secret == "" {
		t.Errorf("the set-up QR code reads %q (%v), want %q", uri, err, want)
	}
	e.noAxeViolations("the authenticator's set-up")
	e.setupCode(wrongCode(secret))
	e.waitText("#signin-error", "Código do autenticador incorreto.")
	if !eval[bool](e, `!document.getElementById('mfa-setup-form').hidden`) {
		t.Fatal("a wrong code ended the set-up")
	}
	e.setupCode(freshTOTP(secret))
	e.waitText("#who-name", "Atendente: "+user)
	if v := eval[string](e, `['password', 'new-password', 'new-password-again', 'mfa-code'].map((id) => document.getElementById(id).value).join('') + document.getElementById('mfa-qr').innerHTML + document.getElementById('mfa-secret').textContent`); v != "" {
		t.Errorf("the sign-in's secrets stay in the page: %q", v)
	}
	e.search(maria) // the API takes the new attendant's token
	if e.text("#alert") != "" {
		t.Errorf("signed in, the API answers %q", e.text("#alert"))
	}
	p.mu.Lock()
	for _, b := range p.bodies {
		if strings.Contains(b, temporary) {
			t.Errorf("the temporary password reached Cognito: %s", b)
		}
	}
	p.mu.Unlock()

	// From then on: the password and a code.
	e.do(chromedp.Click(chromedp.CSS("#sign-out")), chromedp.WaitVisible(chromedp.CSS("#password-form")))
	e.signInCognito(user, chosen, freshTOTP(secret))
	e.waitText("#who-name", "Atendente: "+user)
}

// noAxeViolations fails the test on each violation axe-core finds in the page.
func (e *env) noAxeViolations(state string) {
	e.t.Helper()
	for _, v := range e.axe() {
		e.t.Errorf("%s: %s (%s, %d elements): %s", state, v.ID, v.Impact, v.Nodes, v.Help)
	}
}
