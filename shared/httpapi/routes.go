package httpapi

import "github.com/zmed/exam-manager/shared/apigw"

// The routes of the API, one Lambda each.
var (
	RegisterRoute    = apigw.Route{Method: "POST", Path: "/exam/new"}
	ListRoute        = apigw.Route{Method: "GET", Path: "/exams/info"}
	StartRoute       = apigw.Route{Method: "POST", Path: "/exam/start"}
	CommunicateRoute = apigw.Route{Method: "POST", Path: "/exams/communicate"}
	RevokeRoute      = apigw.Route{Method: "POST", Path: "/exam/revoke"}
)
