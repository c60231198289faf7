// Package notify routes a notification to the adapter of its channel.
// The channel is chosen by the domain (shared/exam); the adapters live in
// sms (SNS) and email (SES v2), and the local stack adds an outbox.
package notify

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/smithy-go"

	"github.com/zmed/exam-manager/shared/exam"
)

// ByChannel is an exam.Notifier that hands each message to the notifier of its channel.
type ByChannel map[exam.Channel]exam.Notifier

// Notify sends m through the notifier of m.Channel.
func (b ByChannel) Notify(ctx context.Context, m exam.Message) error {
	n, ok := b[m.Channel]
	if !ok {
		return fmt.Errorf("no notifier for channel %q", m.Channel)
	}
	return n.Notify(ctx, m)
}

// SafeError describes a failed send by the service's error code only: the
// services' messages can quote the phone number or address, which logs must
// never carry.
func SafeError(service string, err error) error {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return fmt.Errorf("%s refused the message: %s", service, apiErr.ErrorCode())
	}
	var opErr *smithy.OperationError
	if errors.As(err, &opErr) {
		return fmt.Errorf("%s %s failed: %T", service, opErr.Operation(), opErr.Unwrap())
	}
	return fmt.Errorf("%s send failed: %T", service, err)
}
