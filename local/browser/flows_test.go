package browser

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/golang-jwt/jwt/v5"

	"github.com/zmed/exam-manager/local/authorizer"
	"github.com/zmed/exam-manager/local/stack"
	"github.com/zmed/exam-manager/shared/console"
)

var ddmmyyyy = regexp.MustCompile(`\b\d{2}/\d{2}/\d{4}\b`)

// TestSignInAndSearch: the local attendant signs in, the CPF is masked as
// typed, a patient's exams are listed with their status and dates in
// dd/mm/aaaa, and errors read in Portuguese.
func TestSignInAndSearch(t *testing.T) {
	e := start(t)
	if !strings.Contains(e.text("#signin"), "Entrar como atendente local") {
		t.Fatalf("sign-in: %q", e.text("#signin"))
	}
	e.signInLocal()
	if got := e.text("#who-name"); got != "Atendente: atendente local (local-attendant)" {
		t.Errorf("who: %q", got)
	}

	// The mask, as typed.
	e.do(chromedp.SendKeys(chromedp.CSS("#cpf"), "52998224725"))
	if got := eval[string](e, `document.getElementById('cpf').value`); got != "529.982.247-25" {
		t.Errorf("mask: %q", got)
	}

	tests := []struct {
		name, cpf, want string
	}{
		{"check digits wrong: refused in the page", "52998224724", "CPF inválido. Confira os 11 dígitos."},
		{"eleven equal digits: refused in the page", "11111111111", "CPF inválido. Confira os 11 dígitos."},
		{"ten digits: refused in the page", "5299822472", "CPF inválido. Confira os 11 dígitos."},
		{"unknown patient", unknown, "Paciente não encontrado para este CPF."},
		{"no exams yet", maria, "Nenhum exame para este paciente."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.search(tt.cpf)
			if got := e.text("#status") + e.text("#alert"); !strings.Contains(got, tt.want) {
				t.Errorf("shown %q, want %q", got, tt.want)
			}
		})
	}
	if n := len(e.sent("POST", "/exams/info")); n != 2 {
		t.Errorf("%d list requests, want 2 (the invalid CPF is refused in the page)", n)
	}

	id := e.registered(maria, 3)
	e.search(maria)
	item := e.text(examSel(id))
	for _, want := range []string{"Glicemia de jejum", "Cadastrado", id} {
		if !strings.Contains(item, want) {
			t.Errorf("exam item %q lacks %q", item, want)
		}
	}
	if !ddmmyyyy.MatchString(item) {
		t.Errorf("exam item %q has no dd/mm/aaaa date", item)
	}

	// Sign-out forgets the patient and shows the sign-in again.
	e.do(chromedp.Click(chromedp.CSS("#sign-out")), chromedp.WaitVisible(chromedp.CSS("#signin")))
	if eval[int](e, `document.querySelectorAll('li.exam').length`) != 0 || eval[string](e, `document.getElementById('cpf').value`) != "" {
		t.Error("the patient's exams are still in the page after sign-out")
	}
}

// openPatient signs in as the local attendant and lists the patient's exams.
func openPatient(t *testing.T, cpf string) *env {
	e := start(t)
	e.signInLocal()
	e.search(cpf)
	e.waitFor(`!document.getElementById('register-section').hidden`)
	return e
}

