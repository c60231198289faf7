package exam

import (
	"context"
	"errors"
	"regexp"
	"strings"
)

// Message is one notification to one patient. It carries no health data.
type Message struct {
	ExamID  string // for logs and the outbox; never shown to the patient
	Channel Channel
	To      string
	Subject string
	Text    string
}

// Notifier delivers a Message on its channel, once: it never retries a send
// by itself, since a retried request whose first answer was lost may deliver
// twice. An error means the message was not accepted, unless it wraps
// ErrDeliveryUnknown.
type Notifier interface {
	Notify(ctx context.Context, m Message) error
}

// ErrDeliveryUnknown: the request left but its answer was lost (a connection
// cut, a timeout while waiting), so the message may have been accepted.
// Sending again could notify twice; the notification is recorded unconfirmed.
var ErrDeliveryUnknown = errors.New("the send's answer was lost: the message may have been accepted")

// e164 is an international phone number as SNS expects it.
var e164 = regexp.MustCompile(`^\+[1-9][0-9]{7,14}$`)

// composeMessage chooses the channel for p: a verified cellphone gets an SMS,
// otherwise a verified e-mail gets an e-mail; with neither, ok is false.
// The text says only that a result is ready and greets by first name.
func composeMessage(p Patient, examID string) (m Message, ok bool) {
	greeting := "Olá"
	if first := strings.Fields(p.Name); len(first) > 0 {
		greeting += ", " + first[0]
	}
	m = Message{
		ExamID:  examID,
		Subject: "ZMED: seu resultado está pronto",
		Text: greeting + "! O resultado do seu exame na ZMED está pronto. " +
			"Consulte-o no portal do paciente ou na recepção da clínica.",
	}
	switch {
	case p.CellphoneVerified && e164.MatchString(p.Cellphone):
		m.Channel, m.To = ChannelSMS, p.Cellphone
	case p.EmailVerified && strings.Contains(p.Email, "@"):
		m.Channel, m.To = ChannelEmail, p.Email
	default:
		return Message{}, false
	}
	return m, true
}
