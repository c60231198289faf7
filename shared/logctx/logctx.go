// Package logctx carries the ids that every log line names (request id, exam id)
// in a context, and the text of an error a line may carry (ErrorText). It
// imports only the standard library, so any layer can use it.
package logctx

import "context"

type key int

const (
	requestIDKey key = iota
	examIDKey
)

// WithRequestID returns ctx carrying a request id.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey, id)
}

// WithExamID returns ctx carrying the exam id that later log lines name. An
// id that is not a UUID in its canonical 36-character form is not carried:
// whatever a client sends as an exam id never reaches a log line unvalidated.
func WithExamID(ctx context.Context, id string) context.Context {
	if !canonicalUUID(id) {
		return ctx
	}
	return context.WithValue(ctx, examIDKey, id)
}

// canonicalUUID reports whether id is 8-4-4-4-12 hexadecimal digits.
func canonicalUUID(id string) bool {
	if len(id) != 36 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return false
			}
		case '0' <= c && c <= '9', 'a' <= c && c <= 'f', 'A' <= c && c <= 'F':
		default:
			return false
		}
	}
	return true
}

// RequestID returns the request id set by WithRequestID, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// ExamID returns the exam id set by WithExamID, or "".
func ExamID(ctx context.Context) string {
	id, _ := ctx.Value(examIDKey).(string)
	return id
}
