package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/google/uuid"

	"github.com/zmed/exam-manager/local/stack"
	"github.com/zmed/exam-manager/shared/config"
	"github.com/zmed/exam-manager/shared/dynamostore"
	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/s3event"
	"github.com/zmed/exam-manager/shared/testsupport/emulators"
	"github.com/zmed/exam-manager/shared/token"
)

const document = "52998224725"

// backend is where the suite runs: the local stack or moto, with the
// bucket, table and queue the command names.
type backend struct {
	env      map[string]string // the command's environment: endpoints, names, credentials
	s3       *s3.Client
	store    *dynamostore.Store
	sqs      *sqs.Client
	queueURL string
	// processes says whether an object put under completed/ is processed (the local stack's notification).
	processes bool
	// smsTo lists the numbers the backend's SNS endpoint sent an SMS to.
	smsTo func(t *testing.T) []string
}

// zmedctl runs the command as an operator would, with b's environment.
func (b backend) zmedctl(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	t.Setenv("HOME", t.TempDir())
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	for k, v := range b.env {
		t.Setenv(k, v)
	}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func (b backend) put(t *testing.T, key string, meta map[string]string) {
	t.Helper()
	if _, err := b.s3.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(b.env["ZMED_S3_BUCKET"]), Key: &key,
		Body: strings.NewReader("%PDF-1.4 result"), ContentType: aws.String("application/pdf"), Metadata: meta}); err != nil {
		t.Fatalf("put %s: %v", key, err)
	}
}

func (b backend) exists(t *testing.T, key string) bool {
	t.Helper()
	_, err := b.s3.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(b.env["ZMED_S3_BUCKET"]), Key: &key})
	if err != nil && !isNotFound(err) {
		t.Fatal(err)
	}
	return err == nil
}

// failed puts in the queue what Lambda sends after an event's retries.
func (b backend) failed(t *testing.T, key string) {
	t.Helper()
	ev := s3event.ObjectCreated(emulators.Region, b.env["ZMED_S3_BUCKET"], key, "", 10, "etag", "01", time.Now())
	body, _ := json.Marshal(map[string]any{"version": "1.0", "requestContext": map[string]any{"condition": "RetriesExhausted"},
		"requestPayload": ev, "responseContext": map[string]any{"functionError": "Unhandled"}})
	if _, err := b.sqs.SendMessage(context.Background(), &sqs.SendMessageInput{QueueUrl: &b.queueURL, MessageBody: aws.String(string(body))}); err != nil {
		t.Fatal(err)
	}
}

func (b backend) queued(t *testing.T) int {
	t.Helper()
	out, err := b.sqs.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: &b.queueURL, MaxNumberOfMessages: 10, VisibilityTimeout: 0})
	if err != nil {
		t.Fatal(err)
	}
	return len(out.Messages)
}

