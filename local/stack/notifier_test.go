package stack

import (
	"context"
	"io"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/zmed/exam-manager/shared/config"
	"github.com/zmed/exam-manager/shared/testsupport/emulators"
	"github.com/zmed/exam-manager/shared/testsupport/emulators/mototest"
)

// TestAWSNotifierOnMoto runs the local stack with the production SNS and SES
// adapters instead of the outbox, pointed at moto by the SDK's own settings.
func TestAWSNotifierOnMoto(t *testing.T) {
	moto := mototest.Start(t)
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL_SNS": moto.URL, "AWS_ENDPOINT_URL_SESV2": moto.URL, "AWS_REGION": emulators.Region,
		"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local",
	} {
		t.Setenv(k, v)
	}
	if _, err := sesv2.NewFromConfig(emulators.Config(moto.URL)).CreateEmailIdentity(context.Background(),
		&sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("resultados@zmed.example")}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cfg, err := ReadConfig(config.FromMap(map[string]string{
		"ZMED_LOCAL_API_ADDR": "127.0.0.1:0", "ZMED_LOCAL_S3_ADDR": "127.0.0.1:0",
		"ZMED_LOCAL_DYNAMODB_ADDR": "127.0.0.1:0", "ZMED_LOCAL_PATIENT_MANAGER_ADDR": "127.0.0.1:0", "ZMED_LOCAL_OPS_ADDR": "127.0.0.1:0",
		"ZMED_LOCAL_PATIENTS": "../patients.json", "ZMED_LOCAL_OUTBOX": filepath.Join(dir, "outbox.jsonl"),
		"ZMED_LOCAL_NOTIFIER": "aws",
	}))
	if err != nil {
		t.Fatal(err)
	}
	s, err := Start(context.Background(), cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	e := &e2e{t: t, s: s, s3: s.S3Client(), outbox: cfg.OutboxFile}

	smsExam, smsTok := e.startedExam(activeSMS)
	e.api("POST", "/exams/communicate", map[string]string{"exam_token": smsTok, "result_token": e.resultToken(smsExam)})
	mailExam, mailTok := e.startedExam("248.438.034-80") // verified e-mail only
	e.api("POST", "/exams/communicate", map[string]string{"exam_token": mailTok, "result_token": e.resultToken(mailExam)})

	if got := moto.Models(t, "sns", "SMS"); len(got) != 1 || got[0]["phone_number"] != "+5511987654321" {
		t.Fatalf("moto's SNS recorded %v", got)
	}
	mails := moto.Models(t, "ses", "Message")
	if len(mails) != 1 || mails[0]["source"] != "resultados@zmed.example" {
		t.Fatalf("moto's SES recorded %v", mails)
	}
	if e.outboxLines(smsExam)+e.outboxLines(mailExam) != 0 {
		t.Fatal("the outbox was used although the AWS notifier was configured")
	}
}
