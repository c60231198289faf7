package s3event

import (
	"errors"
	"strings"
	"testing"
)

func TestKeys(t *testing.T) {
	for _, key := range []string{"completed/2026_11/a b+c.pdf", "completed/100% pronto.pdf", "completed/ção 日本.json", "completed/a%2Bb"} {
		enc := EncodeKey(key)
		if strings.ContainsAny(enc, " +%") && strings.Contains(enc, " ") {
			t.Fatalf("EncodeKey(%q) = %q keeps a space", key, enc)
		}
		if got, err := DecodeKey(enc); err != nil || got != key {
			t.Fatalf("DecodeKey(EncodeKey(%q)) = %q, %v", key, got, err)
		}
	}
	if got, err := DecodeKey("completed/a+b%2Bc.pdf"); err != nil || got != "completed/a b+c.pdf" {
		t.Fatalf("DecodeKey = %q, %v", got, err)
	}
}

// TestUndecodableKeyErrorQuotesNothing: the error of a key that is not
// URL-encoded names no part of it (it was `invalid URL escape "%Si"`).
func TestUndecodableKeyErrorQuotesNothing(t *testing.T) {
	for _, key := range []string{"completed/Maria%Si 52998224725.pdf", "completed/%Zz", "completed/x%4", "completed/%"} {
		_, err := DecodeKey(key)
		if !errors.Is(err, ErrUndecodableKey) {
			t.Fatalf("DecodeKey(%q) err = %v, want ErrUndecodableKey", key, err)
		}
		if text := err.Error(); strings.Contains(text, "%") || strings.Contains(text, "Si") || strings.Contains(text, "Maria") {
			t.Fatalf("DecodeKey(%q) error %q quotes the key", key, text)
		}
	}
}
