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

// Functions names the functions/ folder of the Lambda that serves each route.
var Functions = map[apigw.Route]string{
	RegisterRoute:    "register-exam",
	ListRoute:        "list-exams",
	StartRoute:       "start-exam",
	CommunicateRoute: "communicate-result",
	RevokeRoute:      "revoke-exam",
}
