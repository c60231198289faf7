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
// ErrDeliveryUnknown; one that wraps ErrDeliveryRefused (a *RefusedError)
// will never be accepted, and any other may be on a later try.
type Notifier interface {
	Notify(ctx context.Context, m Message) error
}

// ErrDeliveryUnknown: the request left but its answer was lost (a connection
// cut, a timeout while waiting), so the message may have been accepted.
// Sending again could notify twice; the notification is recorded unconfirmed.
var ErrDeliveryUnknown = errors.New("the send's answer was lost: the message may have been accepted")

// ErrDeliveryRefused: the provider refused the message for good (a 4xx
// answer other than throttling, e.g. a malformed number): sending the same
// message again cannot succeed. The notification is recorded failed; errors
// wrapping it are *RefusedError, which carries the code.
var ErrDeliveryRefused = errors.New("the message was refused for good")

// InvalidDestination is the code of a failed notification whose only verified
// contact may not be sent to: a cellphone that is not a Brazilian mobile.
const InvalidDestination = "invalid_destination"

// RefusedError is a send refused for good. Code is the provider's error code
// (or InvalidDestination), safe to log and to store: it never quotes the
// contact.
type RefusedError struct{ Code string }

func (e *RefusedError) Error() string { return ErrDeliveryRefused.Error() + ": " + e.Code }

// Unwrap lets errors.Is(err, ErrDeliveryRefused) hold.
func (e *RefusedError) Unwrap() error { return ErrDeliveryRefused }

// brazilianMobile is the only kind of number that gets an SMS: +55, a
// two-digit area code and nine digits starting with 9. Any other number (a
// landline, another country's) is never sent an SMS: premium and foreign
// destinations are how SMS toll fraud costs a clinic money.
var brazilianMobile = regexp.MustCompile(`^\+55[1-9]{2}9[0-9]{8}$`)

// errNoVerifiedContact: the patient has no verified contact; nothing is sent.
var errNoVerifiedContact = errors.New("no verified contact")

// composeMessage chooses the channel for p: a verified Brazilian mobile gets
// an SMS, otherwise a verified e-mail gets an e-mail. With neither it returns
// errNoVerifiedContact, or, when the patient has a verified cellphone that may
// not get an SMS, an SMS message without a destination and a *RefusedError
// with InvalidDestination. The text says only that a result is ready and
// greets by first name.
func composeMessage(p Patient, examID string) (Message, error) {
	greeting := "Olá"
	if first := strings.Fields(p.Name); len(first) > 0 {
		greeting += ", " + first[0]
	}
	m := Message{
		ExamID:  examID,
		Subject: "ZMED: seu resultado está pronto",
		Text: greeting + "! O resultado do seu exame na ZMED está pronto. " +
			"Consulte-o no portal do paciente ou na recepção da clínica.",
	}
	switch {
	case p.CanGetSMS():
		m.Channel, m.To = ChannelSMS, p.Cellphone
	case p.CanGetEmail():
		m.Channel, m.To = ChannelEmail, p.Email
	case p.CellphoneVerified:
		return Message{ExamID: examID, Channel: ChannelSMS}, &RefusedError{Code: InvalidDestination}
	default:
		return Message{}, errNoVerifiedContact
	}
	return m, nil
}
