package console

import "github.com/zmed/exam-manager/shared/config"

// The console function's variables: the Cognito IdP endpoint and the user
// pool's app client. Without a client the attendants paste a token of the
// stack's other identity provider (ExistingJwtIssuer).
const (
	CognitoEndpointVar = "ZMED_CONSOLE_COGNITO_ENDPOINT"
	UserPoolIDVar      = "ZMED_CONSOLE_COGNITO_USER_POOL_ID"
	ClientIDVar        = "ZMED_CONSOLE_COGNITO_CLIENT_ID"
)

// ReadSettings reads how attendants sign in, in AWS.
func ReadSettings(r *config.Reader) Settings {
	s := Settings{CognitoEndpoint: r.String(CognitoEndpointVar, ""), UserPoolID: r.String(UserPoolIDVar, ""), ClientID: r.String(ClientIDVar, "")}
	s.Mode = ModeToken
	if s.ClientID != "" {
		s.Mode = ModeCognito
	}
	return s
}
