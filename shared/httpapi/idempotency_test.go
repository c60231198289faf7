package httpapi

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/testsupport/fakes"
)

// withKey is a register request carrying an Idempotency-Key header, as API
// Gateway hands it over (lower-case name).
func withKey(body, key string) events.APIGatewayV2HTTPRequest {
	req := post(RegisterExam.Route, body)
	if req.Headers == nil {
		req.Headers = map[string]string{}
	}
	req.Headers[IdempotencyKeyHeader] = key
	return req
}

func TestIdempotencyKeyOnRegister(t *testing.T) {
	original := js(map[string]any{"document": "529.982.247-25", "exam_type": 2})
	tests := []struct {
		name     string
		again    events.APIGatewayV2HTTPRequest
		status   int
		code     string
		replayed bool
	}{
		{"the same request replays", withKey(original, "form-1"), 201, "", true},
		{"the same document unpunctuated replays", withKey(`{"document": "52998224725", "exam_type": 2}`, "form-1"), 201, "", true},
		{"another document", withKey(js(map[string]any{"document": fakes.ActiveEmail.Document, "exam_type": 2}), "form-1"), 422, "IDEMPOTENCY_KEY_REUSED", false},
		{"another exam type", withKey(`{"document": "52998224725", "exam_type": 3}`, "form-1"), 422, "IDEMPOTENCY_KEY_REUSED", false},
		{"another key", withKey(original, "form-2"), 201, "", false},
		{"another attendant's key of the same name (keys are scoped to the caller)", as(fakes.OtherAttendant, withKey(original, "form-1")), 201, "", false},
		{"no key", post(RegisterExam.Route, original), 201, "", false},
		{"empty key", withKey(original, ""), 400, "INVALID_REQUEST", false},
		{"key of 65 characters", withKey(original, strings.Repeat("k", 65)), 400, "INVALID_REQUEST", false},
		{"key with a space", withKey(original, "form 1"), 400, "INVALID_REQUEST", false},
		{"key with a CPF", withKey(original, "529.982.247-25"), 400, "INVALID_REQUEST", false},
		{"key sent twice (joined by a comma)", withKey(original, "form-1,form-1"), 400, "INVALID_REQUEST", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			first := h.call(h.register, withKey(original, "form-1"))
			first.expect(t, 201, "")
			if first.headers[ReplayedHeader] != "" {
				t.Fatalf("first register says it replayed: %v", first.headers)
			}
			h.clock.Advance(time.Minute)
			r := h.call(h.register, tt.again)
			r.expect(t, tt.status, tt.code)
			if got := r.headers[ReplayedHeader] == "true"; got != tt.replayed {
				t.Fatalf("%s: %q, want replayed %v", ReplayedHeader, r.headers[ReplayedHeader], tt.replayed)
			}
			if tt.replayed && r.raw != first.raw {
				t.Fatalf("replay answered %s, the first answer was %s", r.raw, first.raw)
			}
			if !tt.replayed && tt.status == 201 && r.body["exam_id"] == first.body["exam_id"] {
				t.Fatalf("another request got the first exam: %s", r.raw)
			}
			page, err := h.store.ListByPatient(context.Background(), fakes.ActiveSMS.ID, 100, nil)
			if err != nil {
				t.Fatal(err)
			}
			want := 1
			if tt.status == 201 && !tt.replayed {
				want = 2
			}
			if len(page.Exams) != want {
				t.Fatalf("the patient has %d exams, want %d", len(page.Exams), want)
			}
		})
	}
}

func TestConcurrentStartsThroughTheAPI(t *testing.T) {
	h := newHarness(t)
	id := h.registered(fakes.ActiveSMS, 3)
	body := js(map[string]any{"document": fakes.ActiveSMS.Document, "exam_id": id, "exam_type": 3})
	const n = 50
	replies := make([]events.APIGatewayV2HTTPResponse, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			replies[i], _ = h.start(context.Background(), post(StartExam.Route, body))
		}()
	}
	wg.Wait()
	stored := h.stored(id)
	want := stored.StartedAt.Format(time.RFC3339Nano)
	tokens := map[string]bool{}
	for i, resp := range replies {
		if resp.StatusCode != 200 {
			t.Fatalf("start %d: %d %s", i, resp.StatusCode, resp.Body)
		}
		var r struct {
			Exam      map[string]any `json:"exam"`
			ExamToken string         `json:"exam_token"`
		}
		if err := json.Unmarshal([]byte(resp.Body), &r); err != nil {
			t.Fatalf("start %d: %v: %s", i, err, resp.Body)
		}
		if got, _ := r.Exam["started_at"].(string); got != want {
			t.Fatalf("start %d answered started_at %q, stored %q", i, got, want)
		}
		if _, err := h.verifier.VerifyExamToken(r.ExamToken); err != nil {
			t.Fatalf("start %d: token: %v", i, err)
		}
		tokens[r.ExamToken] = true
	}
	if len(tokens) != n {
		t.Fatalf("%d distinct tokens for %d starts, want a new one each", len(tokens), n)
	}
	if stored.Status != exam.StatusStarted {
		t.Fatalf("stored %+v", stored)
	}
}
