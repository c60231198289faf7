package httpapi

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/zmed/exam-manager/shared/apigw"
	"github.com/zmed/exam-manager/shared/audit"
	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/telemetry"
)

// Ports are what the route handlers run on. Every host (a Lambda, the local
// stack, the bench, the tests) fills the ports its endpoints use and builds the
// handlers from Endpoints, so that all of them compose the system alike; the
// use cases' observer is always the production one (shared/telemetry).
type Ports struct {
	Patients exam.PatientFinder
	Exams    exam.Store
	Cursors  exam.Cursors
	// WorklistCursors are the worklist's, signed under a key of their own.
	WorklistCursors exam.WorklistCursors
	Tokens          exam.TokenIssuer
	Finish          exam.Finish
	Now             func() time.Time
	NewID           func() string
	// Uploads makes the upload forms of results handed in at the desk; Outcomes finds where they were filed.
	Uploads  exam.UploadForms
	Outcomes exam.UploadOutcomes
	// Audit writes each call's audit line, an attendant id that is not a UUID as its pseudonym.
	Audit audit.Writer
}

// Endpoint is one route of the API and all the code it needs: the functions/
// folder of the Lambda that serves it, the action its audit lines name, and
// its own work over the ports. Adding a route is adding a row below (the
// other pieces are listed in docs/architecture.md#add-a-route).
type Endpoint struct {
	Route    apigw.Route
	Function string
	// Action is one of its own (a log query tells the routes apart by it), or
	// its function's other row's when both read the same data the same way, or
	// audit.None for a route that reaches no patient data.
	Action audit.Action
	Handle func(Ports) apigw.Func
}

// Handler is e's handler over p: e's work served for its route alone (see
// apigw.Serve), each call's audit line written with p.Audit under e's action
// (none for audit.None).
func (e Endpoint) Handler(p Ports) apigw.Handler {
	return apigw.Serve(e.Route, e.Action, p.Audit, e.Handle(p))
}

// The endpoints, one per route, named after the function that serves it. A
// Lambda's main starts its own endpoint's handler and refers to no other, so
// that its binary links only its own handler and use case.

// RegisterExam registers an exam.
var RegisterExam = Endpoint{
	Route: apigw.Route{Method: "POST", Path: "/exam/new"}, Function: "register-exam", Action: "exam.register",
	Handle: func(p Ports) apigw.Func {
		uc := exam.Register{Patients: p.Patients, Exams: p.Exams, Now: p.Now, NewID: p.NewID, Observer: telemetry.Observer{}}
		return func(ctx context.Context, by exam.Actor, req request) (response, error) {
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
		}
	},
}

// StartExam starts an exam and returns its exam token.
var StartExam = Endpoint{
	Route: apigw.Route{Method: "POST", Path: "/exam/start"}, Function: "start-exam", Action: "exam.start",
	Handle: func(p Ports) apigw.Func {
		uc := exam.Start{Patients: p.Patients, Exams: p.Exams, Tokens: p.Tokens, Now: p.Now, Observer: telemetry.Observer{}}
		return func(ctx context.Context, by exam.Actor, req request) (response, error) {
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
		}
	},
}

// ListExams lists a patient's exams, a page at a time (?document=&limit=&cursor=).
var ListExams = Endpoint{
	Route: apigw.Route{Method: "GET", Path: "/exams/info"}, Function: "list-exams", Action: "exam.list",
	Handle: func(p Ports) apigw.Func {
		list := listing(p)
		return func(ctx context.Context, by exam.Actor, req request) (response, error) {
			q := req.QueryStringParameters
			limit, err := pageSize(q)
			if err != nil {
				return response{}, err
			}
			document, ok := q["document"]
			if !ok {
				return response{}, exam.InvalidRequest("query parameter \"document\" is required")
			}
			return list(ctx, document, limit, q["cursor"])
		}
	},
}

// ListExamsPosted is ListExams with the CPF in the body, never in a URL
// (browser history, proxies and access logs keep URLs). The same function
// serves both, with the same use case and the same audit action: it is the
// same reading of the same data.
var ListExamsPosted = Endpoint{
	Route: apigw.Route{Method: "POST", Path: "/exams/info"}, Function: ListExams.Function, Action: ListExams.Action,
	Handle: func(p Ports) apigw.Func {
		list := listing(p)
		return func(ctx context.Context, by exam.Actor, req request) (response, error) {
			var in struct {
				Document *string `json:"document"`
				Limit    *int    `json:"limit"`
				Cursor   *string `json:"cursor"`
			}
			if err := apigw.DecodeJSON(req, &in); err != nil {
				return response{}, err
			}
			document, err := required("document", in.Document)
			if err != nil {
				return response{}, err
			}
			limit, cursor := exam.DefaultPageSize, ""
			if in.Limit != nil {
				limit = *in.Limit
			}
			if in.Cursor != nil {
				cursor = *in.Cursor
			}
			return list(ctx, document, limit, cursor)
		}
	},
}

