package base64url

import (
	"errors"
	"testing"
)

func TestDecode(t *testing.T) {
	tests := []struct {
		name, in string
		want     string // "" with ok false: refused
		ok       bool
	}{
		{"canonical", "aGk", "hi", true},
		{"canonical, no unused bits", "aGkh", "hi!", true},
		{"empty", "", "", true},
		{"unused bits set", "aGl", "", false},
		{"padding", "aGk=", "", false},
		{"line feed", "aG\nk", "", false},
		{"CR LF", "aGk\r\n", "", false},
		{"standard alphabet", "a+k", "", false},
		{"impossible length", "aGkhI", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decode(tt.in)
			if tt.ok != (err == nil) || string(got) != tt.want || (!tt.ok && !errors.Is(err, ErrNotCanonical)) {
				t.Fatalf("Decode(%q) = %q, %v", tt.in, got, err)
			}
		})
	}
}
