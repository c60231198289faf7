package exam_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/testsupport/apitest"
)

// TestCodes: every domain error has a code of the API's error table (the audit
// lines of both paths and the API's answers use them), also when wrapped;
// anything else is INTERNAL.
func TestCodes(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{exam.ErrInvalidRequest, "INVALID_REQUEST"},
		{exam.InvalidRequest("exam_id must be a UUID"), "INVALID_REQUEST"},
		{exam.ErrInvalidCursor, "INVALID_REQUEST"},
		{exam.ErrInvalidDocument, "INVALID_DOCUMENT"},
		{exam.ErrPatientNotFound, "PATIENT_NOT_FOUND"},
		{exam.ErrExamNotFound, "EXAM_NOT_FOUND"},
		{exam.ErrInvalidTransition, "INVALID_TRANSITION"},
		{exam.ErrExamRevoked, "INVALID_TRANSITION"},
		{exam.ErrPatientNotActive, "PATIENT_NOT_ACTIVE"},
		{exam.ErrUnknownExamType, "UNKNOWN_EXAM_TYPE"},
		{exam.ErrExamTypeMismatch, "EXAM_TYPE_MISMATCH"},
		{fmt.Errorf("%w: expired", exam.ErrInvalidToken), "INVALID_TOKEN"},
		{exam.ErrTokenMismatch, "TOKEN_MISMATCH"},
		{exam.ErrPatientMismatch, "TOKEN_MISMATCH"},
		{exam.ErrIdempotencyKeyReused, "IDEMPOTENCY_KEY_REUSED"},
		{fmt.Errorf("%w: dynamodb: timeout", exam.ErrDependency), "DEPENDENCY_UNAVAILABLE"},
		{exam.ErrNoActor, "INTERNAL"},
		{errors.New("anything else"), "INTERNAL"},
	} {
		if got := exam.Code(tc.err); got != tc.want {
			t.Errorf("Code(%v) = %s, want %s", tc.err, got, tc.want)
		}
		if _, documented := apitest.Statuses[tc.want]; !documented {
			t.Errorf("%s has no row in the API's error table", tc.want)
		}
	}
	// The one code only audit lines show: another delivery is sending the notification.
	if got := exam.Code(exam.ErrNotificationClaimed); got != "NOTIFICATION_IN_PROGRESS" {
		t.Errorf("Code(ErrNotificationClaimed) = %s", got)
	}
}