// listing answers one page of a patient's exams, for both listing routes.
func listing(p Ports) func(ctx context.Context, document string, limit int, cursor string) (response, error) {
	uc := exam.List{Patients: p.Patients, Exams: p.Exams, Cursors: p.Cursors}
	return func(ctx context.Context, document string, limit int, cursor string) (response, error) {
		page, err := uc.Run(ctx, document, limit, cursor)
		if err != nil {
			return response{}, err
		}
		apigw.WithPatientID(ctx, page.PatientID)
		slog.InfoContext(ctx, "exams listed", "count", len(page.Exams), "more", page.NextCursor != "")
		return apigw.JSON(http.StatusOK, struct {
			Exams      []examView `json:"exams"`
			NextCursor string     `json:"next_cursor,omitempty"`
		}{renderAll(page.Exams), page.NextCursor}), nil
	}
}

// FindPatient tells the front desk who a CPF's patient is and what can be
// done for them: never their phone number or e-mail address.
var FindPatient = Endpoint{
	Route: apigw.Route{Method: "POST", Path: "/patient/find"}, Function: "find-patient", Action: "patient.find",
	Handle: func(p Ports) apigw.Func {
		uc := exam.FindPatient{Patients: p.Patients}
		return func(ctx context.Context, by exam.Actor, req request) (response, error) {
			var in struct {
				Document *string `json:"document"`
			}
			if err := apigw.DecodeJSON(req, &in); err != nil {
				return response{}, err
			}
			document, err := required("document", in.Document)
			if err != nil {
				return response{}, err
			}
			card, err := uc.Run(ctx, document)
			if err != nil {
				return response{}, err
			}
			apigw.WithPatientID(ctx, card.ID)
			slog.InfoContext(ctx, "patient found")
			return apigw.JSON(http.StatusOK, struct {
				Patient patientView `json:"patient"`
			}{renderPatient(card)}), nil
		}
	},
}

// ExamTypes is the exam catalog, with the names people read. It reaches no
// patient data: no port, no audit line. The console's function serves it
// (docs/architecture.md says why).
var ExamTypes = Endpoint{
	Route: apigw.Route{Method: "GET", Path: "/exam-types"}, Function: "console", Action: audit.None,
	Handle: func(Ports) apigw.Func {
		types := renderCatalog()
		return func(ctx context.Context, by exam.Actor, req request) (response, error) {
			return apigw.JSON(http.StatusOK, types), nil
		}
	},
}

// ExamWorklist lists the exams in one status across patients, oldest
// transition first, a page at a time (?status=&since=&limit=&cursor=).
var ExamWorklist = Endpoint{
	Route: apigw.Route{Method: "GET", Path: "/exams/worklist"}, Function: "exam-worklist", Action: "exam.worklist",
	Handle: func(p Ports) apigw.Func {
		uc := exam.Worklist{Exams: p.Exams, Cursors: p.WorklistCursors, Now: p.Now}
		return func(ctx context.Context, by exam.Actor, req request) (response, error) {
			q := req.QueryStringParameters
			limit, err := pageSize(q)
			if err != nil {
				return response{}, err
			}
			page, err := uc.Run(ctx, exam.WorklistQuery{Status: q["status"], Since: q["since"], Limit: limit, Cursor: q["cursor"]})
			if err != nil {
				return response{}, err
			}
			// The status is one of four by now; the day and cursor stay out of the logs.
			slog.InfoContext(ctx, "worklist listed", "status", q["status"], "count", len(page.Exams), "more", page.NextCursor != "")
			return apigw.JSON(http.StatusOK, struct {
				Exams      []worklistItem `json:"exams"`
				NextCursor string         `json:"next_cursor,omitempty"`
			}{renderWorklist(page.Exams), page.NextCursor}), nil
		}
	},
}

// CommunicateResult communicates a result: the manual path to finish an exam.
var CommunicateResult = Endpoint{
	Route: apigw.Route{Method: "POST", Path: "/exams/communicate"}, Function: "communicate-result", Action: "exam.communicate",
	Handle: func(p Ports) apigw.Func {
		uc := p.Finish
		return func(ctx context.Context, by exam.Actor, req request) (response, error) {
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
		}
	},
}

// RevokeExam revokes an exam.
var RevokeExam = Endpoint{
	Route: apigw.Route{Method: "POST", Path: "/exam/revoke"}, Function: "revoke-exam", Action: "exam.revoke",
	Handle: func(p Ports) apigw.Func {
		uc := exam.Revoke{Patients: p.Patients, Exams: p.Exams, Now: p.Now, Observer: telemetry.Observer{}}
		return func(ctx context.Context, by exam.Actor, req request) (response, error) {
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
		}
	},
}

