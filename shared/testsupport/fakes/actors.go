package fakes

import "github.com/zmed/exam-manager/shared/exam"

// Attendants of the tests, as the authorizer's claims name them: the sub as
// the id (a UUID, like Cognito's), the username as the name.
var (
	Attendant      = exam.Actor{Kind: exam.ActorAttendant, ID: "3f6c2a9e-7b1d-4c5e-9a8f-2b3c4d5e6f70", Name: "ana.souza"}
	OtherAttendant = exam.Actor{Kind: exam.ActorAttendant, ID: "8d0e1f2a-3b4c-4d5e-8f60-718293a4b5c6", Name: "bruno.lima"}
)

// ClaimsOf are the authorizer's JWT claims of a, as API Gateway passes them.
func ClaimsOf(a exam.Actor) map[string]string {
	return map[string]string{"sub": a.ID, "username": a.Name, "token_use": "access"}
}
