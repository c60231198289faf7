package stack

import (
	"bytes"
	"context"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zmed/exam-manager/shared/config"
	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/testsupport/emftest"
	"github.com/zmed/exam-manager/shared/testsupport/emulators"
	"github.com/zmed/exam-manager/shared/testsupport/logtest"
)

// refusingProvider answers SNS Publish and SES v2 SendEmail as those services
// refuse a message for good (SNS's InvalidParameter for a number it cannot
// send to, SES's MessageRejected), quoting the contact as they do; it counts
// the requests.
func refusingProvider(t *testing.T, requests *atomic.Int32) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		if strings.HasPrefix(r.URL.Path, "/v2/email/") {
			w.Header().Set("X-Amzn-Errortype", "MessageRejected")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"message":"Email address is not verified. The following identities failed the check in region US-EAST-1: joao.pereira@example.com"}`))
			return
		}
		_ = r.ParseForm()
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>InvalidParameter</Code>` +
			`<Message>Invalid parameter: PhoneNumber Reason: ` + r.PostForm.Get("PhoneNumber") + ` is not valid to publish to</Message></Error>` +
			`<RequestId>8f0c2a4e-1b7d-4e55-9a61-3c2b1d0e9f77</RequestId></ErrorResponse>`))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestAPermanentRefusalIsFiledOnce runs the local stack with the production
// SNS and SES adapters against a provider that refuses every message for
// good: the result is filed to processed/ once, its exam Finished with the
// notification failed and the provider's code; nothing is retried (no failed
// invocation, nothing for the reconciler), and the alarm's metric is counted.
func TestAPermanentRefusalIsFiledOnce(t *testing.T) {
	var requests atomic.Int32
	provider := refusingProvider(t, &requests)
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL_SNS": provider, "AWS_ENDPOINT_URL_SESV2": provider, "AWS_REGION": emulators.Region,
		"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local",
	} {
		t.Setenv(k, v)
	}
	cfg, err := ReadConfig(config.FromMap(map[string]string{
		APIAddrVar: "127.0.0.1:0", S3AddrVar: "127.0.0.1:0", DynamoDBAddrVar: "127.0.0.1:0",
		PatientsAddrVar: "127.0.0.1:0", OpsAddrVar: "127.0.0.1:0",
		"ZMED_LOCAL_PATIENTS": "../patients.json", "ZMED_LOCAL_OUTBOX": filepath.Join(t.TempDir(), "outbox.jsonl"),
		"ZMED_LOCAL_NOTIFIER": "aws", "ZMED_LOCAL_RETRY_BACKOFF": "20ms",
		"ZMED_LOCAL_RECONCILE_EVERY": "24h", "ZMED_LOCAL_RECONCILE_MIN_AGE": "1ns",
	}))
	if err != nil {
		t.Fatal(err)
	}
	logs := logtest.CaptureConcurrent(t)
	s, err := Start(context.Background(), cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	e := &e2e{t: t, s: s, s3: s.S3Client(), outbox: cfg.OutboxFile}
	ctx := context.Background()

	// The automatic path, by SMS.
	auto, autoTok := e.startedExam(activeSMS)
	if err := Upload(ctx, e.s3, cfg.Bucket, ResultKey("completed", auto, ".pdf", time.Now()), "application/pdf", []byte("%PDF-1.4 result"), autoTok, e.resultToken(auto)); err != nil {
		t.Fatal(err)
	}
	e.eventually("the result filed to processed/", e.filedAs("processed", auto+".pdf"))
	e.eventually("its filing logged", func() bool { return strings.Contains(logs.String(), `"msg":"result filed"`) })
	stored, err := s.Store.Get(ctx, auto)
	if err != nil {
		t.Fatal(err)
	}
	if n := stored.Notification; stored.Status != exam.StatusFinished || n.Status != exam.NotificationFailed ||
		n.Code != "InvalidParameter" || n.Channel != exam.ChannelSMS {
		t.Fatalf("exam %s, notification %+v; want Finished, failed by sms with InvalidParameter", stored.Status, n)
	}
	if rep, err := s.Reconcile(ctx); err != nil || rep.Processed+rep.Failed != 0 {
		t.Fatalf("the reconciler found %+v, %v; want nothing to do", rep, err)
	}
	if n := s.FailedEvents(); n != 0 {
		t.Fatalf("%d events in the on-failure queue", n)
	}

	// The manual path, by e-mail: the API shows the failure.
	manual, manualTok := e.startedExam(activeEmail)
	body := e.api("POST", "/exams/communicate", map[string]string{"exam_token": manualTok, "result_token": e.resultToken(manual)})
	n, _ := body["exam"].(map[string]any)["notification"].(map[string]any)
	if n["status"] != "failed" || n["code"] != "MessageRejected" || n["channel"] != "email" {
		t.Fatalf("notification %v, want failed by email with MessageRejected", n)
	}
	if got := requests.Load(); got != 2 {
		t.Fatalf("the provider received %d requests, want one per exam", got)
	}

	points, err := emftest.Read([]byte(logs.String()))
	if err != nil {
		t.Fatal(err)
	}
	got := emftest.Sums(points)
	for _, name := range []string{"PatientManagerLatency{}", "OldestCompletedAge{}", "ExamsRegistered{}", "ExamsStarted{}"} {
		delete(got, name)
	}
	want := map[string]float64{
		"ExamsFinished{Path=automatic}": 1, "ExamsFinished{Path=manual}": 1,
		"NotificationsFailed{Channel=sms}": 1, "NotificationsFailed{Channel=email}": 1,
		"ResultsFiled{Outcome=processed}": 1,
	}
	if !maps.Equal(got, want) {
		t.Errorf("metrics\n got %v\nwant %v", got, want)
	}
	var forbidden []string
	for _, p := range s.Patients {
		forbidden = append(forbidden, p.Document, p.Name, p.Cellphone, strings.TrimPrefix(p.Cellphone, "+55"), p.Email)
	}
	logtest.CheckLines(t, bytes.NewBufferString(logs.String()), append(forbidden, autoTok, manualTok))
}
