package exam

import (
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
	}{
		{"both verified: SMS", true, true, "", ChannelSMS, "+5511987654321"},
		{"only cellphone verified", true, false, "", ChannelSMS, "+5511987654321"},
		{"only e-mail verified", false, true, "", ChannelEmail, "maria@example.com"},
		{"neither verified", false, false, "", "", ""},
		{"verified cellphone not in E.164 falls back to e-mail", true, true, "11 98765-4321", ChannelEmail, "maria@example.com"},
		{"verified cellphone not in E.164 and no e-mail", true, false, "987654321", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := base
			p.CellphoneVerified, p.EmailVerified = tt.phoneVerified, tt.emailVerified
			if tt.phone != "" {
				p.Cellphone = tt.phone
			}
			m, ok := composeMessage(p, "exam-1")
			if ok != (tt.wantChannel != "") || m.Channel != tt.wantChannel || m.To != tt.wantTo {
				t.Fatalf("composeMessage = %+v, %v; want %s to %s", m, ok, tt.wantChannel, tt.wantTo)
			}
			if !ok {
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
				if name := ty.Name(); name != "" && strings.Contains(text, name) {
					t.Fatalf("message names an exam: %q", text)
				}
			}
		})
	}
	if m, _ := composeMessage(Patient{CellphoneVerified: true, Cellphone: "+5511987654321"}, "e"); !strings.HasPrefix(m.Text, "Olá!") {
		t.Fatalf("nameless greeting: %q", m.Text)
	}
}
