// Package telemetry writes what the domain's use cases tell their observer
// (exam.Observer) as JSON log lines and EMF metrics, so that shared/exam
// itself neither logs nor counts. Every host sets it on the use cases it
// assembles (shared/wiring, shared/httpapi's endpoints).
package telemetry

import (
	"context"
	"log/slog"
	"time"

	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/logctx"
	"github.com/zmed/exam-manager/shared/metrics"
)

// Observer is the production exam.Observer: the log lines and metrics of the
// use cases' events. Its lines carry ids and outcomes only.
type Observer struct{}

var _ exam.Observer = Observer{}

// ExamIdentified names the exam in every later log line of the context.
func (Observer) ExamIdentified(ctx context.Context, examID string) context.Context {
	return logctx.WithExamID(ctx, examID)
}

// ExamRegistered counts ExamsRegistered.
func (Observer) ExamRegistered(ctx context.Context) {
	metrics.Emit(ctx, metrics.One(metrics.ExamsRegistered))
}

// ExamStarted counts ExamsStarted.
func (Observer) ExamStarted(ctx context.Context) {
	metrics.Emit(ctx, metrics.One(metrics.ExamsStarted))
}

// ExamRevoked counts ExamsRevoked.
func (Observer) ExamRevoked(ctx context.Context) {
	metrics.Emit(ctx, metrics.One(metrics.ExamsRevoked))
}

// ExamFinished counts ExamsFinished by path.
func (Observer) ExamFinished(ctx context.Context, by exam.Actor) {
	metrics.Emit(ctx, metrics.One(metrics.ExamsFinished, finishPath(by)))
}

// NotificationSent logs the notification and counts NotificationsSent by channel.
func (Observer) NotificationSent(ctx context.Context, ch exam.Channel) {
	slog.InfoContext(ctx, "patient notified", "notification_status", exam.NotificationSent, "channel", ch,
		metrics.One(metrics.NotificationsSent, metrics.Dimension{Name: metrics.DimChannel, Value: string(ch)}).Attr())
}

// NotificationSkipped logs a patient without a verified channel (no metric).
func (Observer) NotificationSkipped(ctx context.Context) {
	slog.InfoContext(ctx, "patient notified", "notification_status", exam.NotificationSkipped, "channel", exam.Channel(""))
}

// NotificationFailed logs the refusal by its code (a warning: the operator
// sends it again once the contact is fixed) and counts NotificationsFailed by channel.
func (Observer) NotificationFailed(ctx context.Context, ch exam.Channel, code string) {
	slog.WarnContext(ctx, "patient not notified: the message was refused for good; send it again with the operator command once the contact is fixed",
		"channel", ch, "code", code, metrics.One(metrics.NotificationsFailed, metrics.Dimension{Name: metrics.DimChannel, Value: string(ch)}).Attr())
}

// NotificationUnconfirmed logs the lost answer (an error line: the clinic
// checks with the patient) and counts NotificationsUnconfirmed.
func (Observer) NotificationUnconfirmed(ctx context.Context, ch exam.Channel, cause error) {
	slog.ErrorContext(ctx, "notification may have been sent, its answer was lost; not sending again, check with the patient",
		"channel", ch, "error", cause.Error(), metrics.One(metrics.NotificationsUnconfirmed).Attr())
}

// NotificationAbandoned logs the expired claim (an error line: the clinic
// checks with the patient) and counts NotificationsUnconfirmed.
func (Observer) NotificationAbandoned(ctx context.Context, claimUntil time.Time) {
	slog.ErrorContext(ctx, "notification claim expired without a recorded outcome; not sending again, check with the patient",
		"claim_until", claimUntil, metrics.One(metrics.NotificationsUnconfirmed).Attr())
}

// finishPath is the ExamsFinished dimension of a finish by the actor: the
// automatic path (the results bucket) or the manual one (an attendant).
func finishPath(by exam.Actor) metrics.Dimension {
	if by.Kind == exam.ActorAutomatic {
		return metrics.Dimension{Name: metrics.DimPath, Value: metrics.PathAutomatic}
	}
	return metrics.Dimension{Name: metrics.DimPath, Value: metrics.PathManual}
}
