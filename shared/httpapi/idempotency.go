package httpapi

import (
	"github.com/zmed/exam-manager/shared/exam"
)

// The headers of a retry-safe register (docs/api.md). API Gateway and the local
// API hand handlers lower-case header names.
const (
	IdempotencyKeyHeader = "idempotency-key"
	ReplayedHeader       = "Idempotent-Replayed"
)

// idempotencyKey is the request's Idempotency-Key, if it sent one, scoped to
// the caller (docs/security.md): two attendants' keys never name the same exam. The
// key is checked by the use case; a header sent empty is malformed, not absent.
func idempotencyKey(req request, by exam.Actor) (exam.IdempotencyKey, error) {
	key, ok := req.Headers[IdempotencyKeyHeader]
	if ok && key == "" {
		return exam.IdempotencyKey{}, exam.InvalidRequest("Idempotency-Key must be 1 to 64 characters of A-Z, a-z, 0-9, _ and -")
	}
	return exam.IdempotencyKey{Scope: by.ID, Key: key}, nil
}
