package apigw

import (
	"errors"
	"unicode"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"

	"github.com/zmed/exam-manager/shared/exam"
)

// ErrNoClaims: a call reached a handler without usable authorizer claims.
// In AWS every route sits behind the JWT authorizer, so this is a
// misconfiguration (a route deployed without it): the call is refused with a
// 500, never served anonymously, and its "request failed" line, whose error
// starts with this text, is what the alarm matches.
var ErrNoClaims = errors.New("api call without authorizer claims")

// Claim names of the authorizer's JWT claims (Cognito access and ID tokens).
const (
	ClaimSub             = "sub"
	ClaimUsername        = "username"
	ClaimCognitoUsername = "cognito:username"
)

// maxClaim bounds what a claim may hold to be taken as an identity.
const maxClaim = 128

// ActorOf is the attendant who made req, from the claims the HTTP API's JWT
// authorizer put in requestContext.authorizer.jwt.claims: the one place the API
// reads a caller's identity, in AWS and locally alike. The sub is the actor's
// id: it is logged, so it must be a plain identifier (letters, digits and
// - _ . : |; never an e-mail address). The username names the actor in the
// exam's history and is never logged.
func ActorOf(req events.APIGatewayV2HTTPRequest) (exam.Actor, error) {
	a := req.RequestContext.Authorizer
	if a == nil || a.JWT == nil {
		return exam.Actor{}, ErrNoClaims
	}
	claims := a.JWT.Claims
	sub := claims[ClaimSub]
	if !plainID(sub) {
		return exam.Actor{}, ErrNoClaims
	}
	name := claims[ClaimUsername]
	if name == "" {
		name = claims[ClaimCognitoUsername]
	}
	if !printable(name) {
		name = ""
	}
	return exam.Actor{Kind: exam.ActorAttendant, ID: sub, Name: name}, nil
}

func plainID(s string) bool {
	if s == "" || len(s) > maxClaim {
		return false
	}
	for _, c := range s {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '-', c == '_', c == '.', c == ':', c == '|':
		default:
			return false
		}
	}
	return true
}

func printable(s string) bool {
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > maxClaim {
		return false
	}
	for _, c := range s {
		if !unicode.IsPrint(c) {
			return false
		}
	}
	return true
}
