// Package notify routes a notification to the adapter of its channel.
// The channel is chosen by the domain (shared/exam); the adapters live in
// sms (SNS) and email (SES v2), and the local stack adds an outbox.
package notify

import (
	"context"
	"errors"
	"fmt"
	"net"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

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
// never carry. It wraps exam.ErrDeliveryUnknown when the request may have
// reached the service but its answer was lost, so the caller never sends again.
func SafeError(service string, err error) error {
	safe := describe(service, err)
	if deliveryUnknown(err) {
		return fmt.Errorf("%w: %w", exam.ErrDeliveryUnknown, safe)
	}
	return safe
}

func describe(service string, err error) error {
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

// deliveryUnknown reports whether a failed send may still have been accepted:
// an answer that came with a success status but could not be read, or a
// request that left (the connection was made) and got no answer. An error
// answer, a connection never made, or a failure before sending means the
// message was not accepted.
func deliveryUnknown(err error) bool {
	// The SDK wraps a transport failure in a ResponseError too (status 0), so
	// the transport failure is looked for first.
	var sendErr *smithyhttp.RequestSendError
	if errors.As(err, &sendErr) {
		var netErr *net.OpError
		var dnsErr *net.DNSError
		neverConnected := (errors.As(err, &netErr) && netErr.Op == "dial") || errors.As(err, &dnsErr)
		return !neverConnected
	}
	var answered *smithyhttp.ResponseError
	if errors.As(err, &answered) {
		status := answered.HTTPStatusCode()
		return status >= 200 && status < 300
	}
	return false
}
