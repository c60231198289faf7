package stack

import (
	"net/http"
	"testing"

	"github.com/zmed/exam-manager/shared/testsupport/apitest"
)

// post sends body (JSON text) to the local API with headers.
func (e *e2e) post(path, body string, headers map[string]string) (int, http.Header, map[string]any) {
	e.t.Helper()
	return apitest.Call(e.t, e.s.APIURL, http.MethodPost, path, []byte(body), headers)
}

// Retries over real HTTP: a register retried with its Idempotency-Key, and a
// start repeated after its answer was lost (docs/api.md).
func TestRetriesOverHTTP(t *testing.T) {
	e := startStack(t)
	register := `{"document": "` + activeSMS + `", "exam_type": 4}`
	key := map[string]string{"Idempotency-Key": "balcao-2-envio-17"}

	status, h, first := e.post("/exam/new", register, key)
	if status != 201 || h.Get("Idempotent-Replayed") != "" {
		t.Fatalf("first register: %d %v %v", status, h, first)
	}
	status, h, again := e.post("/exam/new", register, key)
	if status != 201 || h.Get("Idempotent-Replayed") != "true" || again["exam_id"] != first["exam_id"] || again["created_at"] != first["created_at"] {
		t.Fatalf("retried register: %d %v %v; first %v", status, h, again, first)
	}
	status, _, reused := e.post("/exam/new", `{"document": "`+activeSMS+`", "exam_type": 5}`, key)
	if code, _ := reused["error"].(map[string]any)["code"].(string); status != 422 || code != "IDEMPOTENCY_KEY_REUSED" {
		t.Fatalf("key reused for another exam type: %d %v", status, reused)
	}
	status, _, bad := e.post("/exam/new", register, map[string]string{"Idempotency-Key": "529.982.247-25"})
	if code, _ := bad["error"].(map[string]any)["code"].(string); status != 400 || code != "INVALID_REQUEST" {
		t.Fatalf("malformed key: %d %v", status, bad)
	}

	start := `{"document": "` + activeSMS + `", "exam_id": "` + first["exam_id"].(string) + `", "exam_type": 4}`
	status, _, started := e.post("/exam/start", start, nil)
	if status != 200 {
		t.Fatalf("start: %d %v", status, started)
	}
	status, _, restarted := e.post("/exam/start", start, nil)
	if status != 200 {
		t.Fatalf("repeated start: %d %v", status, restarted)
	}
	startedAt := func(r map[string]any) any { return r["exam"].(map[string]any)["started_at"] }
	if startedAt(restarted) != startedAt(started) || restarted["exam_token"] == started["exam_token"] {
		t.Fatalf("repeated start answered %v, the first %v; want the same started_at and a new token", restarted, started)
	}
}
