// The request helpers the endpoints' handlers share.

package httpapi

import (
	"context"
	"errors"
	"strconv"

	"github.com/aws/aws-lambda-go/events"

	"github.com/zmed/exam-manager/shared/apigw"
	"github.com/zmed/exam-manager/shared/exam"
)

type (
	request  = events.APIGatewayV2HTTPRequest
	response = events.APIGatewayV2HTTPResponse
)

// required returns the value of a JSON field that must be present.
func required[T any](name string, v *T) (T, error) {
	if v == nil {
		var zero T
		return zero, exam.InvalidRequest("field \"" + name + "\" is required")
	}
	return *v, nil
}

// refusedFound returns err, first naming examID in the lines still to come
// when err says the exam was found: it is this patient's, in another state or
// of another type. Until then a client's exam id names nothing: a UUID can
// hide a CPF's eleven digits, and only an exam that exists has an id we made.
func refusedFound(ctx context.Context, examID string, err error) error {
	if errors.Is(err, exam.ErrInvalidTransition) || errors.Is(err, exam.ErrExamTypeMismatch) {
		apigw.WithExamID(ctx, examID)
	}
	return err
}

// pageSize is a paged route's limit query parameter, DefaultPageSize when
// absent; its range is the use case's to check.
func pageSize(q map[string]string) (int, error) {
	s, ok := q["limit"]
	if !ok {
		return exam.DefaultPageSize, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, exam.InvalidRequest("limit must be a whole number between 1 and 100")
	}
	return n, nil
}

func firstOf(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
