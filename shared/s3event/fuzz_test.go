package s3event

import (
	"encoding/json"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// FuzzKey: every key survives EncodeKey (as S3 writes it in an event) and
// aws-lambda-go's decoding of the event (URLDecodedKey, what Handler hands
// on); an event key that does not decode fails the unmarshalling, before any
// code of ours runs, so nothing of it can reach our logs.
func FuzzKey(f *testing.F) {
	for _, s := range []string{
		"completed/2026_11/4f1c2a1e-8a57-4c8e-9d35-5b1f6f0b8f11.pdf", "completed/2026_11/resultado+final.pdf",
		"completed/a%2Bb%28c%29.pdf", "completed/Maria%Si+52998224725.pdf", "completed/%E2%82", "completed/x%",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var o events.S3Object
		raw, _ := json.Marshal(map[string]string{"key": EncodeKey(s)})
		if err := json.Unmarshal(raw, &o); err != nil || o.URLDecodedKey != s {
			t.Fatalf("key %q encodes to %q, which Lambda decodes to %q, %v", s, EncodeKey(s), o.URLDecodedKey, err)
		}
	})
}
