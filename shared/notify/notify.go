// Package notify routes a notification to the adapter of its channel.
// The channel is chosen by the domain (shared/exam); the adapters live in
// sms (SNS) and email (SES v2), and the local stack adds an outbox.
package notify

import (
	"context"
	"fmt"

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
