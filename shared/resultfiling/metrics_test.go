package resultfiling_test

import (
	"context"
	"maps"
	"testing"

	"github.com/zmed/exam-manager/shared/testsupport/emftest"
	"github.com/zmed/exam-manager/shared/testsupport/fakes"
	"github.com/zmed/exam-manager/shared/testsupport/logtest"
)

// TestProcessingCountsFilingsAndRetries: one ResultsFiled per object filed, by
// outcome; one ResultsRetried per transient failure; a finish through this path
// counts as automatic; a repeated event counts nothing more.
func TestProcessingCountsFilingsAndRetries(t *testing.T) {
	h := newHarness(t)
	logs := logtest.Capture(t)
	ctx := context.Background()

	e, tok := h.startedExam(fakes.ActiveSMS)
	processed := h.putPDF("completed/2026_11/"+e.ID+".pdf", tok, h.resultToken(e.ID))
	h.objects.failMove.Store(true)
	if err := h.handle(ctx, processed); err == nil {
		t.Fatal("a failed move did not fail the invocation")
	}
	for range 2 {
		if err := h.handle(ctx, processed); err != nil {
			t.Fatal(err)
		}
	}
	if err := h.handle(ctx, h.putPDF("completed/2026_11/none.pdf", "", "")); err != nil {
		t.Fatal(err)
	}

	points, err := emftest.Read(logs.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	got := emftest.Sums(points)
	delete(got, "PatientManagerLatency{}") // the fake patient manager is not the client
	want := map[string]float64{
		"ExamsRegistered{}": 1, "ExamsStarted{}": 1,
		"ExamsFinished{Path=automatic}": 1, "NotificationsSent{Channel=sms}": 1,
		"ResultsRetried{}":                1,
		"ResultsFiled{Outcome=processed}": 1, "ResultsFiled{Outcome=stuck}": 1,
	}
	if !maps.Equal(got, want) {
		t.Errorf("metrics %v, want %v", got, want)
	}
}
