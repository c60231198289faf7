package resultfiling_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/uuid"

	"github.com/zmed/exam-manager/shared/logctx"
	"github.com/zmed/exam-manager/shared/testsupport/apitest"
	"github.com/zmed/exam-manager/shared/testsupport/fakes"
	"github.com/zmed/exam-manager/shared/testsupport/logtest"
)

// TestPoisonedObjectsLogNothingPersonal: objects whose keys, metadata and
// JSON bodies carry CPFs, names, phones, e-mails and tokens are filed, and
// no log line carries any of it; each object's outcome has exactly one audit
// line, by the automatic actor.
func TestPoisonedObjectsLogNothingPersonal(t *testing.T) {
	buf := logtest.Capture(t)
	h := newHarness(t)
	e, tok := h.startedExam(fakes.ActiveSMS)
	poison := apitest.Poison(tok)
	ctx := logctx.WithRequestID(context.Background(), "req-1")
	cut := func(s string, n int) string { return s[:min(len(s), n)] } // S3's limits on keys and metadata
	objects := 0
	for i, v := range poison.Values {
		next := poison.Values[(i+1)%len(poison.Values)]
		key := fmt.Sprintf("completed/2026_11/%d %s.pdf", i, cut(strings.ReplaceAll(v, "/", "_"), 200))
		body, _ := json.Marshal(map[string]string{"exam_token": v, "result_token": h.resultToken(e.ID), "patient": v})
		for _, ev := range []events.S3Event{
			h.put(key, "application/pdf", []byte("%PDF"), map[string]string{"exam-token": cut(url.QueryEscape(v), 800), "result-token": cut(next, 800)}),
			h.put("completed/2026_11/"+uuid.NewString()+".json", "application/json", body, nil),
			h.putPDF(fmt.Sprintf("completed/2026_11/%d-%s.pdf", i, cut(url.PathEscape(v), 200)), tok, cut(v, 800)),
		} {
			if err := h.handle(ctx, ev); err != nil {
				t.Fatalf("%q: %v", v, err)
			}
			objects++
		}
	}
	text := buf.String()
	apitest.CheckNoCPF(t, text)
	audits := logtest.AuditLines(t, text)
	for _, a := range audits {
		if a.Action != "result.process" || a.Actor["kind"] != "automatic" || a.Actor["id"] != "process-result" {
			t.Errorf("audit line %s: want result.process by process-result", a.Raw)
		}
	}
	logtest.CheckLines(t, buf, poison.Forbidden)
	if len(audits) != objects {
		t.Fatalf("%d audit lines for %d objects, want one each", len(audits), objects)
	}
}
