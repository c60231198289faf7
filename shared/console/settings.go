package console

import "github.com/zmed/exam-manager/shared/config"

// The console function's variables: the Cognito IdP endpoint and the user
// pool's app client. Without a client the attendants paste a token of the
// stack's other identity provider (ExistingJwtIssuer).
const (
	CognitoEndpointVar = "ZMED_CONSOLE_COGNITO_ENDPOINT"
	UserPoolIDVar      = "ZMED_CONSOLE_COGNITO_USER_POOL_ID"
	ClientIDVar        = "ZMED_CONSOLE_COGNITO_CLIENT_ID"
	// ResultsOriginVar is the results bucket's own origin, where the page
	// posts the results handed in at the desk ("": none can be).
	ResultsOriginVar = "ZMED_CONSOLE_RESULTS_ORIGIN"
)

// ReadSettings reads how attendants sign in, in AWS.
func ReadSettings(r *config.Reader) Settings {
	s := Settings{CognitoEndpoint: r.String(CognitoEndpointVar, ""), UserPoolID: r.String(UserPoolIDVar, ""), ClientID: r.String(ClientIDVar, ""),
		ResultsOrigin: r.String(ResultsOriginVar, "")}
	s.Mode = ModeToken
	if s.ClientID != "" {
		s.Mode = ModeCognito
	}
	return s
}