// TestRegisterDoubleClickCreatesOne: a double click on the register button is
// one submission: one request, one Idempotency-Key, one exam; the next
// submission carries a new key.
func TestRegisterDoubleClickCreatesOne(t *testing.T) {
	e := openPatient(t, maria)
	e.do(chromedp.SetValue(chromedp.CSS("#exam-type"), "2"), chromedp.DoubleClick(chromedp.CSS("#register-button")))
	e.waitText("#status", "Exame cadastrado: Perfil lipídico.")
	if n := len(e.listed(maria)); n != 1 {
		t.Fatalf("%d exams after a double click, want 1", n)
	}
	// Two submissions in one task (the button has no time to be disabled).
	e.do(chromedp.Evaluate[chromedp.Void](`document.getElementById('status').textContent = ''; const f = document.getElementById('register-form'); f.requestSubmit(); f.requestSubmit();`))
	e.waitText("#status", "Exame cadastrado")
	exams := e.listed(maria)
	if len(exams) != 2 {
		t.Fatalf("%d exams after a second submission sent twice, want 2", len(exams))
	}
	if got := eval[int](e, `document.querySelectorAll('li.exam').length`); got != 2 {
		t.Errorf("the page lists %d exams, want 2", got)
	}
	sent := e.sent("POST", "/exam/new")
	if len(sent) != 2 {
		t.Fatalf("%d register requests, want 2 (one per submission)", len(sent))
	}
	keys := map[string]bool{}
	for _, r := range sent {
		k := r.Headers["Idempotency-Key"]
		if !regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`).MatchString(k) {
			t.Errorf("Idempotency-Key %q", k)
		}
		keys[k] = true
	}
	if len(keys) != 2 {
		t.Errorf("two submissions carried %d distinct keys", len(keys))
	}
}

// TestRevokeAfterConfirmation: revoking asks for a reason and a confirmation;
// cancelling changes nothing.
func TestRevokeAfterConfirmation(t *testing.T) {
	e := openPatient(t, joao)
	id := e.registered(joao, 6)
	e.search(joao)
	revoke := examSel(id) + " button.danger"
	e.do(chromedp.Click(chromedp.CSS(revoke)), chromedp.WaitVisible(chromedp.CSS("#revoke-dialog")))
	if got := e.text("#revoke-what"); !containsAll(got, "Urina tipo 1 (EAS)", id, "não pode ser desfeita") {
		t.Errorf("confirmation text %q", got)
	}
	e.do(chromedp.Click(chromedp.CSS("#revoke-cancel")), chromedp.WaitNotVisible(chromedp.CSS("#revoke-dialog")))
	if st := e.listed(joao)[0]["status"]; st != "Registered" {
		t.Fatalf("cancelled, yet the exam is %v", st)
	}
	// No reason: the form does not submit.
	e.do(chromedp.Click(chromedp.CSS(revoke)), chromedp.WaitVisible(chromedp.CSS("#revoke-dialog")),
		chromedp.Click(chromedp.CSS(`#revoke-form button[value="confirm"]`)))
	if !eval[bool](e, `document.getElementById('revoke-dialog').open`) {
		t.Fatal("the dialog closed without a reason")
	}
	e.do(chromedp.SendKeys(chromedp.CSS("#revoke-reason"), "pedido em duplicidade"),
		chromedp.Click(chromedp.CSS(`#revoke-form button[value="confirm"]`)))
	e.waitText("#status", "Exame revogado.")
	if got := e.text(examSel(id)); !containsAll(got, "Revogado", "Revogado em") || strings.Contains(got, "Revogar") {
		t.Errorf("exam item %q", got)
	}
	if st := e.listed(joao)[0]["status"]; st != "Revoked" {
		t.Errorf("status %v", st)
	}
}

// TestLoadMore: the list shows a page at a time.
func TestLoadMore(t *testing.T) {
	e := start(t)
	e.signInLocal()
	for i := range 12 {
		e.registered(maria, 1+i%10)
	}
	e.search(maria)
	if n := eval[int](e, `document.querySelectorAll('li.exam').length`); n != 10 {
		t.Fatalf("first page: %d exams, want 10", n)
	}
	e.do(chromedp.Click(chromedp.CSS("#load-more")))
	e.waitText("#status", "Mais 2 exame(s) carregado(s).")
	if n := eval[int](e, `new Set([...document.querySelectorAll('li.exam')].map((li) => li.dataset.examId)).size`); n != 12 {
		t.Errorf("after load more: %d distinct exams, want 12", n)
	}
	if eval[bool](e, `!document.getElementById('load-more').hidden`) {
		t.Error("load more still shown on the last page")
	}
}

// TestSignInWithALocalToken: a pasted local attendant token (docs/local.md) makes
// the page act as that attendant: its requests carry the token; an expired or
// malformed token is refused in the page.
func TestSignInWithALocalToken(t *testing.T) {
	e := start(t)
	paste := func(tok string) {
		e.do(chromedp.Evaluate[chromedp.Void](`document.getElementById('attendant-token').value = ''; document.getElementById('signin-error').hidden = true`),
			chromedp.SendKeys(chromedp.CSS("#attendant-token"), tok),
			chromedp.Click(chromedp.CSS(`#token-form button[type="submit"]`)))
	}
	expired := localToken(t, "ana", -time.Minute)
	paste(expired)
	e.waitText("#signin-error", "Token de atendente inválido ou expirado.")
	paste("not-a-token")
	e.waitText("#signin-error", "Token de atendente inválido ou expirado.")

	tok := localToken(t, "ana", time.Hour)
	paste(tok)
	e.waitText("#who-name", "Atendente: ana")
	if v := eval[string](e, `document.getElementById('attendant-token').value`); v != "" {
		t.Error("the token stays in the form")
	}
	e.search(maria)
	if got := e.text("#status"); got != "Nenhum exame para este paciente." {
		t.Errorf("as ana, the search shows %q (alert %q)", got, e.text("#alert"))
	}
	for _, r := range e.sent("POST", "/exams/info") {
		if r.Headers["Authorization"] != "Bearer "+tok {
			t.Errorf("a request carries %q", r.Headers["Authorization"])
		}
	}
}

// TestRefusedTokenEndsTheSession: a token the API refuses (401: signed with
// another key) ends the session with the Portuguese message, back at the sign-in.
func TestRefusedTokenEndsTheSession(t *testing.T) {
	e := start(t)
	forged, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": "sub-eve", "username": "eve", "exp": time.Now().Add(time.Hour).Unix()}).
		SignedString([]byte("not-the-local-attendant-key-0123456789"))
	req, _ := http.NewRequest("GET", e.stack.APIURL+"/exams/info?document="+maria, nil)
	req.Header.Set("Authorization", "Bearer "+forged)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("the local API answers %d to a forged token, want 401 (docs/local.md)", resp.StatusCode)
	}
	e.do(chromedp.SendKeys(chromedp.CSS("#attendant-token"), forged), chromedp.Click(chromedp.CSS(`#token-form button[type="submit"]`)))
	// The worklist, loaded at once, is the first call the API refuses.
	e.waitText("#alert", "Sua sessão expirou. Entre novamente.")
	if !eval[bool](e, `document.getElementById('workspace').hidden && !document.getElementById('signin').hidden`) {
		t.Error("still signed in after the API refused the token")
	}
}

