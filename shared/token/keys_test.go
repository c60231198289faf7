package token

import (
	"errors"
	"strings"
	"testing"

	"github.com/zmed/exam-manager/shared/labelcode"
)

// TestParseKey: a secret's value is the key itself (a secret never rotated,
// and every key given locally: its id derived, the same for every reader) or
// the JSON a rotation writes; anything else, or a key too short, is refused.
func TestParseKey(t *testing.T) {
	plain := strings.Repeat("k", 64)
	made, err := NewKey()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, value string
		want        error // nil: read
	}{
		{"plain", plain, nil},
		{"plain too short", plain[:31], ErrShortKey},
		{"rotated", made.Value(), nil},
		{"rotated, key too short", `{"kid":"k1","key":"c2hvcnQ"}`, ErrShortKey},
		{"rotated, key not base64url", `{"kid":"k1","key":"` + strings.Repeat("+", 43) + `"}`, ErrKeyFormat},
		{"rotated, no kid", `{"key":"` + strings.Split(made.Value(), `"key":"`)[1], ErrKeyFormat},
		{"rotated, kid with a quote", `{"kid":"k\"1","key":"` + strings.Split(made.Value(), `"key":"`)[1], ErrKeyFormat},
		{"rotated, a member twice", `{"kid":"k1","kid":"k2","key":"` + strings.Split(made.Value(), `"key":"`)[1], ErrKeyFormat},
		{"not JSON", "{" + plain, ErrKeyFormat},
	} {
		t.Run(tt.name, func(t *testing.T) {
			k, err := ParseKey(tt.value)
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("ParseKey = %+v, %v; want %v", k, err, tt.want)
			}
			if err == nil && (k.ID == "" || len(k.Secret) < MinKeyLen || k.Label != labelcode.KeyID(k.Secret)) {
				t.Fatalf("ParseKey = %+v", k)
			}
		})
	}
	again, _ := ParseKey(made.Value())
	if again.ID != made.ID || string(again.Secret) != string(made.Secret) || again.Label != made.Label {
		t.Errorf("a rotated key read back: %+v, want %+v", again, made)
	}
	a, _ := ParseKey(plain)
	b, _ := PlainKey([]byte(plain))
	if a.ID != b.ID || !strings.HasPrefix(a.ID, "p") {
		t.Errorf("a plain key's id differs between readers: %q, %q", a.ID, b.ID)
	}
}

// TestNewKeyKeepsIdsApart: a new key's ids are none of the kept keys', so a
// verifier holding the current and previous keys knows the new one for new.
func TestNewKeyKeepsIdsApart(t *testing.T) {
	var keep []Key
	for range 7 {
		k, err := NewKey(keep...)
		if err != nil {
			t.Fatal(err)
		}
		for _, old := range keep {
			if old.Label == k.Label || old.ID == k.ID {
				t.Fatalf("new key %s/%d shares an id with %s/%d", k.ID, k.Label, old.ID, old.Label)
			}
		}
		if len(k.Secret) < MinKeyLen {
			t.Fatalf("new key of %d bytes", len(k.Secret))
		}
		keep = append(keep, k)
	}
	last, err := NewKey(keep...)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewKey(append(keep, last)...); err == nil {
		t.Error("a new key when no label id is left")
	}
}
