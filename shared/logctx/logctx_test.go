package logctx

import (
	"context"
	"testing"
)

// TestWithExamIDCarriesOnlyAUUID: an exam id reaches the logs only in the
// canonical UUID form; anything else a client sent there is dropped.
func TestWithExamIDCarriesOnlyAUUID(t *testing.T) {
	for _, tt := range []struct {
		id   string
		kept bool
	}{
		{"4f1c2a1e-8a57-4c8e-9d35-5b1f6f0b8f11", true},
		{"4F1C2A1E-8A57-4C8E-9D35-5B1F6F0B8F11", true},
		{"", false},
		{"Maria da Silva, CPF 529.982.247-25, tel +5511987654321", false},
		{"52998224725", false},
		{"4f1c2a1e8a574c8e9d355b1f6f0b8f11", false},       // no hyphens
		{"{4f1c2a1e-8a57-4c8e-9d35-5b1f6f0b8f11}", false}, // braces
		{"4f1c2a1e-8a57-4c8e-9d35-5b1f6f0b8f1g", false},   // not hex
		{"4f1c2a1e-8a57-4c8e-9d35+5b1f6f0b8f11", false},   // a hyphen replaced
		{"urn:uuid:4f1c2a1e-8a57-4c8e-9d35-5b1f6f0b8f11", false},
	} {
		got := ExamID(WithExamID(context.Background(), tt.id))
		if (got == tt.id && got != "") != tt.kept || (!tt.kept && got != "") {
			t.Errorf("WithExamID(%q): carried %q, want kept %v", tt.id, got, tt.kept)
		}
	}
}
