// Command start-exam is the Lambda behind POST /exam/start.
package main

import (
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/zmed/exam-manager/shared/boot"
	"github.com/zmed/exam-manager/shared/config"
	"github.com/zmed/exam-manager/shared/dynamostore"
	"github.com/zmed/exam-manager/shared/httpapi"
	"github.com/zmed/exam-manager/shared/secrets"
	"github.com/zmed/exam-manager/shared/token"
)

// settings is this function's configuration, read once per cold start.
type settings struct {
	config.API
	ExamKey  config.Key
	TokenTTL time.Duration
}

func readSettings(r *config.Reader) settings {
	return settings{
		API:      config.ReadAPI(r),
		ExamKey:  r.Key(config.ExamKeyVar),
		TokenTTL: r.Duration(config.ExamTokenTTLVar, token.DefaultExamTokenTTL),
	}
}

func main() {
	ctx, s, cfg := boot.Init(readSettings)
	key := boot.Must(secrets.SigningKey(ctx, secrets.FromConfig(cfg), s.ExamKey))
	issuer := boot.Must(token.NewKeyIssuer(key, s.TokenTTL, time.Now))
	store := dynamostore.FromConfig(cfg, s.Table)
	lambda.Start(httpapi.StartExam.Handler(httpapi.Ports{Patients: boot.Patients(s.Common), Exams: store, Tokens: issuer, Now: time.Now,
		Audit: boot.AuditWriter(ctx, cfg, s.ActorKey)}))
}
