package httpapi

import (
	"context"
	"log/slog"

	"github.com/zmed/exam-manager/shared/exam"
)

// logOutcome logs what a request did to an exam: ids and statuses only.
func logOutcome(ctx context.Context, msg string, e exam.Exam) {
	slog.InfoContext(ctx, msg, "status", e.Status, "exam_type", int(e.Type))
}
