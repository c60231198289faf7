package browser

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"
	"time"

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

// TestCognitoSignInOnMoto: the page's SRP and TOTP sign-in against moto's
// Cognito, a user pool set up as the template's (MFA on, TOTP) with a user
// whose authenticator is registered.
func TestCognitoSignInOnMoto(t *testing.T) {
	t.Setenv("MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP", "true") // moto then checks the codes
	m := motoCognito{t: t, url: mototest.Start(t).URL}
	const user, password = "ana@zmed.example", "Uma-Senha-longa-1!"
	pool := m.call("CreateUserPool", map[string]any{"PoolName": "zmed-attendants-test", "MfaConfiguration": "OFF",
		"UsernameAttributes": []string{"email"}})["UserPool"].(map[string]any)["Id"].(string)
	client := m.call("CreateUserPoolClient", map[string]any{"UserPoolId": pool, "ClientName": "zmed-attendants-app-test", "GenerateSecret": false,
		"ExplicitAuthFlows": []string{"ALLOW_USER_SRP_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}})["UserPoolClient"].(map[string]any)["ClientId"].(string)
	m.call("AdminCreateUser", map[string]any{"UserPoolId": pool, "Username": user, "MessageAction": "SUPPRESS",
		"UserAttributes": []map[string]string{{"Name": "email", "Value": user}, {"Name": "email_verified", "Value": "true"}}})
	m.call("AdminSetUserPassword", map[string]any{"UserPoolId": pool, "Username": user, "Password": password, "Permanent": true})
	// The operator's first sign-in registers the authenticator (docs/deployment.md, the first attendant).
	access := m.call("AdminInitiateAuth", map[string]any{"UserPoolId": pool, "ClientId": client, "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
		"AuthParameters": map[string]string{"USERNAME": user, "PASSWORD": password}})["AuthenticationResult"].(map[string]any)["AccessToken"].(string)
	secret := m.call("AssociateSoftwareToken", map[string]any{"AccessToken": access})["SecretCode"].(string)
	m.call("VerifySoftwareToken", map[string]any{"AccessToken": access, "UserCode": freshTOTP(secret)})
	m.call("AdminSetUserMFAPreference", map[string]any{"UserPoolId": pool, "Username": user,
		"SoftwareTokenMfaSettings": map[string]bool{"Enabled": true, "PreferredMfa": true}})
	m.call("SetUserPoolMfaConfig", map[string]any{"UserPoolId": pool, "MfaConfiguration": "ON",
		"SoftwareTokenMfaConfiguration": map[string]bool{"Enabled": true}})

	target, _ := url.Parse(m.url)
	// moto tells the service by the host the request names, as Cognito's endpoint is.
	proxy := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(target)
		r.Out.Host = motoCognitoHost
	}}
	e := startWith(t, func(c *stack.Config) {
		c.Console = console.Settings{Mode: console.ModeCognito, CognitoEndpoint: "https://" + motoCognitoHost + "/", UserPoolID: pool, ClientID: client}
	}, routeCognitoTo(t, "https://"+motoCognitoHost+"/", proxy))

	e.signInCognito(user, password, "000000")
	e.waitText("#alert", "Código do autenticador incorreto.")
	e.signInCognito(user, password, freshTOTP(secret))
	// Signed in, the page loads the worklist at once with the access token;
	// the local API does not take moto's tokens, so that first call may end
	// the session at once. No sign-in error shows.
	e.waitFor(`window.__requests.some((r) => r.url.startsWith('/exams/worklist') && (r.headers.Authorization || '').startsWith('Bearer '))`)
	if got := e.text("#alert"); got != "" && got != "Sua sessão expirou. Entre novamente." {
		t.Errorf("alert %q", got)
	}
}
