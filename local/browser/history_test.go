package browser

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/chromedp"
)

// specListing is an /exams/info answer as docs/api.md renders exams, history
// included: the page's rendering of it does not wait for the API to give it.
const specListing = `{"exams": [{"exam_id": "0b6f3c4e-5d1a-4c2b-9e8f-1a2b3c4d5e04", "patient_id": "7f3c9a52-1d4e-4b8a-9c61-2a5b8e0d4f11",
 "exam_type": 1, "exam_name": "Complete blood count", "status": "Finished",
 "created_at": "2026-03-02T12:00:00Z", "updated_at": "2026-03-04T18:30:00Z", "started_at": "2026-03-02T13:15:00Z", "finished_at": "2026-03-04T18:30:00Z",
 "notification": {"channel": "email", "status": "unconfirmed", "at": "2026-03-04T18:30:05Z"},
 "history": [{"status": "Registered", "at": "2026-03-02T12:00:00Z", "by": {"kind": "attendant", "id": "6b1f2c3d", "name": "ana"}},
             {"status": "Started", "at": "2026-03-02T13:15:00Z", "by": {"kind": "attendant", "id": "9c8d7e6f", "name": "bruno"}},
             {"status": "Finished", "at": "2026-03-04T18:30:00Z", "by": {"kind": "automatic", "id": "process-result"}}]}]}`

// TestHistoryAsTheAPIRendersIt: each transition with who and when (clinic time,
// dd/mm/aaaa), oldest first, and the notification's state.
func TestHistoryAsTheAPIRendersIt(t *testing.T) {
	e := answeringListing(t, specListing)
	e.signInLocal()
	e.search(maria)
	got := e.text(`li.exam .history`)
	want := "Cadastrado em 02/03/2026 09:00 por ana Iniciado em 02/03/2026 10:15 por bruno Finalizado em 04/03/2026 15:30 por automático (resultado recebido)"
	if got != want {
		t.Errorf("history %q, want %q", got, want)
	}
	if item := e.text("li.exam"); !strings.Contains(item, "aviso enviado sem confirmação por e-mail em 04/03/2026 15:30") || strings.Contains(item, "Revogar") {
		t.Errorf("exam item %q", item)
	}
}

// answeringListing starts the console whose every listing of a patient's exams is answered with listing.
func answeringListing(t *testing.T, listing string) *env {
	return startWith(t, nil, func(ctx context.Context) {
		paused := chromedp.Events(ctx, fetch.RequestPaused)
		if _, err := chromedp.Call(ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: "*/exams/info*"}}}); err != nil {
			t.Fatal(err)
		}
		go func() {
			for ev, err := range paused {
				if err != nil {
					return
				}
				_, _ = chromedp.Call(ctx, fetch.FulfillRequest, fetch.FulfillRequestParams{RequestID: ev.RequestID, ResponseCode: 200,
					ResponseHeaders: []*fetch.HeaderEntry{{Name: "Content-Type", Value: "application/json"}}, Body: []byte(listing)})
			}
		}()
	})
}

// TestAFailedNotificationSaysWhy: a notification that failed reads as not
// delivered, with why in Portuguese: the toll-fraud guard's own reason, or
// the sending service's code.
func TestAFailedNotificationSaysWhy(t *testing.T) {
	exam := func(id, code string) string {
		return `{"exam_id": "0b6f3c4e-5d1a-4c2b-9e8f-1a2b3c4d5e0` + id + `", "patient_id": "7f3c9a52-1d4e-4b8a-9c61-2a5b8e0d4f11",
 "exam_type": 1, "exam_name": "Complete blood count", "status": "Finished", "created_at": "2026-03-0` + id + `T12:00:00Z",
 "updated_at": "2026-03-04T18:30:00Z", "finished_at": "2026-03-04T18:30:00Z",
 "notification": {"channel": "sms", "status": "failed", "code": "` + code + `", "at": "2026-03-04T18:30:05Z"}, "history": []}`
	}
	e := answeringListing(t, `{"exams": [`+exam("6", "invalid_destination")+`, `+exam("5", "InvalidParameter")+`]}`)
	e.signInLocal()
	e.search(maria)
	items := e.text("#exams")
	for _, want := range []string{
		"aviso não entregue por SMS em 04/03/2026 15:30 — o celular verificado não é um celular brasileiro",
		"aviso não entregue por SMS em 04/03/2026 15:30 — recusado pelo serviço de envio (InvalidParameter)",
	} {
		if !strings.Contains(items, want) {
			t.Errorf("the exams read %q, want %q", items, want)
		}
	}
}
