package exam

import (
	"context"
	"time"
)

// Observer is told what the use cases did, at the moment they did it, so that
// logs and metrics are written outside the domain (shared/telemetry in every
// host). One method per event; a use case whose Observer is nil tells nobody.
type Observer interface {
	// ExamIdentified: the tokens named the exam a finish acts on. The context
	// returned is the one the rest of the finish runs with, so that what is
	// logged later (by the ports too) can name the exam.
	ExamIdentified(ctx context.Context, examID string) context.Context
	// ExamRegistered: a new exam was stored (not a replay).
	ExamRegistered(ctx context.Context)
	// ExamStarted: a Registered exam was moved to Started (not a repeated start).
	ExamStarted(ctx context.Context)
	// ExamRevoked: an exam was moved to Revoked.
	ExamRevoked(ctx context.Context)
	// ExamFinished: a Started exam was moved to Finished by the actor.
	ExamFinished(ctx context.Context, by Actor)
	// NotificationSent: the message was accepted on its channel and recorded.
	NotificationSent(ctx context.Context, ch Channel)
	// NotificationSkipped: the patient has no verified channel; recorded so.
	NotificationSkipped(ctx context.Context)
	// NotificationFailed: the provider refused the message for good, or the
	// patient has no destination the system may use (code); recorded failed,
	// sent again only by the operator once the contact is fixed.
	NotificationFailed(ctx context.Context, ch Channel, code string)
	// NotificationUnconfirmed: the send's answer was lost (cause); the
	// notification is recorded unconfirmed and never sent again.
	NotificationUnconfirmed(ctx context.Context, ch Channel, cause error)
	// NotificationAbandoned: a claim to notify expired without a recorded
	// outcome (its sender stopped); recorded unconfirmed, never sent again.
	NotificationAbandoned(ctx context.Context, claimUntil time.Time)
}

// observerOr is o, or one that tells nobody when o is nil.
func observerOr(o Observer) Observer {
	if o == nil {
		return unobserved{}
	}
	return o
}

type unobserved struct{}

func (unobserved) ExamIdentified(ctx context.Context, _ string) context.Context { return ctx }
func (unobserved) ExamRegistered(context.Context)                               {}
func (unobserved) ExamStarted(context.Context)                                  {}
func (unobserved) ExamRevoked(context.Context)                                  {}
func (unobserved) ExamFinished(context.Context, Actor)                          {}
func (unobserved) NotificationSent(context.Context, Channel)                    {}
func (unobserved) NotificationSkipped(context.Context)                          {}
func (unobserved) NotificationFailed(context.Context, Channel, string)          {}
func (unobserved) NotificationUnconfirmed(context.Context, Channel, error)      {}
func (unobserved) NotificationAbandoned(context.Context, time.Time)             {}
