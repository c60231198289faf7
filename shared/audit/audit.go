// Package audit writes the accountability lines of docs/security.md: one JSON log line
// per API call and per automatic outcome, saying who did what to which exam of
// which patient, and how it ended. The line carries ids and codes only: the
// actor's kind and id (never a name), the exam id (only in its validated UUID
// form, through logctx), the patient manager's patient id (never the CPF), and
// "ok" or the error code.
package audit

import (
	"context"
	"log/slog"

	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/logctx"
)

// Action is what was done: each route's own, declared in its row of the
// endpoint table (shared/httpapi), and the automatic path's.
type Action string

// ResultProcess is the action of the automatic path: a result file processed.
const ResultProcess Action = "result.process"

// None is the action of a route that reaches no patient data (the exam
// catalog): nobody is accountable for reading it, and its calls write no
// audit line.
const None Action = "none"

// OK is the outcome of a call that succeeded; any other outcome is an error code.
const OK = "ok"

// Message is the msg of every audit line, so that a log query finds them all.
const Message = "audit"

// Entry is one audit line.
type Entry struct {
	Action    Action
	Actor     exam.Actor
	ExamID    string // logged only if it is a UUID
	PatientID string // the patient manager's id
	Outcome   string // OK or the error code
}

// Write logs e, whose actor is the system itself (the automatic path), as
// one line. Calls made by attendants are logged by a Writer, which knows the
// key of their pseudonyms; without it, Write withholds an attendant id that
// is not a UUID.
func Write(ctx context.Context, e Entry) {
	Writer{}.Write(ctx, e)
}

// write logs e as one line, its actor id as it is. The exam id goes through
// logctx, like every other line's: an id that is not a UUID never reaches the log.
func write(ctx context.Context, e Entry) {
	if e.ExamID != "" {
		ctx = logctx.WithExamID(ctx, e.ExamID)
	}
	attrs := []slog.Attr{
		slog.Bool("audit", true),
		slog.String("action", string(e.Action)),
		slog.Group("actor", slog.String("kind", string(e.Actor.Kind)), slog.String("id", e.Actor.ID)),
	}
	if e.PatientID != "" {
		attrs = append(attrs, slog.String("patient_id", e.PatientID))
	}
	attrs = append(attrs, slog.String("outcome", e.Outcome))
	slog.LogAttrs(ctx, slog.LevelInfo, Message, attrs...)
}
