// Package notify routes a notification to the adapter of its channel.
// The channel is chosen by the domain (shared/exam); the adapters live in
// sms (SNS) and email (SES v2), and the local stack adds an outbox.
package notify

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"regexp"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
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
// reached the service but its answer was lost, so the caller never sends
// again, and an *exam.RefusedError when the service refused the message for
// good, so the caller records it failed instead of retrying it forever.
func SafeError(service string, err error) error {
	safe := describe(service, err)
	if deliveryUnknown(err) {
		return fmt.Errorf("%w: %w", exam.ErrDeliveryUnknown, safe)
	}
	if code, ok := refusedForGood(err); ok {
		return fmt.Errorf("%w: %w", &exam.RefusedError{Code: code}, safe)
	}
	return safe
}

// passingCodes are the 4xx error codes that pass with time: the SDK's own
// throttling and timeout codes, and SNS's throttling codes it does not list.
var passingCodes = func() map[string]bool {
	codes := map[string]bool{"Throttled": true, "KMSThrottling": true}
	for c := range retry.DefaultThrottleErrorCodes {
		codes[c] = true
	}
	for c := range retry.DefaultRetryableErrorCodes {
		codes[c] = true
	}
	return codes
}()

// safeCode is what an error code may look like to be logged and stored.
var safeCode = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.]{0,63}$`)

// refusedForGood reports the error code of an answer that refuses the message
// for good: a 4xx other than throttling (e.g. SNS's InvalidParameter, SES's
// MessageRejected). A 401 or 403 is the function's own credentials or
// permissions, not the patient's contact: it passes with a deployment, after
// which the results waiting in completed/ are processed by themselves.
func refusedForGood(err error) (string, bool) {
	var answered *smithyhttp.ResponseError
	var apiErr smithy.APIError
	if !errors.As(err, &answered) || !errors.As(err, &apiErr) {
		return "", false
	}
	switch status := answered.HTTPStatusCode(); {
	case status < 400 || status >= 500, status == http.StatusTooManyRequests,
		status == http.StatusUnauthorized, status == http.StatusForbidden:
		return "", false
	}
	code := apiErr.ErrorCode()
	if passingCodes[code] {
		return "", false
	}
	if !safeCode.MatchString(code) {
		code = "unknown"
	}
	return code, true
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
