// Package email sends notifications as e-mail through SES v2 SendEmail.
package email

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"github.com/zmed/exam-manager/shared/awsenv"
	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/notify"
)

// EmailSender is the part of the SES v2 client the sender uses.
type EmailSender interface {
	SendEmail(ctx context.Context, in *sesv2.SendEmailInput, opts ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error)
}

// Sender sends plain-text e-mail from one verified sender address.
type Sender struct {
	ses  EmailSender
	from string
}

// FromConfig returns a Sender from address from with an SES v2 client of cfg
// that sends each request once: a SendEmail retried after a lost answer may
// deliver twice.
func FromConfig(cfg aws.Config, from string) *Sender {
	return New(sesv2.NewFromConfig(awsenv.ForService(cfg, "SESV2"), func(o *sesv2.Options) {
		o.Retryer, o.RetryMaxAttempts = aws.NopRetryer{}, 1
	}), from)
}

// New returns a Sender on client that sends from the address from.
func New(client EmailSender, from string) *Sender { return &Sender{ses: client, from: from} }

// Notify e-mails m to m.To.
func (s *Sender) Notify(ctx context.Context, m exam.Message) error {
	utf8 := aws.String("UTF-8")
	_, err := s.ses.SendEmail(ctx, &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(s.from),
		Destination:      &types.Destination{ToAddresses: []string{m.To}},
		Content: &types.EmailContent{Simple: &types.Message{
			Subject: &types.Content{Data: aws.String(m.Subject), Charset: utf8},
			Body:    &types.Body{Text: &types.Content{Data: aws.String(m.Text), Charset: utf8}},
		}},
	})
	if err != nil {
		return notify.SafeError("ses", err)
	}
	return nil
}
