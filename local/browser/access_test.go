package browser

import (
	_ "embed"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// axe-core 4.14.1 (MPL-2.0, from npm, with its licence beside it): the
// accessibility check. It is injected by the test only; the page never loads it.
//
//go:embed testdata/axe-core-4.14.1.min.js
var axeSource string

// press sends one key to the focused element.
func (e *env) press(key string) {
	e.t.Helper()
	e.do(chromedp.KeyEvent(key))
}

// tabTo presses Tab until the focus is on sel (at most 20 times).
func (e *env) tabTo(sel string) {
	e.t.Helper()
	for range 20 {
		if eval[bool](e, fmt.Sprintf(`document.activeElement && document.activeElement.matches(%q)`, sel)) {
			e.focusIsVisible()
			return
		}
		e.press(kb.Tab)
	}
	e.t.Fatalf("Tab never reached %s (focus on %s)", sel, eval[string](e, `document.activeElement.outerHTML.slice(0, 120)`))
}

// focusIsVisible checks the focused element shows a focus ring.
func (e *env) focusIsVisible() {
	e.t.Helper()
	ring := eval[string](e, `(() => { const s = getComputedStyle(document.activeElement); return s.outlineStyle + ' ' + s.outlineWidth; })()`)
	if strings.HasPrefix(ring, "none") || strings.HasSuffix(ring, " 0px") {
		e.t.Errorf("the focused %s shows no focus ring (%s)", eval[string](e, `document.activeElement.id || document.activeElement.textContent`), ring)
	}
}

// TestKeyboardOnly: register → start → print with the keyboard alone, the
// focus visible at every step.
func TestKeyboardOnly(t *testing.T) {
	e := start(t)
	e.tabTo("#local-attendant")
	e.press(kb.Enter)
	e.waitFor(`document.activeElement.id === 'cpf'`)
	e.focusIsVisible()
	e.do(chromedp.KeyEvent("52998224725"))
	e.press(kb.Enter)
	e.waitText("#status", "Nenhum exame para este paciente.")
	e.tabTo("#exam-type")
	e.press(kb.ArrowDown) // 1 → 2
	if v := eval[string](e, `document.getElementById('exam-type').value`); v != "2" {
		t.Fatalf("exam type %q after ArrowDown", v)
	}
	e.tabTo("#register-button")
	e.press(kb.Enter)
	e.waitText("#status", "Exame cadastrado: Perfil lipídico.")
	// The focus moves to the new exam's first action.
	e.waitFor(`document.activeElement.textContent === 'Iniciar e imprimir etiqueta'`)
	e.focusIsVisible()
	e.press(kb.Enter)
	e.waitFor(`document.activeElement.id === 'print-label'`)
	e.focusIsVisible()
	e.do(chromedp.Evaluate[chromedp.Void](`window.__printed = 0; window.print = () => { window.__printed++; }`))
	e.press(kb.Enter)
	if n := eval[int](e, `window.__printed`); n != 1 {
		t.Fatalf("print ran %d times", n)
	}
	// Close the label: the focus goes back to the exam.
	e.tabTo("#close-label")
	e.press(kb.Enter)
	e.waitFor(`document.activeElement.closest('li.exam') !== null`)
	// Revoke's dialog opens and closes from the keyboard (Escape cancels).
	e.tabTo("li.exam button.danger")
	e.press(kb.Enter)
	e.waitFor(`document.getElementById('revoke-dialog').open && document.activeElement.id === 'revoke-reason'`)
	e.press(kb.Escape)
	e.waitFor(`!document.getElementById('revoke-dialog').open`)
	if st := e.listed(maria)[0]["status"]; st != "Started" {
		t.Errorf("status %v", st)
	}
}

type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  int    `json:"nodes"`
}

// axe runs axe-core in the page and returns its violations, of every impact.
func (e *env) axe() []axeViolation {
	e.t.Helper()
	if !eval[bool](e, `typeof window.axe === 'object'`) {
		e.do(chromedp.Evaluate[chromedp.Void](axeSource))
	}
	return eval[[]axeViolation](e, `axe.run(document, { resultTypes: ['violations'] }).then((r) =>
		r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length })))`)
}

// TestAccessibility: axe-core finds no violation (of any impact) on the
// sign-in, the exam list with every kind of exam, the label and a dialog.
func TestAccessibility(t *testing.T) {
	e := start(t)
	check := func(state string) {
		t.Helper()
		for _, v := range e.axe() {
			t.Errorf("%s: %s (%s, %d elements): %s", state, v.ID, v.Impact, v.Nodes, v.Help)
		}
	}
	check("sign-in")
	e.signInLocal()
	registered := e.registered(maria, 1)
	revoked := e.registered(maria, 2)
	e.api("POST", "/exam/revoke", map[string]any{"document": maria, "exam_id": revoked, "reason": "teste"})
	e.search(maria)
	e.startFromPage(registered)
	check("exam list and label")
	e.do(chromedp.Click(chromedp.CSS(examSel(registered) + " button.danger")))
	e.waitFor(`document.getElementById('revoke-dialog').open`)
	check("revoke dialog")
	e.press(kb.Escape)
	e.search(unknown)
	check("error message")
}
