// Command communicate-result is the Lambda behind POST /exams/communicate.
package main

import (
	"context"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/google/uuid"

	"github.com/zmed/exam-manager/shared/boot"
	"github.com/zmed/exam-manager/shared/config"
	"github.com/zmed/exam-manager/shared/cursor"
	"github.com/zmed/exam-manager/shared/dynamostore"
	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/httpapi"
	"github.com/zmed/exam-manager/shared/notify"
	"github.com/zmed/exam-manager/shared/notify/email"
	"github.com/zmed/exam-manager/shared/notify/sms"
	"github.com/zmed/exam-manager/shared/secrets"
	"github.com/zmed/exam-manager/shared/token"
)

// settings is this function's configuration, read once per cold start.
type settings struct {
	config.Common
	ExamKey, ResultKey config.Key
	EmailSender        string
}

func readSettings(r *config.Reader) settings {
	return settings{
		Common:      config.ReadCommon(r),
		ExamKey:     r.Key(config.ExamKeyVar),
		ResultKey:   r.Key(config.ResultKeyVar),
		EmailSender: r.Required(config.EmailSenderVar),
	}
}

func main() {
	r := config.FromEnv()
	boot.Logger(r)
	s := readSettings(r)
	boot.Check(r)
	ctx := context.Background()
	aws := boot.AWS(ctx)
	keys, err := secrets.Keys(ctx, secretsmanager.NewFromConfig(aws), s.ExamKey, s.ResultKey)
	if err != nil {
		boot.Exit("invalid configuration", err)
	}
	verifier, err := token.NewVerifier(keys[0], keys[1], time.Now)
	if err != nil {
		boot.Exit("invalid configuration", err)
	}
	lambda.Start(httpapi.Communicate(exam.Finish{
		Tokens:   verifier,
		Exams:    dynamostore.New(dynamodb.NewFromConfig(aws), s.Table, cursor.Codec{}),
		Patients: boot.Patients(s.Common),
		Notifier: notify.ByChannel{
			exam.ChannelSMS:   sms.New(sns.NewFromConfig(aws)),
			exam.ChannelEmail: email.New(sesv2.NewFromConfig(aws), s.EmailSender),
		},
		Now:   time.Now,
		NewID: uuid.NewString,
	}))
}
