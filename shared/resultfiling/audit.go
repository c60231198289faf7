package resultfiling

import (
	"context"

	"github.com/zmed/exam-manager/shared/audit"
	"github.com/zmed/exam-manager/shared/exam"
)

// audited writes the audit line of one automatic outcome: the use case's
// result for the object, as the automatic actor. e is the exam as the use case
// left it (empty when the tokens named none); err its error, nil for ok.
func audited(ctx context.Context, e exam.Exam, err error) {
	outcome := audit.OK
	if err != nil {
		outcome = exam.Code(err)
	}
	audit.Write(ctx, audit.Entry{Action: audit.ResultProcess, Actor: exam.ProcessResultActor,
		ExamID: e.ID, PatientID: e.PatientID, Outcome: outcome})
}
