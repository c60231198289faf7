package lambdarun

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/uuid"

	"github.com/zmed/exam-manager/local/stack"
	"github.com/zmed/exam-manager/shared/dynamostore"
	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/patient"
	"github.com/zmed/exam-manager/shared/s3event"
	"github.com/zmed/exam-manager/shared/testsupport/emulators"
	"github.com/zmed/exam-manager/shared/testsupport/emulators/mototest"
	"github.com/zmed/exam-manager/shared/testsupport/fakes"
	"github.com/zmed/exam-manager/shared/token"
)

// TestAutomaticPathOnMoto runs the automatic path with every production adapter
// against moto: an exam registered and started in moto's DynamoDB, a result
// uploaded to moto's S3, then the real process-result binary, under the
// runtime interface emulator, given the event S3 would send. moto then holds
// the exam Finished, the SMS, and the object under processed/.
func TestAutomaticPathOnMoto(t *testing.T) {
	rie := rieBinary(t)
	moto := mototest.Start(t)
	root := filepath.Join("..", "..")
	ctx := context.Background()

	// The patient manager, from the fixture file.
	records, err := stack.LoadPatients(filepath.Join(root, "local", "patients.json"))
	if err != nil {
		t.Fatal(err)
	}
	pm := httptest.NewServer(stack.PatientManager(records))
	defer pm.Close()
	patients := patient.New(pm.URL, pm.Client(), time.Second)

	// The exam table and the bucket, in moto, named as events/env.json names them.
	db := dynamodb.NewFromConfig(emulators.Config(moto.URL))
	if err := dynamostore.CreateTable(ctx, db, "zmed_exam_table"); err != nil {
		t.Fatal(err)
	}
	s3URL := moto.S3URL(t)
	s3c := s3.NewFromConfig(emulators.Config(s3URL), func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("zmed-exams-result")}); err != nil {
		t.Fatal(err)
	}

	// An exam registered and started by the use cases on the DynamoDB adapter.
	store := dynamostore.New(db, "zmed_exam_table")
	r, err := exam.Register{Patients: patients, Exams: store, Now: time.Now, NewID: uuid.NewString}.Run(ctx, fakes.Attendant, exam.RegisterRequest{Document: "529.982.247-25", Type: 3})
	e := r.Exam
	if err != nil {
		t.Fatal(err)
	}
	issuer, _ := token.NewIssuer([]byte(stack.LocalExamKey), time.Hour, time.Now)
	_, issued, err := exam.Start{Patients: patients, Exams: store, Tokens: issuer, Now: time.Now}.Run(ctx, fakes.Attendant, "529.982.247-25", e.ID, 3)
	if err != nil {
		t.Fatal(err)
	}
	resultToken, _ := token.MintResultToken([]byte(stack.LocalResultKey), e.ID, time.Now(), time.Hour)

	// The execution team's upload.
	key := stack.ResultKey("completed", e.ID, ".pdf", time.Now())
	if err := stack.Upload(ctx, s3c, "zmed-exams-result", key, "application/pdf", []byte("%PDF-1.4 result"), issued.ExamToken, resultToken); err != nil {
		t.Fatal(err)
	}
	head, err := s3c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("zmed-exams-result"), Key: &key})
	if err != nil {
		t.Fatal(err)
	}
	event, _ := json.Marshal(s3event.ObjectCreated(emulators.Region, "zmed-exams-result", key, aws.ToString(head.VersionId), aws.ToInt64(head.ContentLength),
		aws.ToString(head.ETag), "0055AED6DCD90281E5", time.Now()))

	// process-result, as S3 would invoke it.
	bin, err := Build(ctx, root, "process-result", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	env, err := Environment(root, "process-result", Endpoints{DynamoDB: moto.URL, S3: s3URL, SNS: moto.URL, SES: moto.URL, PatientManager: pm.URL})
	if err != nil {
		t.Fatal(err)
	}
	logs := &lockedBuffer{}
	response, err := Run(ctx, rie, bin, env, event, logs)
	if err != nil || string(bytes.TrimSpace(response)) != "null" {
		t.Fatalf("process-result: %s, %v\n%s", response, err, logs.String())
	}

	got, err := store.Get(ctx, e.ID)
	if err != nil || got.Status != exam.StatusFinished || got.Notification.Status != exam.NotificationSent || got.Notification.Channel != exam.ChannelSMS {
		t.Fatalf("exam in moto: %+v, %v", got, err)
	}
	sms := moto.Models(t, "sns", "SMS")
	if len(sms) != 1 || sms[0]["phone_number"] != "+5511987654321" {
		t.Fatalf("moto's SNS recorded %v, want one SMS to the patient's verified cellphone", sms)
	}
	list, err := s3c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("zmed-exams-result")})
	if err != nil {
		t.Fatal(err)
	}
	want := "processed/" + time.Now().UTC().Format("2006_01") + "/" + e.ID + ".pdf"
	if len(list.Contents) != 1 || aws.ToString(list.Contents[0].Key) != want {
		t.Fatalf("moto's bucket holds %v, want only %s", list.Contents, want)
	}
}
