// Package finishing builds the finish-and-notify use case with its production
// adapters, for the two functions that finish exams (communicate-result and
// process-result), so that both run the same wiring of the same use case.
package finishing

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/google/uuid"

	"github.com/zmed/exam-manager/shared/boot"
	"github.com/zmed/exam-manager/shared/config"
	"github.com/zmed/exam-manager/shared/dynamostore"
	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/notify"
	"github.com/zmed/exam-manager/shared/notify/email"
	"github.com/zmed/exam-manager/shared/notify/sms"
	"github.com/zmed/exam-manager/shared/secrets"
	"github.com/zmed/exam-manager/shared/telemetry"
	"github.com/zmed/exam-manager/shared/token"
)

// Settings is what finishing needs.
type Settings struct {
	config.Common
	ExamKey, ResultKey config.Key
	EmailSender        string
}

// ReadSettings reads Settings.
func ReadSettings(r *config.Reader) Settings {
	return Settings{
		Common:      config.ReadCommon(r),
		ExamKey:     r.Key(config.ExamKeyVar),
		ResultKey:   r.Key(config.ResultKeyVar),
		EmailSender: r.Required(config.EmailSenderVar),
	}
}

// New resolves the keys and returns the use case on DynamoDB, the patient
// manager, SNS and SES. It stops the function on a configuration error.
func New(ctx context.Context, cfg aws.Config, s Settings) exam.Finish {
	// Both stages of each key: tokens signed before the last rotation still verify.
	client := secrets.FromConfig(cfg)
	examKeys := boot.Must(secrets.Ring(ctx, client, s.ExamKey))
	resultKeys := boot.Must(secrets.Ring(ctx, client, s.ResultKey))
	return exam.Finish{
		Tokens:   boot.Must(token.NewRotatingVerifier(examKeys, resultKeys, time.Now)),
		Exams:    dynamostore.FromConfig(cfg, s.Table),
		Patients: boot.Patients(s.Common),
		Notifier: Notifier(cfg, s.EmailSender),
		Now:      time.Now,
		NewID:    uuid.NewString,
		Observer: telemetry.Observer{},
	}
}

// Notifier is the production notifier: SMS through SNS and e-mail through SES
// from emailSender, both clients of cfg. The Lambdas, the local stack (with
// ZMED_LOCAL_NOTIFIER=aws) and the bench all build it here.
func Notifier(cfg aws.Config, emailSender string) notify.ByChannel {
	return notify.ByChannel{
		exam.ChannelSMS:   sms.FromConfig(cfg),
		exam.ChannelEmail: email.FromConfig(cfg, emailSender),
	}
}
