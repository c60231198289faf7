package exam

import (
	"github.com/google/uuid"
)

// MaxIdempotencyKeyLen is the longest Idempotency-Key a register accepts.
const MaxIdempotencyKeyLen = 64

// idempotencyNamespace is the UUID namespace of exam ids derived from
// idempotency keys (a random one, fixed forever: changing it would let a
// retry create a second exam).
var idempotencyNamespace = uuid.MustParse("5b0d3f5e-2c1a-4f6e-9a51-7d2c8e4b6f10")

// IdempotencyKey makes a register safe to retry: Key is the caller's
// Idempotency-Key and Scope whose keys it belongs to (the caller), so that
// two callers' keys never meet. A zero IdempotencyKey registers a new exam
// each time.
type IdempotencyKey struct {
	Scope, Key string
}

// ValidIdempotencyKey reports whether key has 1 to 64 characters of
// A-Z a-z 0-9 _ -.
func ValidIdempotencyKey(key string) bool {
	if key == "" || len(key) > MaxIdempotencyKeyLen {
		return false
	}
	for _, c := range []byte(key) {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '_', c == '-':
		default:
			return false
		}
	}
	return true
}

// IdempotentExamID is the exam id a register with key in scope creates: the
// same for every retry, so the store's conditional put (which refuses an id
// that exists) is all it takes to create at most one exam, with no extra call.
// It is a name-based (version 5) UUID; the scope and key are separated by a
// byte neither can hold, so ("a", "b-c") and ("a-b", "c") differ.
func IdempotentExamID(scope, key string) string {
	return uuid.NewSHA1(idempotencyNamespace, []byte(scope+"\x00"+key)).String()
}