// operatorSuite is the operator command's contract, the same on every backend.
func operatorSuite(t *testing.T, b backend) {
	ctx := context.Background()
	id := uuid.NewString()
	now := time.Now().UTC()
	patients, err := stack.LoadPatients("../../local/patients.json")
	if err != nil {
		t.Fatal(err)
	}
	patientID, patientName := "", ""
	for _, p := range patients {
		if p.Document == document {
			patientID, patientName = p.ID, p.Name
		}
	}
	if err := b.store.Create(ctx, exam.Exam{ID: id, PatientID: patientID, PatientDocument: document, PatientName: patientName, Type: 1,
		Status: exam.StatusRegistered, CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	filed := func(outcome, reason string) map[string]string {
		return map[string]string{"zmed-outcome": outcome, "zmed-reason": reason, "zmed-exam-id": id}
	}
	// Stuck because its exam was not started yet: a cause an operator can fix.
	issuer, _ := token.NewIssuer([]byte(stack.LocalExamKey), time.Hour, time.Now)
	examTok, _ := issuer.IssueExamToken(exam.ExamClaims{ExamID: id, PatientID: patientID, ExamType: 1})
	resultTok, _ := token.MintResultToken([]byte(stack.LocalResultKey), id, time.Now(), time.Hour)
	stuck := filed("stuck", "not_started")
	stuck["exam-token"], stuck["result-token"] = examTok, resultTok
	b.put(t, "stuck/2026_11/a b.pdf", stuck)
	b.put(t, "denied/2026_11/b.pdf", filed("denied", "patient_mismatch"))
	b.put(t, "processed/2026_10/c.pdf", filed("processed", "finished"))

	t.Run("list by outcome, month and reason", func(t *testing.T) {
		for _, tt := range []struct {
			args []string
			want []string // keys, in order
		}{
			{[]string{"list"}, []string{"processed/2026_10/c.pdf", "stuck/2026_11/a b.pdf", "denied/2026_11/b.pdf"}},
			{[]string{"list", "-outcome", "stuck"}, []string{"stuck/2026_11/a b.pdf"}},
			{[]string{"list", "-outcome", "stuck,denied", "-month", "2026_11"}, []string{"stuck/2026_11/a b.pdf", "denied/2026_11/b.pdf"}},
			{[]string{"list", "-month", "2026_10"}, []string{"processed/2026_10/c.pdf"}},
			{[]string{"list", "-reason", "patient_mismatch"}, []string{"denied/2026_11/b.pdf"}},
		} {
			code, out, errOut := b.zmedctl(t, tt.args...)
			if code != 0 {
				t.Fatalf("%v: exit %d: %s", tt.args, code, errOut)
			}
			var keys []string
			for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
				f := strings.Split(line, "\t")
				if len(f) != 4 || f[1] != id {
					t.Fatalf("%v: line %q is not key, exam id, reason, time", tt.args, line)
				}
				if _, err := time.Parse(time.RFC3339, f[3]); err != nil {
					t.Errorf("%v: time %q", tt.args, f[3])
				}
				keys = append(keys, f[0])
			}
			if strings.Join(keys, "|") != strings.Join(tt.want, "|") {
				t.Errorf("%v: %q, want %q", tt.args, keys, tt.want)
			}
		}
		if code, _, _ := b.zmedctl(t, "list", "-outcome", "lost"); code != 1 {
			t.Errorf("an unknown outcome: exit %d, want 1", code)
		}
		if code, _, _ := b.zmedctl(t, "list", "-month", "11_2026"); code != 1 {
			t.Errorf("a malformed month: exit %d, want 1", code)
		}
	})

	t.Run("retry moves a stuck result back to completed", func(t *testing.T) {
		if code, _, _ := b.zmedctl(t, "retry", "denied/2026_11/b.pdf"); code != 1 || !b.exists(t, "denied/2026_11/b.pdf") {
			t.Fatalf("a denied result was retried (exit %d)", code)
		}
		// The cause fixed: the exam is started.
		if _, err := b.store.Transition(ctx, exam.Transition{ExamID: id, PatientID: patientID, ExamType: 1,
			From: []exam.Status{exam.StatusRegistered}, To: exam.StatusStarted, At: time.Now().UTC(),
			By: exam.Actor{Kind: exam.ActorAttendant, ID: "local-attendant", Name: "local-attendant"}}); err != nil {
			t.Fatal(err)
		}
		code, out, errOut := b.zmedctl(t, "retry", "stuck/2026_11/a b.pdf")
		if code != 0 || !strings.Contains(out, "-> completed/2026_11/a b.pdf") {
			t.Fatalf("exit %d: %s %s", code, out, errOut)
		}
		if b.exists(t, "stuck/2026_11/a b.pdf") {
			t.Error("the stuck result is still there")
		}
		if !b.processes && !b.exists(t, "completed/2026_11/a b.pdf") {
			t.Error("no copy under completed/")
		}
		if b.processes {
			// Its upload event processes it now: the exam finishes.
			eventually(t, "the retried result finishes its exam", func() bool {
				e, err := b.store.Get(ctx, id)
				return err == nil && e.Status == exam.StatusFinished
			})
		}
		if code, _, _ := b.zmedctl(t, "retry", "stuck/2026_11/a b.pdf"); code != 1 {
			t.Errorf("retrying a result no longer there: exit %d, want 1", code)
		}
	})

	t.Run("replay: an event whose object is filed has nothing left to do", func(t *testing.T) {
		b.failed(t, "completed/2026_11/gone.pdf")
		code, out, errOut := b.zmedctl(t, "replay")
		if code != 0 || !strings.Contains(out, "1 events: 0 processed again, 1 with nothing left to do, 0 failed again") {
			t.Fatalf("exit %d: %s %s", code, out, errOut)
		}
		if n := b.queued(t); n != 0 {
			t.Errorf("%d messages left in the queue", n)
		}
	})

	t.Run("worklist-backfill keys nothing the code stored", func(t *testing.T) {
		// Exams stored before the index are dynamostore's TestBackfillWorklist's.
		for range 2 {
			code, out, errOut := b.zmedctl(t, "worklist-backfill")
			if code != 0 || out != "0 exams keyed for the worklist\n" {
				t.Fatalf("exit %d: %q %s", code, out, errOut)
			}
		}
		if code, _, _ := b.zmedctl(t, "worklist-backfill", "now"); code != 2 {
			t.Errorf("an argument: exit %d, want 2", code)
		}
	})

	t.Run("show an exam without its patient's document and name", func(t *testing.T) {
		code, out, errOut := b.zmedctl(t, "show", id)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		var shown map[string]any
		if err := json.Unmarshal([]byte(out), &shown); err != nil || shown["ID"] != id || shown["Status"] == nil {
			t.Fatalf("%v: %s", err, out)
		}
		if strings.Contains(out, document) || patientName == "" || strings.Contains(out, patientName) {
			t.Errorf("the patient's document or name (%q) is shown: %s", patientName, out)
		}
		if code, _, _ := b.zmedctl(t, "show", uuid.NewString()); code != 1 {
			t.Errorf("an unknown exam: exit %d, want 1", code)
		}
	})

	t.Run("notify sends a failed notification again, to the contact as it now is", func(t *testing.T) {
		// Its SMS was refused for good; the patient manager now has the number fixed.
		failedID := uuid.NewString()
		at := time.Now().UTC()
		if err := b.store.Create(ctx, exam.Exam{ID: failedID, PatientID: patientID, PatientDocument: document, Type: 1,
			Status: exam.StatusStarted, CreatedAt: at, UpdatedAt: at, StartedAt: at}); err != nil {
			t.Fatal(err)
		}
		if _, err := b.store.Transition(ctx, exam.Transition{ExamID: failedID, PatientID: patientID, ExamType: 1,
			From: []exam.Status{exam.StatusStarted}, To: exam.StatusFinished, At: at, By: exam.ProcessResultActor, ResultRef: "r",
			Notification: exam.Notification{Status: exam.NotificationFailed, Channel: exam.ChannelSMS, Code: "InvalidParameter", At: at}}); err != nil {
			t.Fatal(err)
		}
		const fixedNumber = "+5521998765432"
		fixed := slices.Clone(patients)
		for i := range fixed {
			if fixed[i].ID == patientID {
				fixed[i].Cellphone = fixedNumber
			}
		}
		manager := httptest.NewServer(stack.PatientManager(fixed))
		defer manager.Close()
		b.env[config.PatientManagerVar], b.env[config.EmailSenderVar] = manager.URL, "resultados@zmed.example"
		defer delete(b.env, config.PatientManagerVar)

		code, out, errOut := b.zmedctl(t, "notify", failedID)
		if code != 0 || !strings.Contains(out, failedID+": notification sent by sms") {
			t.Fatalf("exit %d: %s %s", code, out, errOut)
		}
		sent := func() int { return strings.Count(strings.Join(b.smsTo(t), " "), fixedNumber) }
		if n := sent(); n != 1 {
			t.Fatalf("%d SMS to the fixed number, want 1 (sent to %v)", n, b.smsTo(t))
		}
		if e, err := b.store.Get(ctx, failedID); err != nil || e.Notification.Status != exam.NotificationSent || e.Notification.Code != "" {
			t.Fatalf("stored %+v, %v; want sent", e.Notification, err)
		}
		// Only a failed notification, once.
		if code, _, errOut := b.zmedctl(t, "notify", failedID); code != 1 || !strings.Contains(errOut, "has not failed") {
			t.Errorf("a sent notification notified again: exit %d, %s", code, errOut)
		}
		if n := sent(); n != 1 {
			t.Errorf("%d SMS to the fixed number after a second notify, want 1", n)
		}
		if code, _, _ := b.zmedctl(t, "notify", uuid.NewString()); code != 1 {
			t.Errorf("an unknown exam: exit %d, want 1", code)
		}
		if code, _, _ := b.zmedctl(t, "notify"); code != 2 {
			t.Errorf("no exam: exit %d, want 2", code)
		}
	})

	if code, _, _ := b.zmedctl(t, "frobnicate"); code != 2 {
		t.Errorf("an unknown command: exit %d, want 2", code)
	}
}

// eventually waits for cond; the bound only stops a hang (elapsed time under
// load is no verdict).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	began := time.Now()
	for !cond() {
		if time.Since(began) > 30*time.Second {
			t.Fatalf("not within 30s: %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
