package browser

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/zmed/exam-manager/local/stack"
	"github.com/zmed/exam-manager/shared/token"
)

// startFromPage starts the exam with its first action button and waits for the label.
func (e *env) startFromPage(id string) {
	e.t.Helper()
	e.do(chromedp.Evaluate[chromedp.Void](`document.getElementById('label-view').hidden = true`),
		chromedp.Click(chromedp.CSS(examSel(id)+" .actions button")))
	e.waitFor(`!document.getElementById('label-view').hidden`)
	e.waitFor(fmt.Sprintf(`document.querySelector(%q).dataset.status === 'Started'`, examSel(id)))
}

func resultToken(t *testing.T, id string) string {
	t.Helper()
	tok, err := token.MintResultToken([]byte(stack.LocalResultKey), id, time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestReprintUsesTheIdempotentStart: a Started exam's label is printed again
// with a newly signed label code of the same exam, which verifies (within the
// same hour it is the same code: its expiry is counted in hours); the exam
// keeps its start.
func TestReprintUsesTheIdempotentStart(t *testing.T) {
	e := openPatient(t, maria)
	id := e.registered(maria, 8)
	e.search(maria)
	e.startFromPage(id)
	startedAt := e.listed(maria)[0]["started_at"]

	e.do(chromedp.Click(chromedp.CSS("#close-label")))
	if got := e.text(examSel(id) + " .actions"); !containsAll(got, "Reimprimir etiqueta", "Finalizar com token de resultado", "Revogar") {
		t.Fatalf("actions of a Started exam: %q", got)
	}
	e.do(chromedp.Click(chromedp.CSS(examSel(id) + " .actions button")))
	e.waitText("#status", "Etiqueta pronta para reimpressão.")
	again, err := decodeQR(e.printedLabel(deskLabel))
	if err != nil {
		t.Fatal(err)
	}
	e.verifiedLabelCode(t, again, id, maria)
	if got := e.listed(maria)[0]["started_at"]; got != startedAt {
		t.Errorf("started_at moved from %v to %v", startedAt, got)
	}
}

// TestManualFinish: a Started exam is finished from a pasted result token;
// the patient is told, and the page shows it. A token of another exam is refused.
func TestManualFinish(t *testing.T) {
	e := openPatient(t, maria)
	id := e.registered(maria, 5)
	other := e.registered(maria, 7)
	e.search(maria)
	e.startFromPage(id)
	e.do(chromedp.Click(chromedp.CSS("#close-label")))

	finish := func(tok string) { // on the exam id names at the time
		e.do(chromedp.Evaluate[chromedp.Void](`document.getElementById('status').textContent = ''; document.getElementById('alert').hidden = true`),
			chromedp.Click(chromedp.CSS(examSel(id)+" .actions button.secondary:nth-of-type(3)")),
			chromedp.WaitVisible(chromedp.CSS("#finish-dialog")),
			chromedp.SendKeys(chromedp.CSS("#result-token"), tok),
			chromedp.Click(chromedp.CSS(`#finish-form button[value="confirm"]`)))
	}
	finish(resultToken(t, other))
	e.waitText("#alert", "O token de resultado é de outro exame.")
	finish(resultToken(t, id))
	e.waitText("#status", "Exame finalizado.")
	got := e.text(examSel(id))
	if !containsAll(got, "Finalizado", "Finalizado em", "paciente avisado por SMS") {
		t.Errorf("exam item %q", got)
	}
	if strings.Contains(got, "Revogar") {
		t.Errorf("a Finished exam offers actions: %q", got)
	}

	// An exam started elsewhere (another desk, yesterday): the page has no
	// token of it and gets one from the idempotent start.
	if status, out := e.api("POST", "/exam/start", map[string]any{"document": maria, "exam_id": other, "exam_type": 7}); status != 200 {
		t.Fatalf("start: %d %v", status, out)
	}
	e.search(maria)
	id = other
	finish(resultToken(t, other))
	e.waitText("#status", "Exame finalizado.")
	if got := e.text(examSel(other)); !containsAll(got, "Finalizado", "paciente avisado por SMS") {
		t.Errorf("exam item %q", got)
	}
}

// TestAutomaticFinish: the label's QR code is what the execution team reads;
// a result uploaded with the label code in its metadata finishes the exam, and the page shows the exam
// Finished, the patient told, and (where the API renders it) its history.
func TestAutomaticFinish(t *testing.T) {
	e := openPatient(t, maria)
	id := e.registered(maria, 1)
	e.search(maria)
	e.startFromPage(id)
	labelCode, err := decodeQR(e.printedLabel(deskLabel))
	if err != nil {
		t.Fatal(err)
	}
	cfg := e.stack.Config
	key := stack.ResultKey(cfg.Folders.Completed, id, ".pdf", time.Now())
	ctx, cancel := context.WithTimeout(context.Background(), hang)
	defer cancel()
	if err := stack.Upload(ctx, e.stack.S3Client(), cfg.Bucket, key, "application/pdf", []byte("%PDF-1.4 resultado"), labelCode, resultToken(t, id)); err != nil {
		t.Fatal(err)
	}
	// The upload is processed asynchronously, as S3 would invoke it: wait (bounded) for it.
	for deadline := time.Now().Add(hang); e.listed(maria)[0]["status"] != "Finished"; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the upload did not finish the exam")
		}
	}
	e.search(maria)
	got := e.text(examSel(id))
	if !containsAll(got, "Finalizado", "Finalizado em", "paciente avisado por SMS") {
		t.Errorf("exam item %q", got)
	}
	// Who and when: the local attendant registered and started it (through the
	// page), the S3 path finished it.
	history := e.text(examSel(id) + " .history")
	steps := regexp.MustCompile(`(Cadastrado|Iniciado|Finalizado) em \d{2}/\d{2}/\d{4} \d{2}:\d{2} por (\S+( \(resultado recebido\))?)`).FindAllStringSubmatch(history, -1)
	if len(steps) != 3 || steps[0][1] != "Cadastrado" || steps[1][1] != "Iniciado" || steps[2][1] != "Finalizado" ||
		steps[1][2] != "local-attendant" || steps[2][2] != "automático (resultado recebido)" {
		t.Errorf("history %q", history)
	}
}
