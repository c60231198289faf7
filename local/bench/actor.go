package main

import (
	"github.com/zmed/exam-manager/local/authorizer"
	"github.com/zmed/exam-manager/shared/exam"
)

// The bench acts as the local attendant, as the local API does without a token.
var (
	benchClaims = map[string]string{"sub": authorizer.LocalAttendant, "username": authorizer.LocalAttendant}
	benchActor  = exam.Actor{Kind: exam.ActorAttendant, ID: authorizer.LocalAttendant, Name: authorizer.LocalAttendant}
)
