// Package sms sends notifications as transactional SMS through SNS Publish.
package sms

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/zmed/exam-manager/shared/awsenv"
	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/notify"
)

// Publisher is the part of the SNS client the sender uses.
type Publisher interface {
	Publish(ctx context.Context, in *sns.PublishInput, opts ...func(*sns.Options)) (*sns.PublishOutput, error)
}

// Sender publishes SMS to phone numbers.
type Sender struct{ sns Publisher }

// FromConfig returns a Sender with an SNS client of cfg that sends each
// request once: a Publish retried after a lost answer may deliver twice.
func FromConfig(cfg aws.Config) *Sender {
	return New(sns.NewFromConfig(awsenv.ForService(cfg, "SNS"), func(o *sns.Options) {
		o.Retryer, o.RetryMaxAttempts = aws.NopRetryer{}, 1
	}))
}

// New returns a Sender on client.
func New(client Publisher) *Sender { return &Sender{sns: client} }

// Notify publishes m.Text to the phone number m.To. Transactional SMS are
// delivered with priority, and sent even to numbers opted out of promotions.
func (s *Sender) Notify(ctx context.Context, m exam.Message) error {
	_, err := s.sns.Publish(ctx, &sns.PublishInput{
		PhoneNumber: aws.String(m.To),
		Message:     aws.String(m.Text),
		MessageAttributes: map[string]types.MessageAttributeValue{
			"AWS.SNS.SMS.SMSType": {DataType: aws.String("String"), StringValue: aws.String("Transactional")},
		},
	})
	if err != nil {
		return notify.SafeError("sns", err)
	}
	return nil
}