// ResultUpload hands in a result brought on paper: an upload form for the results bucket.
var ResultUpload = Endpoint{
	Route: apigw.Route{Method: "POST", Path: "/exam/result-upload"}, Function: "result-upload", Action: "result.handin",
	Handle: func(p Ports) apigw.Func {
		uc := exam.HandIn{Patients: p.Patients, Exams: p.Exams, Forms: p.Uploads}
		return func(ctx context.Context, by exam.Actor, req request) (response, error) {
			var in struct {
				Document    *string `json:"document"`
				ExamID      *string `json:"exam_id"`
				ContentType *string `json:"content_type"`
				Size        *int64  `json:"size"`
			}
			if err := apigw.DecodeJSON(req, &in); err != nil {
				return response{}, err
			}
			document, err1 := required("document", in.Document)
			examID, err2 := required("exam_id", in.ExamID)
			contentType, err3 := required("content_type", in.ContentType)
			size, err4 := required("size", in.Size)
			if err := firstOf(err1, err2, err3, err4); err != nil {
				return response{}, err
			}
			e, form, err := uc.Run(ctx, by, document, examID, contentType, size)
			if err != nil {
				return response{}, refusedFound(ctx, examID, err)
			}
			ctx = apigw.Touched(ctx, e)
			// Never the key: it names where the result will be.
			slog.InfoContext(ctx, "result hand-in form issued", "status", e.Status, "content_type", contentType, "size", size)
			return apigw.JSON(http.StatusOK, struct {
				Upload uploadView `json:"upload"`
			}{uploadView{URL: form.URL, Fields: form.Fields, Key: form.Key, ExpiresAt: timestamp(form.ExpiresAt)}}), nil
		}
	},
}

// ResultOutcome says where a result handed in at the desk was filed, and why.
var ResultOutcome = Endpoint{
	Route: apigw.Route{Method: "POST", Path: "/exam/result-outcome"}, Function: "result-outcome", Action: "result.outcome",
	Handle: func(p Ports) apigw.Func {
		uc := exam.HandInOutcome{Patients: p.Patients, Exams: p.Exams, Outcomes: p.Outcomes}
		return func(ctx context.Context, by exam.Actor, req request) (response, error) {
			var in struct {
				Document *string `json:"document"`
				ExamID   *string `json:"exam_id"`
				Key      *string `json:"key"`
			}
			if err := apigw.DecodeJSON(req, &in); err != nil {
				return response{}, err
			}
			document, err1 := required("document", in.Document)
			examID, err2 := required("exam_id", in.ExamID)
			key, err3 := required("key", in.Key)
			if err := firstOf(err1, err2, err3); err != nil {
				return response{}, err
			}
			e, out, err := uc.Run(ctx, by, document, examID, key)
			if e.ID != "" {
				ctx = apigw.Touched(ctx, e)
			}
			if err != nil {
				return response{}, err
			}
			slog.InfoContext(ctx, "result hand-in outcome read", "state", out.State, "reason", out.Reason)
			return apigw.JSON(http.StatusOK, struct {
				State  exam.UploadState `json:"state"`
				Reason string           `json:"reason"`
			}{out.State, out.Reason}), nil
		}
	},
}

// uploadView is an upload form as the API shows it: the browser posts Fields
// to URL as multipart/form-data, the file last.
type uploadView struct {
	URL       string            `json:"url"`
	Fields    map[string]string `json:"fields"`
	Key       string            `json:"key"`
	ExpiresAt string            `json:"expires_at"`
}

// Endpoints is every route of the API: the local stack, the bench and the
// tests iterate it. (A function, not a variable, so that no Lambda links it.)
func Endpoints() []Endpoint {
	return []Endpoint{RegisterExam, StartExam, ListExams, CommunicateResult, RevokeExam,
		FindPatient, ListExamsPosted, ExamTypes, ExamWorklist, ResultUpload, ResultOutcome}
}

// Serve is the handler of a Lambda that serves rows, all of its function's:
// each request goes to its route's row, any other to the first row, which
// answers it 404 or 405. (A function serves several rows when they share its
// use case and its permissions, e.g. a listing read by GET and by POST.)
func Serve(p Ports, rows ...Endpoint) apigw.Handler {
	hs := make(map[apigw.Route]apigw.Handler, len(rows))
	for _, e := range rows {
		hs[e.Route] = e.Handler(p)
	}
	return apigw.ByRoute(hs, hs[rows[0].Route])
}

// Handlers is the handler of every route over p (the local stack, the bench, the tests).
func Handlers(p Ports) map[apigw.Route]apigw.Handler {
	hs := make(map[apigw.Route]apigw.Handler)
	for _, e := range Endpoints() {
		hs[e.Route] = e.Handler(p)
	}
	return hs
}
