package resultfiling_test

import (
	"bufio"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/zmed/exam-manager/shared/logctx"
	"github.com/zmed/exam-manager/shared/testsupport/fakes"
	"github.com/zmed/exam-manager/shared/testsupport/logtest"
	"github.com/zmed/exam-manager/shared/testsupport/pdfs"
)

// TestLogsCarryNoPersonalData processes results to every outcome, and a
// transient failure, and reads every log line written.
func TestLogsCarryNoPersonalData(t *testing.T) {
	h := newHarness(t)
	p := fakes.ActiveSMS
	e, tok := h.startedExam(p)
	other, otherTok := h.startedExam(p)
	third, thirdTok := h.startedExam(p)
	// Captured from here: the lines of the processing, not of the test's setup.
	buf := logtest.Capture(t)
	result := h.resultToken(e.ID)
	// The uploader named the file after the patient: the key must not reach the logs either.
	name := "completed/2026_11/Maria da Silva 52998224725.pdf"
	ctx := logctx.WithRequestID(context.Background(), "req-1")
	if err := h.handle(ctx, h.putPDF(name, tok, result)); err != nil {
		t.Fatal(err)
	}
	if err := h.handle(ctx, h.putPDF("completed/2026_11/x.pdf", otherTok, "forged.token.value")); err != nil {
		t.Fatal(err)
	}
	// Documents that carry the tokens, and the patient's name, inside.
	inside := pdfs.Write(1, "/Title (Maria da Silva 52998224725)", "/ZMEDExamToken ("+otherTok+")", "/ZMEDResultToken (forged.token.value)")
	if err := h.handle(ctx, h.putDocument("completed/2026_11/Maria da Silva 3.pdf", inside)); err != nil {
		t.Fatal(err)
	}
	if err := h.handle(ctx, h.putDocument("completed/2026_11/Maria da Silva 4.pdf", inside[:len(inside)/3])); err != nil {
		t.Fatal(err)
	}
	h.objects.failMove.Store(true)
	if err := h.handle(ctx, h.putPDF("completed/2026_11/Maria.pdf", otherTok, h.resultToken(other.ID))); err == nil {
		t.Fatal("the failed move did not fail the invocation")
	}
	// S3 refusing for good, to file as expected and then as unfileable: the error lines name no key either.
	h.refusals.refuse(true, "", 403, "AccessDenied")
	if err := h.handle(ctx, h.putPDF("completed/2026_11/Maria da Silva 2.pdf", thirdTok, h.resultToken(third.ID))); err != nil {
		t.Fatal(err)
	}
	if err := h.handle(ctx, h.put("completed/2026_11/Maria da Silva/", "application/x-directory", nil, nil)); err != nil {
		t.Fatal(err)
	}

	forbidden := []string{"%Si", "Si+", p.Document, "529.982.247-25", "Maria", "Silva", p.Cellphone, p.Email, tok, result, otherTok, thirdTok, "forged.token.value",
		tok[strings.LastIndex(tok, ".")+1:]}
	lines := 0
	sc := bufio.NewScanner(buf)
	for sc.Scan() {
		lines++
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("not JSON: %s", sc.Text())
		}
		if rec["request_id"] != "req-1" {
			t.Errorf("line without the request id: %s", sc.Text())
		}
		// What the code logged: a time's or a request id's digits are arbitrary.
		text := logtest.LoggedText(sc.Text())
		for _, f := range forbidden {
			if f != "" && strings.Contains(text, f) {
				t.Errorf("log line carries %q: %s", f, sc.Text())
			}
		}
	}
	if lines < 4 {
		t.Fatalf("only %d log lines: too little to prove anything", lines)
	}
}
