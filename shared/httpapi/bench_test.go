package httpapi

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/logging"
	"github.com/zmed/exam-manager/shared/testsupport/fakes"
)

// Handler benchmarks with the in-memory adapters: the cost of our own code per
// request (decoding, validation, use case, rendering), without I/O.

func benchHarness(b *testing.B) *harness {
	b.Helper()
	// Logs are written as in Lambda (JSON), to nowhere: their cost counts, a terminal's does not.
	prev := slog.Default()
	slog.SetDefault(logging.New(io.Discard, slog.LevelInfo))
	b.Cleanup(func() { slog.SetDefault(prev) })
	t := &testing.T{}
	h := newHarness(t)
	h.t = t
	return h
}

func call(b *testing.B, handler func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error), req events.APIGatewayV2HTTPRequest, want int) {
	resp, err := handler(context.Background(), req)
	if err != nil || resp.StatusCode != want {
		b.Fatalf("status %d, err %v: %s", resp.StatusCode, err, resp.Body)
	}
}

func BenchmarkRegister(b *testing.B) {
	h := benchHarness(b)
	req := post(RegisterExam.Route, `{"document": "529.982.247-25", "exam_type": 1}`)
	b.ReportAllocs()
	for b.Loop() {
		call(b, h.register, req, 201)
	}
}

func BenchmarkList(b *testing.B) {
	h := benchHarness(b)
	for range 20 {
		h.registered(fakes.ActiveSMS, 1)
	}
	req := get(map[string]string{"document": fakes.ActiveSMS.Document, "limit": "20"})
	b.ReportAllocs()
	for b.Loop() {
		call(b, h.list, req, 200)
	}
}

// BenchmarkWorklist reads a page of 20 of a worklist of 100, across patients.
func BenchmarkWorklist(b *testing.B) {
	h := benchHarness(b)
	for i := range 100 {
		h.registered([]exam.Patient{fakes.ActiveSMS, fakes.ActiveEmail, fakes.ActiveNone}[i%3], 1)
	}
	req := getAt(ExamWorklist.Route, map[string]string{"status": "Registered", "limit": "20"})
	b.ReportAllocs()
	for b.Loop() {
		call(b, h.worklist, req, 200)
	}
}

func BenchmarkStart(b *testing.B) {
	h := benchHarness(b)
	reqs := make([]events.APIGatewayV2HTTPRequest, 0, 1024)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		if len(reqs) == 0 {
			for range 1024 {
				id := h.registered(fakes.ActiveSMS, 1)
				reqs = append(reqs, post(StartExam.Route, js(map[string]any{"document": fakes.ActiveSMS.Document, "exam_id": id, "exam_type": 1})))
			}
		}
		req := reqs[len(reqs)-1]
		reqs = reqs[:len(reqs)-1]
		b.StartTimer()
		call(b, h.start, req, 200)
	}
}

func BenchmarkRevoke(b *testing.B) {
	h := benchHarness(b)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		id := h.registered(fakes.ActiveSMS, 1)
		req := post(RevokeExam.Route, js(map[string]any{"document": fakes.ActiveSMS.Document, "exam_id": id, "reason": "duplicated"}))
		b.StartTimer()
		call(b, h.revoke, req, 200)
	}
}

func BenchmarkCommunicate(b *testing.B) {
	h := benchHarness(b)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		id, tok := h.started(fakes.ActiveSMS, 1)
		req := post(CommunicateResult.Route, js(map[string]string{"exam_token": tok, "result_token": h.resultToken(id)}))
		b.StartTimer()
		call(b, h.communicate, req, 200)
	}
}
