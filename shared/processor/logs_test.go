package processor

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/fakes"
	"github.com/zmed/exam-manager/shared/logging"
	"github.com/zmed/exam-manager/shared/logging/logtest"
)

// TestLogsCarryNoPersonalData processes results to every outcome, and a
// transient failure, and reads every log line written.
func TestLogsCarryNoPersonalData(t *testing.T) {
	buf := logtest.Capture(t)

	h := newHarness(t)
	p := fakes.ActiveSMS
	e, tok := h.startedExam(p)
	result := h.resultToken(e.ID)
	// The uploader named the file after the patient: the key must not reach the logs either.
	name := "completed/2026_11/Maria da Silva 52998224725.pdf"
	ctx := logging.WithRequestID(context.Background(), "req-1")
	if err := h.proc.Handle(ctx, h.putPDF(name, tok, result)); err != nil {
		t.Fatal(err)
	}
	other, otherTok := h.startedExam(p)
	if err := h.proc.Handle(ctx, h.putPDF("completed/2026_11/x.pdf", otherTok, "forged.token.value")); err != nil {
		t.Fatal(err)
	}
	// A key S3 would never send: it does not decode, and no part of it is logged.
	undecodable := h.putPDF("completed/2026_11/Maria%Si 52998224725.pdf", otherTok, "")
	undecodable.Records[0].S3.Object.Key = "completed/2026_11/Maria%Si+52998224725.pdf"
	if err := h.proc.Handle(ctx, undecodable); err != nil {
		t.Fatal(err)
	}
	h.objects.failMove.Store(true)
	if err := h.proc.Handle(ctx, h.putPDF("completed/2026_11/Maria.pdf", otherTok, h.resultToken(other.ID))); err == nil {
		t.Fatal("the failed move did not fail the invocation")
	}

	forbidden := []string{"%Si", "Si+", p.Document, "529.982.247-25", "Maria", "Silva", p.Cellphone, p.Email, tok, result, otherTok, "forged.token.value",
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
		for _, f := range forbidden {
			if strings.Contains(sc.Text(), f) {
				t.Errorf("log line carries %q: %s", f, sc.Text())
			}
		}
	}
	if lines < 4 {
		t.Fatalf("only %d log lines: too little to prove anything", lines)
	}
}

func TestDescribeHidesURLs(t *testing.T) {
	err := &url.Error{Op: "Get", URL: "http://127.0.0.1:4566/zmed/completed/Maria%20da%20Silva.pdf", Err: errors.New("connection refused")}
	wrapped := errors.Join(exam.ErrDependency, err)
	if got := describe(wrapped); strings.Contains(got, "Maria") || !strings.Contains(got, "connection refused") {
		t.Fatalf("describe = %q", got)
	}
}
