package main

import (
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/zmed/exam-manager/local/stack"
	"github.com/zmed/exam-manager/shared/config"
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
	cfg, err := stack.ReadConfig(config.FromMap(map[string]string{
		stack.APIAddrVar: "127.0.0.1:0", stack.S3AddrVar: "127.0.0.1:0", stack.DynamoDBAddrVar: "127.0.0.1:0",
		stack.PatientsAddrVar: "127.0.0.1:0", stack.OpsAddrVar: "127.0.0.1:0",
		"ZMED_LOCAL_PATIENTS": "../../local/patients.json", "ZMED_LOCAL_OUTBOX": filepath.Join(t.TempDir(), "outbox.jsonl"),
		"ZMED_LOCAL_RETRY_BACKOFF": "20ms", "ZMED_LOCAL_RECONCILE_EVERY": "24h", "ZMED_LOCAL_RECONCILE_MIN_AGE": "1ns",
	}))
	if err != nil {
		t.Fatal(err)
	}
	s, err := stack.Start(context.Background(), cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	env := credentialsEnv()
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL_S3": s.S3URL, "AWS_ENDPOINT_URL_DYNAMODB": s.DynamoDBURL,
		"AWS_ENDPOINT_URL_SQS": s.OpsURL, "AWS_ENDPOINT_URL_LAMBDA": s.OpsURL,
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
	return s, backend{env: env, s3: s.S3Client(), store: s.Store, sqs: queues, queueURL: aws.ToString(url.QueueUrl), processes: true}
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
		"AWS_ENDPOINT_URL_LAMBDA": moto.URL, "ZMED_S3_BUCKET": bucket, "ZMED_DYNAMO_EXAM_MANAGER_TABLE_NAME": table,
		"ZMED_FAILURE_QUEUE": queue,
	} {
		env[k] = v
	}
	if !strings.Contains(aws.ToString(created.QueueUrl), queue) {
		t.Fatalf("queue url %s", aws.ToString(created.QueueUrl))
	}
	operatorSuite(t, backend{env: env, s3: s3c, store: dynamostore.New(db, table), sqs: queues, queueURL: aws.ToString(created.QueueUrl)})
}
