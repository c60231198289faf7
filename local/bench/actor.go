package main

import "github.com/zmed/exam-manager/local/authorizer"

// The bench acts as the local attendant, as the local API does without a token.
var benchClaims = map[string]string{"sub": authorizer.LocalAttendant, "username": authorizer.LocalAttendant}
