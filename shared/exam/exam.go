// Package exam is the domain of the exam manager: the exam record, its lifecycle,
// the catalog and the use cases. It imports no AWS package and neither logs nor
// counts: storage, the patient manager, tokens and notifications are reached
// through small ports, and what the use cases did is told to an Observer.
package exam

import "time"

// Status is where an exam stands in its lifecycle.
type Status string

// The lifecycle: Registered → Started → Finished, and Registered | Started → Revoked.
const (
	StatusRegistered Status = "Registered"
	StatusStarted    Status = "Started"
	StatusFinished   Status = "Finished"
	StatusRevoked    Status = "Revoked"
)

// Exam is one medical exam of one patient. PatientDocument is kept so that the
// patient can be looked up again when the result arrives (the patient manager
// finds patients by document only); it is never rendered. PatientName is the
// patient manager's name at registration, kept so that the worklist names the
// patient without a lookup per row; only worklist items show it, and exams
// registered before it was kept have none.
type Exam struct {
	ID              string
	PatientID       string
	PatientDocument string
	PatientName     string
	Type            Type
	Status          Status
	CreatedAt       time.Time
	UpdatedAt       time.Time
	StartedAt       time.Time
	FinishedAt      time.Time
	RevokedAt       time.Time
	RevokeReason    string
	// ResultRef identifies the result that finished the exam (a digest of its
	// result token), so that a repeated delivery of the same result is recognised.
	ResultRef    string
	Notification Notification
	// History has one entry per transition, oldest first, each written by the
	// transition's own write. Items stored before history existed have none.
	History []HistoryEntry
}

// NotificationStatus is the outcome of telling the patient that the result is ready.
type NotificationStatus string

const (
	// NotificationPending: the exam is finished and the patient not yet told.
	NotificationPending NotificationStatus = "pending"
	// NotificationSent: the message was accepted by SNS or SES.
	NotificationSent NotificationStatus = "sent"
	// NotificationSkipped: the patient has no verified cellphone nor e-mail.
	NotificationSkipped NotificationStatus = "skipped"
	// NotificationUnconfirmed: the message may or may not have gone out (a
	// sender stopped between claiming and recording the send, or the send's
	// answer was lost). Sending again could notify twice, so it is left for
	// the clinic to check.
	NotificationUnconfirmed NotificationStatus = "unconfirmed"
	// NotificationFailed: the message cannot be sent to the patient's contact
	// as it stands: SNS or SES refused it for good (Code is their error code),
	// or the only verified contact may not be sent to (Code is
	// InvalidDestination). Nothing retries it; the operator command sends it
	// again once the contact is fixed.
	NotificationFailed NotificationStatus = "failed"
)

// Channel is the medium a notification used.
type Channel string

// Channels.
const (
	ChannelSMS   Channel = "sms"
	ChannelEmail Channel = "email"
)

// Channels is every channel the domain may choose; each needs a notifier in
// production (wiring.Notifier, whose test holds it to this list).
var Channels = []Channel{ChannelSMS, ChannelEmail}

// Notification records the notification of a finished exam. ClaimOwner and
// ClaimUntil are set while one sender holds the right to send.
type Notification struct {
	Status  NotificationStatus
	Channel Channel
	// Code says why a notification failed; "" otherwise.
	Code       string
	At         time.Time
	ClaimOwner string
	ClaimUntil time.Time
}

// Done reports whether nothing more is to be sent for this exam.
func (n Notification) Done() bool {
	switch n.Status {
	case NotificationSent, NotificationSkipped, NotificationUnconfirmed, NotificationFailed:
		return true
	}
	return false
}
