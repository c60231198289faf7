package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/zmed/exam-manager/local/stack"
	"github.com/zmed/exam-manager/local/stack/stacktest"
	"github.com/zmed/exam-manager/shared/dynamostore"
	"github.com/zmed/exam-manager/shared/testsupport/emulators"
	"github.com/zmed/exam-manager/shared/testsupport/emulators/mototest"
)

func credentialsEnv() map[string]string {
	return map[string]string{"AWS_REGION": emulators.Region, "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local",
		"AWS_REQUEST_CHECKSUM_CALCULATION": "when_required", "AWS_RESPONSE_CHECKSUM_VALIDATION": "when_required"}
}

// startLocalStack starts the local stack on free loopback ports, its
// reconciler run by the test alone (Stack.Reconcile) on anything in completed/.
func startLocalStack(t *testing.T) (*stack.Stack, backend) {
	t.Helper()
	outbox := filepath.Join(t.TempDir(), "outbox.jsonl")
	s, cfg := stacktest.Start(t, "../../local/patients.json", map[string]string{
		"ZMED_LOCAL_OUTBOX": outbox, "ZMED_LOCAL_RETRY_BACKOFF": "1s", "ZMED_LOCAL_RECONCILE_EVERY": "24h", "ZMED_LOCAL_RECONCILE_MIN_AGE": "1ns",
	})
	env := credentialsEnv()
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL_S3": s.S3URL, "AWS_ENDPOINT_URL_DYNAMODB": s.DynamoDBURL,
		"AWS_ENDPOINT_URL_SQS": s.OpsURL, "AWS_ENDPOINT_URL_LAMBDA": s.OpsURL,
		"AWS_ENDPOINT_URL_SNS": s.OpsURL, "AWS_ENDPOINT_URL_SESV2": s.OpsURL,
		"ZMED_S3_BUCKET": cfg.Bucket, "ZMED_DYNAMO_EXAM_MANAGER_TABLE_NAME": cfg.Table,
		"ZMED_FAILURE_QUEUE": stack.FailureQueueName, "ZMED_PROCESS_RESULT_FUNCTION": "process-result",
	} {
		env[k] = v
	}
	queues := sqs.NewFromConfig(emulators.Config(s.OpsURL))
	url, err := queues.GetQueueUrl(context.Background(), &sqs.GetQueueUrlInput{QueueName: aws.String(stack.FailureQueueName)})
	if err != nil {
		t.Fatal(err)
	}
	return s, backend{env: env, s3: s.S3Client(), store: s.Store, sqs: queues, queueURL: aws.ToString(url.QueueUrl), processes: true,
		smsTo: func(t *testing.T) []string { return outboxSMS(t, outbox) }}
}

func TestOperatorCommandOnTheLocalStack(t *testing.T) {
	_, b := startLocalStack(t)
	operatorSuite(t, b)
}

func TestOperatorCommandOnMoto(t *testing.T) {
	moto := mototest.Start(t)
	moto.Reset(t)
	ctx := context.Background()
	cfg := emulators.Config(moto.URL)
	bucket, table, queue := "zmed-exams-result-moto", "zmed_exam_table_moto", "zmed-process-result-failures-moto"
	s3c := s3.NewFromConfig(emulators.Config(moto.S3URL(t)), func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &bucket}); err != nil {
		t.Fatal(err)
	}
	if _, err := s3c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: &bucket,
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	db := dynamodb.NewFromConfig(cfg)
	if err := dynamostore.CreateTable(ctx, db, table); err != nil {
		t.Fatal(err)
	}
	queues := sqs.NewFromConfig(cfg)
	created, err := queues.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: &queue})
	if err != nil {
		t.Fatal(err)
	}
	env := credentialsEnv()
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL_S3": moto.S3URL(t), "AWS_ENDPOINT_URL_DYNAMODB": moto.URL, "AWS_ENDPOINT_URL_SQS": moto.URL,
		"AWS_ENDPOINT_URL_LAMBDA": moto.URL, "AWS_ENDPOINT_URL_SNS": moto.URL, "AWS_ENDPOINT_URL_SESV2": moto.URL, "ZMED_S3_BUCKET": bucket, "ZMED_DYNAMO_EXAM_MANAGER_TABLE_NAME": table,
		"ZMED_FAILURE_QUEUE": queue,
	} {
		env[k] = v
	}
	if !strings.Contains(aws.ToString(created.QueueUrl), queue) {
		t.Fatalf("queue url %s", aws.ToString(created.QueueUrl))
	}
	operatorSuite(t, backend{env: env, s3: s3c, store: dynamostore.New(db, table), sqs: queues, queueURL: aws.ToString(created.QueueUrl),
		smsTo: func(t *testing.T) []string {
			var to []string
			for _, m := range moto.Models(t, "sns", "SMS") {
				to = append(to, fmt.Sprint(m["phone_number"]))
			}
			return to
		}})
}

// outboxSMS lists the numbers of the outbox's SMS lines.
func outboxSMS(t *testing.T, path string) []string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		t.Fatal(err)
	}
	var to []string
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		var m struct{ Channel, To string }
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("outbox line %q: %v", line, err)
		}
		if m.Channel == "sms" {
			to = append(to, m.To)
		}
	}
	return to
}
