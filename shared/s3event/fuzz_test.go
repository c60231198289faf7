package s3event

import (
	"errors"
	"testing"
)

// FuzzKey: every key survives EncodeKey then DecodeKey; an event key that
// decodes re-encodes to a form that decodes the same; one that does not
// decode is ErrUndecodableKey, whose text is fixed.
func FuzzKey(f *testing.F) {
	for _, s := range []string{
		"completed/2026_11/4f1c2a1e-8a57-4c8e-9d35-5b1f6f0b8f11.pdf", "completed/2026_11/resultado+final.pdf",
		"completed/a%2Bb%28c%29.pdf", "completed/Maria%Si+52998224725.pdf", "completed/%E2%82", "completed/x%",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, err := DecodeKey(EncodeKey(s)); err != nil || got != s {
			t.Fatalf("key %q encodes to %q, which decodes to %q, %v", s, EncodeKey(s), got, err)
		}
		key, err := DecodeKey(s)
		if err != nil {
			if !errors.Is(err, ErrUndecodableKey) || err.Error() != ErrUndecodableKey.Error() {
				t.Fatalf("DecodeKey(%q) err = %v", s, err)
			}
			return
		}
		if again, err := DecodeKey(EncodeKey(key)); err != nil || again != key {
			t.Fatalf("event key %q decodes to %q, which does not round-trip: %q, %v", s, key, again, err)
		}
	})
}
