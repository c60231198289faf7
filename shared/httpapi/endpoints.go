package httpapi

import (
	"time"

	"github.com/zmed/exam-manager/shared/apigw"
	"github.com/zmed/exam-manager/shared/audit"
	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/telemetry"
)

// The routes of the API, one Lambda each.
var (
	RegisterRoute    = apigw.Route{Method: "POST", Path: "/exam/new"}
	ListRoute        = apigw.Route{Method: "GET", Path: "/exams/info"}
	StartRoute       = apigw.Route{Method: "POST", Path: "/exam/start"}
	CommunicateRoute = apigw.Route{Method: "POST", Path: "/exams/communicate"}
	RevokeRoute      = apigw.Route{Method: "POST", Path: "/exam/revoke"}
)

// Ports are what the route handlers run on. Every host (a Lambda, the local
// stack, the bench, the tests) fills the ports its endpoints use and builds the
// handlers from Endpoints, so that all of them compose the system alike; the
// use cases' observer is always the production one (shared/telemetry).
type Ports struct {
	Patients exam.PatientFinder
	Exams    exam.Store
	Cursors  exam.Cursors
	Tokens   exam.TokenIssuer
	Finish   exam.Finish
	Now      func() time.Time
	NewID    func() string
	// Audit writes each call's audit line, an attendant id that is not a UUID as its pseudonym.
	Audit audit.Writer
}

// Endpoint is one route of the API: the functions/ folder of the Lambda that
// serves it and its handler over the ports.
type Endpoint struct {
	Route    apigw.Route
	Function string
	Handler  func(Ports) apigw.Handler
}

// The endpoints, one per route, named after the function that serves it. A
// Lambda's main starts its own endpoint's handler and refers to no other, so
// that its binary links only its own handler and use case.
var (
	RegisterExam = Endpoint{RegisterRoute, "register-exam", func(p Ports) apigw.Handler {
		return Register(exam.Register{Patients: p.Patients, Exams: p.Exams, Now: p.Now, NewID: p.NewID, Observer: telemetry.Observer{}}, p.Audit)
	}}
	ListExams = Endpoint{ListRoute, "list-exams", func(p Ports) apigw.Handler {
		return List(exam.List{Patients: p.Patients, Exams: p.Exams, Cursors: p.Cursors}, p.Audit)
	}}
	StartExam = Endpoint{StartRoute, "start-exam", func(p Ports) apigw.Handler {
		return Start(exam.Start{Patients: p.Patients, Exams: p.Exams, Tokens: p.Tokens, Now: p.Now, Observer: telemetry.Observer{}}, p.Audit)
	}}
	CommunicateResult = Endpoint{CommunicateRoute, "communicate-result", func(p Ports) apigw.Handler {
		return Communicate(p.Finish, p.Audit)
	}}
	RevokeExam = Endpoint{RevokeRoute, "revoke-exam", func(p Ports) apigw.Handler {
		return Revoke(exam.Revoke{Patients: p.Patients, Exams: p.Exams, Now: p.Now, Observer: telemetry.Observer{}}, p.Audit)
	}}
)

// Endpoints is every route of the API: the local stack, the bench and the
// tests iterate it. (A function, not a variable, so that no Lambda links it.)
func Endpoints() []Endpoint {
	return []Endpoint{RegisterExam, ListExams, StartExam, CommunicateResult, RevokeExam}
}

// Handlers is the handler of every route over p (the local stack, the bench, the tests).
func Handlers(p Ports) map[apigw.Route]apigw.Handler {
	hs := make(map[apigw.Route]apigw.Handler)
	for _, e := range Endpoints() {
		hs[e.Route] = e.Handler(p)
	}
	return hs
}
