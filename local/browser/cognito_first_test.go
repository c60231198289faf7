package browser

import (
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The fake Cognito's side of a new user's first sign-in, as Cognito answers
// it: every step gives a new session and refuses the one before, the new
// password must meet the pool's policy and replaces the verifier, and the
// authenticator's secret is the user's own, its codes checked.

// afterPassword is Cognito's answer once the password proof is right.
func (f *fakeCognito) afterPassword(session string) map[string]any {
	step := "SOFTWARE_TOKEN_MFA"
	params := map[string]string{}
	switch {
	case f.temporary:
		step = "NEW_PASSWORD_REQUIRED"
		params = map[string]string{"USER_ID_FOR_SRP": f.userID, "requiredAttributes": "[]", "userAttributes": `{"email":"` + f.user + `"}`}
	case f.withoutAuthenticator:
		step = "MFA_SETUP"
		params = map[string]string{"MFAS_CAN_SETUP": `["SOFTWARE_TOKEN_MFA"]`}
	}
	return map[string]any{"ChallengeName": step, "Session": f.nextSession(session, step), "ChallengeParameters": params}
}

// nextSession ends session and opens another for the step.
func (f *fakeCognito) nextSession(session, step string) string {
	s := f.sessions[session]
	delete(f.sessions, session)
	id := randomInt(16).Text(36)
	f.sessions[id] = &srpSession{verified: s.verified, stage: step}
	return id
}

// codeOK checks a TOTP code: the authenticator's, one 30 s step either way,
// once one is set up; the fixed code before.
func (f *fakeCognito) codeOK(code string) bool {
	if f.totpSecret == "" {
		return code == f.code
	}
	now := time.Now()
	for _, at := range []time.Time{now.Add(-30 * time.Second), now, now.Add(30 * time.Second)} {
		if code == totp(f.totpSecret, at) {
			return true
		}
	}
	return false
}

// firstSignIn answers the calls of a first sign-in (or refuses them with an
// exception's name).
func (f *fakeCognito) firstSignIn(target string, in cognitoCall) (map[string]any, string) {
	s := f.sessions[in.Session]
	stage := func(want string) bool { return s != nil && s.verified && s.stage == want }
	switch {
	case target == "RespondToAuthChallenge" && in.ChallengeName == "NEW_PASSWORD_REQUIRED":
		if !stage("NEW_PASSWORD_REQUIRED") || in.ChallengeResponses["USERNAME"] != f.userID {
			return nil, "NotAuthorizedException"
		}
		if p := in.ChallengeResponses["NEW_PASSWORD"]; len(p) < 12 || p == f.password {
			return nil, "InvalidPasswordException"
		}
		f.setPassword(in.ChallengeResponses["NEW_PASSWORD"])
		f.temporary = false
		return f.afterPassword(in.Session), ""
	case target == "AssociateSoftwareToken":
		if !stage("MFA_SETUP") {
			return nil, "NotAuthorizedException"
		}
		secret := make([]byte, 20)
		_, _ = rand.Read(secret)
		f.totpSecret = base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(secret)
		return map[string]any{"SecretCode": f.totpSecret, "Session": f.nextSession(in.Session, "VERIFY")}, ""
	case target == "VerifySoftwareToken":
		if !stage("VERIFY") {
			return nil, "NotAuthorizedException"
		}
		if !f.codeOK(in.UserCode) {
			return nil, "EnableSoftwareTokenMFAException"
		}
		return map[string]any{"Status": "SUCCESS", "Session": f.nextSession(in.Session, "MFA_SETUP_DONE")}, ""
	case target == "RespondToAuthChallenge" && in.ChallengeName == "MFA_SETUP":
		if !stage("MFA_SETUP_DONE") || in.ChallengeResponses["USERNAME"] != f.userID {
			return nil, "NotAuthorizedException"
		}
		delete(f.sessions, in.Session)
		f.withoutAuthenticator = false
		return f.signedIn(), ""
	}
	return nil, "InvalidParameterException"
}

// newPassword types the new password twice (first, again) and sends it; it
// waits for the authenticator's set-up or an error.
func (e *env) newPassword(first, again string) {
	e.t.Helper()
	e.do(chromedp.Evaluate[chromedp.Void](`document.getElementById('signin-error').hidden = true`),
		chromedp.SendKeys(chromedp.CSS("#new-password"), first), chromedp.SendKeys(chromedp.CSS("#new-password-again"), again),
		chromedp.Click(chromedp.CSS(`#new-password-form button[type="submit"]`)))
	e.waitFor(`!document.getElementById('mfa-setup-form').hidden || !document.getElementById('signin-error').hidden`)
}

// setupCode sends a code of the authenticator being set up; it waits for
// the workspace or an error.
func (e *env) setupCode(code string) {
	e.t.Helper()
	e.do(chromedp.Evaluate[chromedp.Void](`document.getElementById('signin-error').hidden = true`),
		chromedp.SendKeys(chromedp.CSS("#mfa-code"), code), chromedp.Click(chromedp.CSS(`#mfa-setup-form button[type="submit"]`)))
	e.waitFor(`!document.getElementById('workspace').hidden || !document.getElementById('signin-error').hidden`)
}

// wrongCode is a code that is not the authenticator's now (nor a step either way).
func wrongCode(secret string) string {
	for n := 0; ; n++ {
		code := fmt.Sprintf("%06d", n)
		if code != totp(secret, time.Now().Add(-30*time.Second)) && code != totp(secret, time.Now()) && code != totp(secret, time.Now().Add(30*time.Second)) {
			return code
		}
	}
}

// TestCognitoFirstSignIn: a new attendant's first sign-in against a Cognito
// that checks each step as Cognito does (new sessions at each step, the new
// password replacing the verifier, the authenticator's own secret and codes):
// the page gets through it, and the next sign-in uses the new password and
// the authenticator.
func TestCognitoFirstSignIn(t *testing.T) {
	f := newFakeCognito(t)
	f.temporary, f.withoutAuthenticator = true, true
	temporary, chosen := f.password, "Outra-Senha-longa-2@"
	e := startCognito(t, f)

	e.signInCognito(f.user, temporary, "")
	e.waitFor(`!document.getElementById('new-password-form').hidden`)
	e.newPassword(chosen, chosen)
	secret := strings.ReplaceAll(e.text("#mfa-secret"), " ", "")
	f.mu.Lock()
	if secret != f.totpSecret {
		t.Errorf("the page shows the secret %q, Cognito gave %q", secret, f.totpSecret)
	}
	f.mu.Unlock()

	e.setupCode(wrongCode(secret))
	e.waitText("#signin-error", "Código do autenticador incorreto.")
	e.setupCode(totp(secret, time.Now()))
	e.waitText("#who-name", "Atendente: "+f.user)
	e.search(maria)
	if e.text("#alert") != "" {
		t.Errorf("signed in, the API answers %q", e.text("#alert"))
	}

	e.do(chromedp.Click(chromedp.CSS("#sign-out")), chromedp.WaitVisible(chromedp.CSS("#password-form")))
	e.signInCognito(f.user, temporary, "")
	e.waitText("#signin-error", "E-mail, senha ou código incorretos")
	e.signInCognito(f.user, chosen, totp(secret, time.Now()))
	e.waitText("#who-name", "Atendente: "+f.user)
}
