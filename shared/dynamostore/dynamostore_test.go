package dynamostore

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/google/uuid"

	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/testsupport/emulators"
	"github.com/zmed/exam-manager/shared/testsupport/emulators/mototest"
	"github.com/zmed/exam-manager/shared/testsupport/storetest"
)

// TestContract runs the store contract, through the real SDK client over
// HTTP, against two independent DynamoDB implementations.
func TestContract(t *testing.T) {
	t.Run("backend=minidyn", func(t *testing.T) {
		srv, err := emulators.Serve("127.0.0.1:0", emulators.DynamoDB())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = srv.Close() })
		t.Logf("backend: minidyn (in process) at %s", srv.URL)
		runContract(t, dynamodb.NewFromConfig(emulators.Config(srv.URL)))
	})
	t.Run("backend=moto", func(t *testing.T) {
		moto := mototest.Start(t)
		runContract(t, dynamodb.NewFromConfig(emulators.Config(moto.URL)))
	})
}

func runContract(t *testing.T, db *dynamodb.Client) {
	storetest.Run(t, func(t *testing.T) exam.Store {
		table := "exams-" + uuid.NewString()[:8]
		if err := CreateTable(context.Background(), db, table); err != nil {
			t.Fatal(err)
		}
		return New(db, table)
	})
}
