package main

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/uuid"

	"github.com/zmed/exam-manager/local/stack"
	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/token"
)

// TestResultsHealAfterAnOutage: with the patient manager down, uploaded
// results fail their retries and their events end in the on-failure queue;
// once it is back, one reconciler run finishes every exam and files every
// object, each patient told once; the operator's replay then finds nothing
// left to do. No human action but the replay, which changes nothing.
func TestResultsHealAfterAnOutage(t *testing.T) {
	s, b := startLocalStack(t)
	ctx := context.Background()
	month := time.Now().UTC().Format("2006_01")
	var ids []string
	for range 3 {
		ids = append(ids, startedExam(t, s))
	}

	s.SetPatientManagerDown(true)
	for _, id := range ids {
		uploadResult(t, s, b, month, id)
	}
	eventually(t, "every event in the on-failure queue", func() bool { return s.FailedEvents() == len(ids) })
	for _, id := range ids {
		if !b.exists(t, "completed/"+month+"/"+id+".pdf") || status(t, s, id) != exam.StatusStarted {
			t.Fatalf("during the outage exam %s is %s and its result moved", id, status(t, s, id))
		}
	}

	s.SetPatientManagerDown(false)
	rep, err := s.Reconcile(ctx)
	if err != nil || rep.Processed != len(ids) || rep.Failed != 0 {
		t.Fatalf("reconciler: %+v, %v", rep, err)
	}
	for _, id := range ids {
		e, err := s.Store.Get(ctx, id)
		if err != nil || e.Status != exam.StatusFinished || e.Notification.Status != exam.NotificationSent {
			t.Errorf("exam %s after the reconciler: %+v, %v", id, e, err)
		}
		if !b.exists(t, "processed/"+month+"/"+id+".pdf") || b.exists(t, "completed/"+month+"/"+id+".pdf") {
			t.Errorf("the result of %s is not filed as processed", id)
		}
	}
	if rep, err := s.Reconcile(ctx); err != nil || rep.Seen != 0 {
		t.Errorf("a second run found %+v, %v; want nothing", rep, err)
	}

	code, out, errOut := b.zmedctl(t, "replay")
	if code != 0 || !strings.Contains(out, "3 events: 0 processed again, 3 with nothing left to do, 0 failed again") {
		t.Fatalf("replay: exit %d: %s %s", code, out, errOut)
	}
	if s.FailedEvents() != 0 {
		t.Errorf("%d events left in the queue", s.FailedEvents())
	}
	for _, id := range ids {
		if n := told(t, s.Config.OutboxFile, id); n != 1 {
			t.Errorf("the patient of %s was told %d times, want once", id, n)
		}
	}
	keys, err := b.s3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(s.Config.Bucket), Prefix: aws.String("completed/")})
	if err != nil || len(keys.Contents) != 0 {
		t.Errorf("completed/ still holds %d objects (%v)", len(keys.Contents), err)
	}
}

func status(t *testing.T, s *stack.Stack, id string) exam.Status {
	t.Helper()
	e, err := s.Store.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return e.Status
}

// told counts the outbox's messages about exam id.
func told(t *testing.T, outbox, id string) int {
	t.Helper()
	f, err := os.Open(outbox)
	if os.IsNotExist(err) {
		return 0
	} else if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var line struct {
			ExamID string `json:"exam_id"`
		}
		if json.Unmarshal(sc.Bytes(), &line) == nil && line.ExamID == id {
			n++
		}
	}
	return n
}

// TestReplayProcessesWhatIsStillWaiting: events in the on-failure queue whose
// objects still wait in completed/ are processed again by the replay (no
// reconciler run here); while the dependency is still down they fail again,
// stay in the queue, and the command exits 1.
func TestReplayProcessesWhatIsStillWaiting(t *testing.T) {
	s, b := startLocalStack(t)
	month := time.Now().UTC().Format("2006_01")
	id := startedExam(t, s)
	s.SetPatientManagerDown(true)
	uploadResult(t, s, b, month, id)
	eventually(t, "the event in the on-failure queue", func() bool { return s.FailedEvents() == 1 })

	code, out, _ := b.zmedctl(t, "replay")
	if code != 1 || !strings.Contains(out, "1 events: 0 processed again, 0 with nothing left to do, 1 failed again") || s.FailedEvents() != 1 {
		t.Fatalf("replay during the outage: exit %d, %q, %d in the queue; want exit 1 and the event kept", code, out, s.FailedEvents())
	}

	s.SetPatientManagerDown(false)
	code, out, errOut := b.zmedctl(t, "replay")
	if code != 0 || !strings.Contains(out, "1 events: 1 processed again, 0 with nothing left to do, 0 failed again") {
		t.Fatalf("replay after the outage: exit %d: %s %s", code, out, errOut)
	}
	if status(t, s, id) != exam.StatusFinished || told(t, s.Config.OutboxFile, id) != 1 || !b.exists(t, "processed/"+month+"/"+id+".pdf") {
		t.Errorf("after the replay: exam %s, told %d times", status(t, s, id), told(t, s.Config.OutboxFile, id))
	}
	if s.FailedEvents() != 0 {
		t.Errorf("%d events left in the queue", s.FailedEvents())
	}
}

// startedExam stores a Started exam of the fixture patient and returns its id.
func startedExam(t *testing.T, s *stack.Stack) string {
	t.Helper()
	var patientID string
	for _, p := range s.Patients {
		if p.Document == document {
			patientID = p.ID
		}
	}
	id, now := uuid.NewString(), time.Now().UTC()
	if err := s.Store.Create(context.Background(), exam.Exam{ID: id, PatientID: patientID, PatientDocument: document, Type: 1,
		Status: exam.StatusStarted, CreatedAt: now, UpdatedAt: now, StartedAt: now}); err != nil {
		t.Fatal(err)
	}
	return id
}

// uploadResult uploads the exam's result under completed/<month>/ with both tokens as metadata.
func uploadResult(t *testing.T, s *stack.Stack, b backend, month, id string) {
	t.Helper()
	e, err := s.Store.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	issuer, err := token.NewIssuer([]byte(stack.LocalExamKey), time.Hour, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	examTok, err := issuer.IssueExamToken(exam.ExamClaims{ExamID: id, PatientID: e.PatientID, ExamType: e.Type})
	if err != nil {
		t.Fatal(err)
	}
	resultTok, err := token.MintResultToken([]byte(stack.LocalResultKey), id, time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	b.put(t, "completed/"+month+"/"+id+".pdf", map[string]string{"exam-token": examTok, "result-token": resultTok})
}
