package exam

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestComposeMessage(t *testing.T) {
	base := Patient{ID: "p", Name: "Maria da Silva", Cellphone: "+5511987654321", Email: "maria@example.com"}
	tests := []struct {
		name          string
		phoneVerified bool
		emailVerified bool
		phone         string
		wantChannel   Channel
		wantTo        string
		wantErr       error
	}{
		{"both verified: SMS", true, true, "", ChannelSMS, "+5511987654321", nil},
		{"only cellphone verified", true, false, "", ChannelSMS, "+5511987654321", nil},
		{"only e-mail verified", false, true, "", ChannelEmail, "maria@example.com", nil},
		{"neither verified", false, false, "", "", "", errNoVerifiedContact},
		{"unverified foreign cellphone and no e-mail", false, false, "+12025550143", "", "", errNoVerifiedContact},
		{"verified cellphone not in E.164 falls back to e-mail", true, true, "11 98765-4321", ChannelEmail, "maria@example.com", nil},
		{"verified cellphone not in E.164 and no e-mail", true, false, "987654321", ChannelSMS, "", ErrDeliveryRefused},
		{"verified US number falls back to e-mail", true, true, "+12025550143", ChannelEmail, "maria@example.com", nil},
		{"verified US number and no e-mail", true, false, "+12025550143", ChannelSMS, "", ErrDeliveryRefused},
		{"verified Brazilian landline falls back to e-mail", true, true, "+551132654321", ChannelEmail, "maria@example.com", nil},
		{"verified Brazilian landline and no e-mail", true, false, "+551132654321", ChannelSMS, "", ErrDeliveryRefused},
		{"Brazilian mobile with a digit too many", true, false, "+55119876543210", ChannelSMS, "", ErrDeliveryRefused},
		{"Brazilian mobile with a zero area code", true, false, "+5501987654321", ChannelSMS, "", ErrDeliveryRefused},
		{"Brazilian mobile without the leading 9", true, false, "+5511887654321", ChannelSMS, "", ErrDeliveryRefused},
		{"Brazilian mobile with a line break", true, false, "+5511987654321\n", ChannelSMS, "", ErrDeliveryRefused},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := base
			p.CellphoneVerified, p.EmailVerified = tt.phoneVerified, tt.emailVerified
			if tt.phone != "" {
				p.Cellphone = tt.phone
			}
			m, err := composeMessage(p, "exam-1")
			if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) || m.Channel != tt.wantChannel || m.To != tt.wantTo {
				t.Fatalf("composeMessage = %+v, %v; want %s to %q, %v", m, err, tt.wantChannel, tt.wantTo, tt.wantErr)
			}
			var refused *RefusedError
			if errors.As(err, &refused) && refused.Code != InvalidDestination {
				t.Fatalf("refused with %q, want %q", refused.Code, InvalidDestination)
			}
			if err != nil {
				return
			}
			if !slices.Contains(Channels, m.Channel) {
				t.Fatalf("channel %q is not in Channels: no notifier would serve it", m.Channel)
			}
			text := m.Subject + m.Text
			if !strings.Contains(m.Text, "Olá, Maria!") || strings.Contains(text, "Silva") {
				t.Fatalf("greeting should use the first name only: %q", text)
			}
			for ty := range Type(11) {
				for _, name := range []string{ty.Name(), ty.NamePT()} {
					if name != "" && strings.Contains(text, name) {
						t.Fatalf("message names an exam: %q", text)
					}
				}
			}
		})
	}
	if m, _ := composeMessage(Patient{CellphoneVerified: true, Cellphone: "+5511987654321"}, "e"); !strings.HasPrefix(m.Text, "Olá!") {
		t.Fatalf("nameless greeting: %q", m.Text)
	}
}
