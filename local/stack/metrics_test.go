package stack

import (
	"bytes"
	"context"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/metrics"
	"github.com/zmed/exam-manager/shared/testsupport/emftest"
	"github.com/zmed/exam-manager/shared/testsupport/logtest"
	"github.com/zmed/exam-manager/shared/token"
)

const activeEmail = "248.438.034-80" // verified e-mail only

// TestEveryMetricOnTheLocalStack finishes exams through both paths, files a
// result to each outcome, survives a patient-manager outage through the
// reconciler and leaves a notification unconfirmed, then reads the EMF lines
// back as CloudWatch would: every metric of docs/operations.md with its dimensions and
// values. The same lines carry no personal data.
func TestEveryMetricOnTheLocalStack(t *testing.T) {
	logs := logtest.CaptureConcurrent(t) // the stack logs from its own goroutines
	e := startStack(t)
	ctx := context.Background()
	upload := func(id, examTok, resultTok string) {
		t.Helper()
		if err := Upload(ctx, e.s3, e.s.Config.Bucket, ResultKey("completed", id, ".pdf", time.Now()), "application/pdf", []byte("%PDF-1.4 result"), examTok, resultTok); err != nil {
			t.Fatal(err)
		}
	}

	// Automatic path (SMS) and manual path (e-mail).
	auto, autoTok := e.startedExam(activeSMS)
	upload(auto, autoTok, e.resultToken(auto))
	e.eventually("processed", func() bool {
		return e.status(activeSMS, auto) == string(exam.StatusFinished) && e.outboxLines(auto) == 1
	})
	manual, manualTok := e.startedExam(activeEmail)
	e.api("POST", "/exams/communicate", map[string]string{"exam_token": manualTok, "result_token": e.resultToken(manual)})

	// stuck (no tokens), denied (another patient's token), deleted (revoked).
	stuck, _ := e.startedExam(activeSMS)
	upload(stuck, "", "")
	denied, _ := e.startedExam(activeSMS)
	issuer, _ := token.NewIssuer([]byte(LocalExamKey), time.Hour, time.Now)
	otherTok, _ := issuer.IssueExamToken(exam.ExamClaims{ExamID: denied, PatientID: e.s.Patients[1].ID, ExamType: 1})
	upload(denied, otherTok, e.resultToken(denied))
	deleted, deletedTok := e.startedExam(activeNone)
	e.api("POST", "/exam/revoke", map[string]any{"document": activeNone, "exam_id": deleted, "reason": "patient left"})
	upload(deleted, deletedTok, e.resultToken(deleted))
	e.eventually("stuck, denied and deleted filed", func() bool {
		keys := strings.Join(e.keys(), " ")
		return strings.Contains(keys, "stuck/") && strings.Contains(keys, "denied/") && strings.Contains(keys, "deleted/") && !strings.Contains(keys, "completed/")
	})

	// An outage: three attempts fail (retried), the reconciler finishes it.
	healed, healedTok := e.startedExam(activeSMS)
	e.s.SetPatientManagerDown(true)
	upload(healed, healedTok, e.resultToken(healed))
	e.eventually("the event in the on-failure queue", func() bool { return e.s.FailedEvents() == 1 })
	e.s.SetPatientManagerDown(false)
	e.s.reconcileMu.Lock()
	e.s.reconciler.MinAge = time.Nanosecond // the upload is seconds old, not minutes
	e.s.reconcileMu.Unlock()
	if rep, err := e.s.Reconcile(ctx); err != nil || rep.Processed != 1 {
		t.Fatalf("reconciler: %+v, %v", rep, err)
	}

	// A notification claimed by a sender that stopped: unconfirmed.
	lost, lostTok := e.startedExam(activeSMS)
	result := e.resultToken(lost)
	cur, err := e.s.Store.Get(ctx, lost)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.Store.Transition(ctx, exam.Transition{ExamID: lost, PatientID: cur.PatientID, ExamType: cur.Type,
		From: []exam.Status{exam.StatusStarted}, To: exam.StatusFinished, At: time.Now().UTC(), ResultRef: exam.ResultRef(result),
		By:           exam.ProcessResultActor,
		Notification: exam.Notification{Status: exam.NotificationPending, ClaimOwner: "stopped", ClaimUntil: time.Now().Add(-time.Minute).UTC()},
	}); err != nil {
		t.Fatal(err)
	}
	e.api("POST", "/exams/communicate", map[string]string{"exam_token": lostTok, "result_token": result})

	// A filing's line follows the object's move: every one written before reading.
	e.eventually("every filing logged", func() bool { return strings.Count(logs.String(), `"msg":"result filed"`) == 5 })
	raw := []byte(logs.String())
	points, err := emftest.Read(raw)
	if err != nil {
		t.Fatal(err)
	}
	got := emftest.Sums(points)
	latencies := 0
	for _, p := range points {
		if p.Namespace != metrics.Namespace {
			t.Errorf("a point outside %s: %+v", metrics.Namespace, p)
		}
		if p.Name == string(metrics.PatientManagerLatency) {
			latencies++
			if p.Unit != "Milliseconds" || p.Value < 0 {
				t.Errorf("latency point %+v", p)
			}
		}
	}
	delete(got, "PatientManagerLatency{}")
	delete(got, "OldestCompletedAge{}")
	want := map[string]float64{
		"ExamsRegistered{}": 7, "ExamsStarted{}": 7, "ExamsRevoked{}": 1,
		"ExamsFinished{Path=automatic}": 2, "ExamsFinished{Path=manual}": 1,
		"NotificationsSent{Channel=sms}": 2, "NotificationsSent{Channel=email}": 1, "NotificationsUnconfirmed{}": 1,
		"ResultsFiled{Outcome=processed}": 2, "ResultsFiled{Outcome=stuck}": 1, "ResultsFiled{Outcome=denied}": 1,
		"ResultsFiled{Outcome=deleted}": 1, "ResultsRetried{}": 3,
	}
	if !maps.Equal(got, want) {
		t.Errorf("metrics\n got %v\nwant %v", got, want)
	}
	if latencies == 0 {
		t.Error("no PatientManagerLatency")
	}
	ages := 0
	for _, p := range points {
		if p.Name == string(metrics.OldestCompletedAge) && p.Unit == "Seconds" && p.Value >= 0 {
			ages++
		}
	}
	if ages != 1 {
		t.Errorf("%d OldestCompletedAge points, want the reconciler's one", ages)
	}
	// Every metric of the catalog appeared, but the three that need a fault the
	// outbox or the local stack cannot make (S3 refusing for good, a route
	// without the authorizer, SNS or SES refusing for good): the processor's,
	// the API's and TestAPermanentRefusalIsFiledOnce read those back.
	for name := range metrics.Catalog {
		if name == metrics.ResultsUnfileable || name == metrics.ApiCallsWithoutClaims || name == metrics.NotificationsFailed {
			continue
		}
		found := false
		for _, p := range points {
			found = found || p.Name == string(name)
		}
		if !found {
			t.Errorf("%s never appeared", name)
		}
	}
	// The no-personal-data check of every log test, on these lines.
	var forbidden []string
	for _, p := range e.s.Patients {
		forbidden = append(forbidden, p.Document, p.Name, p.Cellphone, p.Email)
	}
	forbidden = append(forbidden, autoTok, manualTok, deletedTok, healedTok, lostTok, result, otherTok)
	logtest.CheckLines(t, bytes.NewBuffer(raw), forbidden)
}