// localToken is a local attendant token (docs/local.md, make attendant-token's),
// valid for ttl from now (a negative ttl: expired).
func localToken(t *testing.T, name string, ttl time.Duration) string {
	t.Helper()
	issued := time.Now()
	if ttl < 0 { // issued an hour before it expired
		issued, ttl = issued.Add(ttl-time.Hour), time.Hour
	}
	tok, err := authorizer.Mint([]byte(authorizer.DefaultKey), authorizer.SubOf(name), name, issued, ttl)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestTokenModeOffersNoLocalAttendant: with the stack's other identity
// provider (ExistingJwtIssuer), the page asks for that provider's token and
// never offers to act as the local attendant.
func TestTokenModeOffersNoLocalAttendant(t *testing.T) {
	e := startWith(t, func(c *stack.Config) { c.Console = console.Settings{Mode: console.ModeToken} })
	if eval[bool](e, `document.getElementById('local-attendant').getClientRects().length > 0`) {
		t.Error("the local attendant is offered")
	}
	if got := e.text("#signin"); !strings.Contains(got, "provedor de identidade da clínica") || strings.Contains(got, "local") {
		t.Errorf("sign-in text %q", got)
	}
}

// loseFirstAnswer breaks the connection of the tab's first request to the
// URLs of pattern after the server answered it: the write happened, its answer
// never arrives. Later requests go through.
func loseFirstAnswer(t *testing.T, pattern string) func(ctx context.Context) {
	return func(ctx context.Context) {
		paused := chromedp.Events(ctx, fetch.RequestPaused)
		if _, err := chromedp.Call(ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: pattern, RequestStage: fetch.RequestStageResponse}}}); err != nil {
			t.Fatal(err)
		}
		go func() {
			first := true
			for ev, err := range paused {
				if err != nil {
					return
				}
				if first && ev.ResponseStatusCode != 0 {
					first = false
					_, _ = chromedp.Call(ctx, fetch.FailRequest, fetch.FailRequestParams{RequestID: ev.RequestID, ErrorReason: network.ErrorReasonConnectionReset})
					continue
				}
				_, _ = chromedp.Call(ctx, fetch.ContinueResponse, fetch.ContinueResponseParams{RequestID: ev.RequestID})
			}
		}()
	}
}

// TestRegisterRetryAfterALostAnswer: the answer to a register is lost after
// the API created the exam; the attendant submits again, the page sends the
// same Idempotency-Key, the API replays its answer, and there is one exam.
func TestRegisterRetryAfterALostAnswer(t *testing.T) {
	e := startWith(t, nil, loseFirstAnswer(t, "*/exam/new"))
	e.signInLocal()
	e.search(maria)
	e.do(chromedp.SetValue(chromedp.CSS("#exam-type"), "10"), chromedp.Click(chromedp.CSS("#register-button")))
	e.waitText("#alert", "Sem conexão com o sistema.")
	if n := len(e.listed(maria)); n != 1 {
		t.Fatalf("%d exams after the lost answer, want the 1 the API created", n)
	}
	e.do(chromedp.Click(chromedp.CSS("#register-button")))
	e.waitText("#status", "Exame cadastrado: Ultrassonografia de abdome total.")
	if n := len(e.listed(maria)); n != 1 {
		t.Errorf("%d exams after the retry, want 1", n)
	}
	sent := e.sent("POST", "/exam/new")
	if len(sent) != 2 || sent[0].Headers["Idempotency-Key"] == "" || sent[0].Headers["Idempotency-Key"] != sent[1].Headers["Idempotency-Key"] {
		t.Errorf("the retry must carry the lost submission's key: %+v", sent)
	}
	if n := eval[int](e, `document.querySelectorAll('li.exam').length`); n != 1 {
		t.Errorf("the page lists %d exams", n)
	}
}
