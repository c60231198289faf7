// Package wiring holds the functions' composition roots (the finish's here,
// process-result's and reconcile-results' in the packages below): each use
// case is assembled once, with the clock, the ids and the observer it runs
// with, and the Lambda mains, the local stack and the bench all take it from
// there, so that the bench measures what ships. A host that is not on AWS
// passes its own adapters as the ports; it never assembles the use case itself.
package wiring

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

// Settings is what the finish-and-notify use case needs.
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

// FinishPorts are the adapters the finish-and-notify use case runs on.
type FinishPorts struct {
	Tokens   exam.TokenVerifier
	Exams    exam.FinishStore
	Patients exam.PatientFinder
	Notifier exam.Notifier
}

// Finish is the finish-and-notify use case on p, for communicate-result and
// process-result alike: the one place it is assembled.
func Finish(p FinishPorts) exam.Finish {
	return exam.Finish{
		Tokens:   p.Tokens,
		Exams:    p.Exams,
		Patients: p.Patients,
		Notifier: p.Notifier,
		Now:      time.Now,
		NewID:    uuid.NewString,
		Observer: telemetry.Observer{},
	}
}

// ResendPorts are the adapters sending a failed notification again runs on.
type ResendPorts struct {
	Exams    exam.ResendStore
	Patients exam.PatientFinder
	Notifier exam.Notifier
}

// Resend is the use case that sends a failed notification again (the
// operator command's), on p: the one place it is assembled.
func Resend(p ResendPorts) exam.Resend {
	return exam.Resend{
		Exams:    p.Exams,
		Patients: p.Patients,
		Notifier: p.Notifier,
		Now:      time.Now,
		NewID:    uuid.NewString,
		Observer: telemetry.Observer{},
	}
}

// FinishFromConfig resolves the keys and returns the use case on DynamoDB,
// the patient manager, SNS and SES. It stops the function on a configuration
// error.
func FinishFromConfig(ctx context.Context, cfg aws.Config, s Settings) exam.Finish {
	// Both stages of each key: tokens signed before the last rotation still
	// verify, and a token of a key rotated in since this start reads them again.
	client := secrets.FromConfig(cfg)
	tokens := boot.Must(token.NewReloadingVerifier(ctx, secrets.Source(client, s.ExamKey), secrets.Source(client, s.ResultKey), time.Now))
	return Finish(FinishPorts{
		Tokens:   tokens,
		Exams:    dynamostore.FromConfig(cfg, s.Table),
		Patients: boot.Patients(s.Common),
		Notifier: Notifier(cfg, s.EmailSender),
	})
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
