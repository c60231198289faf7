// Command register-exam is the Lambda behind POST /exam/new.
package main

import (
	"context"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/google/uuid"

	"github.com/zmed/exam-manager/shared/boot"
	"github.com/zmed/exam-manager/shared/config"
	"github.com/zmed/exam-manager/shared/cursor"
	"github.com/zmed/exam-manager/shared/dynamostore"
	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/httpapi"
)

// settings is this function's configuration, read once per cold start.
type settings struct{ config.Common }

func readSettings(r *config.Reader) settings { return settings{config.ReadCommon(r)} }

func main() {
	r := config.FromEnv()
	boot.Logger(r)
	s := readSettings(r)
	boot.Check(r)
	aws := boot.AWS(context.Background())
	store := dynamostore.New(dynamodb.NewFromConfig(aws), s.Table, cursor.Codec{})
	lambda.Start(httpapi.Register(exam.Register{
		Patients: boot.Patients(s.Common), Exams: store, Now: time.Now, NewID: uuid.NewString,
	}))
}
