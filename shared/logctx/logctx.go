// Package logctx carries the ids that every log line names (request id, exam id)
// in a context. It imports nothing, so the domain can set the exam id too.
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

// WithExamID returns ctx carrying the exam id that later log lines name.
func WithExamID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, examIDKey, id)
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
