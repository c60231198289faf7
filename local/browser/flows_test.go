package browser

import (
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
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
	if n := len(e.sent("GET", "/exams/info")); n != 2 {
		t.Errorf("%d list requests, want 2 (the invalid CPF is refused in the page)", n)
	}

	id := e.registered(maria, 3)
	e.search(maria)
	item := e.text(examSel(id))
	for _, want := range []string{"Fasting glucose", "Cadastrado", id} {
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
