// Package logging sets up the JSON logs: one line per event, each carrying the
// Lambda request id and the exam id that logctx put in the context. Nothing
// here knows of patients; callers log ids and outcomes only, never personal
// data or tokens.
package logging

import (
	"context"
	"io"
	"log/slog"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/zmed/exam-manager/shared/logctx"
)

// New returns a JSON logger on w whose lines carry the context's ids.
func New(w io.Writer, level slog.Leveler) *slog.Logger {
	return slog.New(contextHandler{slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level})})
}

// RequestID returns the Lambda request id of ctx, or the one set by WithRequestID.
func RequestID(ctx context.Context) string {
	if lc, ok := lambdacontext.FromContext(ctx); ok && lc.AwsRequestID != "" {
		return lc.AwsRequestID
	}
	return logctx.RequestID(ctx)
}

type contextHandler struct{ slog.Handler }

func (h contextHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := RequestID(ctx); id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	if id := logctx.ExamID(ctx); id != "" {
		r.AddAttrs(slog.String("exam_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h contextHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return contextHandler{h.Handler.WithAttrs(attrs)}
}

func (h contextHandler) WithGroup(name string) slog.Handler {
	return contextHandler{h.Handler.WithGroup(name)}
}
