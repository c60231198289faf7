package httpapi

import (
	"context"
	"log/slog"

	"github.com/zmed/exam-manager/shared/exam"
)

// logOutcome logs what a request did to an exam: ids and statuses only. At
// debug level: the call's audit line already records the action, the exam
// and the outcome at info, so in production (log level info) this line would
// only double the bytes of log each call ingests (docs/cost.md); a stage
// deployed with LogLevel=debug keeps it.
func logOutcome(ctx context.Context, msg string, e exam.Exam) {
	slog.DebugContext(ctx, msg, "status", e.Status, "exam_type", int(e.Type))
}
