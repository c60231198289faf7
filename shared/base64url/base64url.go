// Package base64url is unpadded base64url (RFC 4648 §5) with one spelling per
// value. encoding/base64 skips line breaks and, unless strict, ignores the
// unused low bits of the last character, so several strings decode to the same
// bytes; a token or cursor that a client re-spelled that way must not pass for
// the one the service issued.
package base64url

import (
	"encoding/base64"
	"errors"
)

// ErrNotCanonical: the text is not base64url, or not in the form Encode gives.
var ErrNotCanonical = errors.New("not canonical unpadded base64url")

// Encode returns the unpadded base64url form of b.
func Encode(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// Decode returns the bytes s encodes if s is exactly Encode of them.
func Decode(s string) ([]byte, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || Encode(b) != s {
		return nil, ErrNotCanonical
	}
	return b, nil
}
