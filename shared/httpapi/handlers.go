package httpapi

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/aws/aws-lambda-go/events"

	"github.com/zmed/exam-manager/shared/apigw"
	"github.com/zmed/exam-manager/shared/audit"
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

// Register serves POST /exam/new.
func Register(uc exam.Register, log audit.Writer) apigw.Handler {
	return apigw.Serve(RegisterRoute, audit.ExamRegister, log, func(ctx context.Context, by exam.Actor, req request) (response, error) {
		var in struct {
			Document *string `json:"document"`
			ExamType *int    `json:"exam_type"`
		}
		if err := apigw.DecodeJSON(req, &in); err != nil {
			return response{}, err
		}
		document, err := required("document", in.Document)
		if err != nil {
			return response{}, err
		}
		examType, err := required("exam_type", in.ExamType)
		if err != nil {
			return response{}, err
		}
		idem, err := idempotencyKey(req, by)
		if err != nil {
			return response{}, err
		}
		r, err := uc.Run(ctx, by, exam.RegisterRequest{Document: document, Type: exam.Type(examType), Idempotency: idem})
		if err != nil {
			return response{}, err
		}
		ctx = apigw.Touched(ctx, r.Exam)
		if r.Replayed {
			logOutcome(ctx, "exam registration replayed", r.Exam)
			resp := apigw.JSON(http.StatusCreated, render(r.Exam))
			resp.Headers[ReplayedHeader] = "true"
			return resp, nil
		}
		logOutcome(ctx, "exam registered", r.Exam)
		return apigw.JSON(http.StatusCreated, render(r.Exam)), nil
	})
}

// List serves GET /exams/info?document=&limit=&cursor=.
func List(uc exam.List, log audit.Writer) apigw.Handler {
	return apigw.Serve(ListRoute, audit.ExamList, log, func(ctx context.Context, by exam.Actor, req request) (response, error) {
		q := req.QueryStringParameters
		limit := exam.DefaultPageSize
		if s, ok := q["limit"]; ok {
			n, err := strconv.Atoi(s)
			if err != nil {
				return response{}, exam.InvalidRequest("limit must be a whole number between 1 and 100")
			}
			limit = n
		}
		document, ok := q["document"]
		if !ok {
			return response{}, exam.InvalidRequest("query parameter \"document\" is required")
		}
		page, err := uc.Run(ctx, document, limit, q["cursor"])
		if err != nil {
			return response{}, err
		}
		apigw.WithPatientID(ctx, page.PatientID)
		slog.InfoContext(ctx, "exams listed", "count", len(page.Exams), "more", page.NextCursor != "")
		return apigw.JSON(http.StatusOK, struct {
			Exams      []examView `json:"exams"`
			NextCursor string     `json:"next_cursor,omitempty"`
		}{renderAll(page.Exams), page.NextCursor}), nil
	})
}

// Start serves POST /exam/start.
func Start(uc exam.Start, log audit.Writer) apigw.Handler {
	return apigw.Serve(StartRoute, audit.ExamStart, log, func(ctx context.Context, by exam.Actor, req request) (response, error) {
		var in struct {
			Document *string `json:"document"`
			ExamID   *string `json:"exam_id"`
			ExamType *int    `json:"exam_type"`
		}
		if err := apigw.DecodeJSON(req, &in); err != nil {
			return response{}, err
		}
		document, err1 := required("document", in.Document)
		examID, err2 := required("exam_id", in.ExamID)
		examType, err3 := required("exam_type", in.ExamType)
		if err := firstOf(err1, err2, err3); err != nil {
			return response{}, err
		}
		e, issued, err := uc.Run(ctx, by, document, examID, exam.Type(examType))
		if err != nil {
			return response{}, refusedFound(ctx, examID, err)
		}
		ctx = apigw.Touched(ctx, e)
		logOutcome(ctx, "exam started", e)
		return apigw.JSON(http.StatusOK, struct {
			Exam      examView `json:"exam"`
			ExamToken string   `json:"exam_token"`
			LabelCode string   `json:"label_code"`
		}{render(e), issued.ExamToken, issued.LabelCode}), nil
	})
}

// Communicate serves POST /exams/communicate: the manual path to finish an exam.
func Communicate(uc exam.Finish, log audit.Writer) apigw.Handler {
	return apigw.Serve(CommunicateRoute, audit.ExamCommunicate, log, func(ctx context.Context, by exam.Actor, req request) (response, error) {
		var in struct {
			ExamToken   *string `json:"exam_token"`
			ResultToken *string `json:"result_token"`
		}
		if err := apigw.DecodeJSON(req, &in); err != nil {
			return response{}, err
		}
		examToken, err1 := required("exam_token", in.ExamToken)
		resultToken, err2 := required("result_token", in.ResultToken)
		if err := firstOf(err1, err2); err != nil {
			return response{}, err
		}
		e, err := uc.Run(ctx, by, examToken, resultToken)
		if e.ID != "" {
			ctx = apigw.Touched(ctx, e)
		}
		// Another request is sending this very notification: the exam is
		// finished by this result, which is all this caller needs to know.
		if err != nil && !errors.Is(err, exam.ErrNotificationClaimed) {
			return response{}, err
		}
		logOutcome(ctx, "result communicated", e)
		return apigw.JSON(http.StatusOK, struct {
			Exam examView `json:"exam"`
		}{render(e)}), nil
	})
}

// Revoke serves POST /exam/revoke.
func Revoke(uc exam.Revoke, log audit.Writer) apigw.Handler {
	return apigw.Serve(RevokeRoute, audit.ExamRevoke, log, func(ctx context.Context, by exam.Actor, req request) (response, error) {
		var in struct {
			Document *string `json:"document"`
			ExamID   *string `json:"exam_id"`
			Reason   *string `json:"reason"`
		}
		if err := apigw.DecodeJSON(req, &in); err != nil {
			return response{}, err
		}
		document, err1 := required("document", in.Document)
		examID, err2 := required("exam_id", in.ExamID)
		reason, err3 := required("reason", in.Reason)
		if err := firstOf(err1, err2, err3); err != nil {
			return response{}, err
		}
		e, err := uc.Run(ctx, by, document, examID, reason)
		if err != nil {
			return response{}, refusedFound(ctx, examID, err)
		}
		ctx = apigw.Touched(ctx, e)
		logOutcome(ctx, "exam revoked", e)
		return apigw.JSON(http.StatusOK, render(e)), nil
	})
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

func firstOf(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
