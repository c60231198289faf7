package cursor

import (
	"strings"

	"github.com/zmed/exam-manager/shared/exam"
)

// ForWorklist is the worklist use case's port over a codec whose key is
// derived from secret under the worklist's own purpose. A worklist cursor's
// scope is its status and the day its worklist starts on.
func ForWorklist(secret []byte) exam.WorklistCursors {
	return worklist{derive(secret, worklistPurpose)}
}

type worklist struct{ codec Codec }

// scopeSeparator cannot occur in a status nor in a day.
const scopeSeparator = " "

func (w worklist) Encode(status exam.Status, since string, p exam.QueuePosition) string {
	return w.codec.Encode(string(status)+scopeSeparator+since, Position{CreatedAt: p.EnteredAt, ExamID: p.ExamID})
}

func (w worklist) Decode(status exam.Status, cursor string) (string, exam.QueuePosition, error) {
	scope, p, err := w.codec.open(cursor)
	if err != nil {
		return "", exam.QueuePosition{}, err
	}
	s, since, ok := strings.Cut(scope, scopeSeparator)
	if !ok || s != string(status) || since == "" {
		return "", exam.QueuePosition{}, exam.ErrInvalidCursor
	}
	return since, exam.QueuePosition{EnteredAt: p.CreatedAt, ExamID: p.ExamID}, nil
}
