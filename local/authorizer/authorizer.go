// Package authorizer emulates, for the local API, the HTTP API's JWT
// authorizer that guards every route in AWS (docs/local.md): a request with
// `Authorization: Bearer <JWT>` signed (HS256) with the local attendant key acts
// as that attendant; a bad or expired token is 401 UNAUTHENTICATED; a request
// without the header acts as the local attendant (an empty header and a token
// issued in the future are refused, as API Gateway refuses them), so that the quick start needs
// no token. Like API Gateway, it puts the token's claims in the event's
// requestContext.authorizer.jwt.claims, the one place the handlers read.
package authorizer

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"github.com/zmed/exam-manager/shared/apigw"
)

// Local identity, documented in docs/local.md.
const (
	// DefaultKey signs local attendant tokens (ZMED_LOCAL_ATTENDANT_KEY overrides it).
	DefaultKey = "local-attendant-token-key-0123456789abcdef"
	KeyVar     = "ZMED_LOCAL_ATTENDANT_KEY"
	// LocalAttendant is the sub and username of a request without a token.
	LocalAttendant = "local-attendant"
	// DefaultTTL is how long a token of Mint lasts.
	DefaultTTL = 12 * time.Hour
	// MinKeyBytes is the shortest key accepted, as for every HS256 key here.
	MinKeyBytes = 32
)

// Authorizer checks bearer tokens against the local attendant key.
type Authorizer struct {
	key []byte
	now func() time.Time
}

// New returns an authorizer on key (at least MinKeyBytes).
func New(key []byte, now func() time.Time) (Authorizer, error) {
	if len(key) < MinKeyBytes {
		return Authorizer{}, fmt.Errorf("%s must be at least %d bytes", KeyVar, MinKeyBytes)
	}
	return Authorizer{key: key, now: now}, nil
}

// Authorize returns the authorizer context API Gateway would put in the event
// for a request with this Authorization header (present false when the
// request has none), or apigw.ErrUnauthenticated. Only a request without the
// header acts as the local attendant: an empty one is refused, as in AWS.
func (a Authorizer) Authorize(header string, present bool) (*events.APIGatewayV2HTTPRequestContextAuthorizerDescription, error) {
	if !present {
		return Context(map[string]string{"sub": LocalAttendant, "username": LocalAttendant}), nil
	}
	raw, ok := strings.CutPrefix(header, "Bearer ")
	if !ok || raw == "" {
		return nil, apigw.ErrUnauthenticated
	}
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(raw, claims, func(*jwt.Token) (any, error) { return a.key, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}), jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(), jwt.WithTimeFunc(a.now))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", apigw.ErrUnauthenticated, err)
	}
	flat, err := flatten(claims)
	if err != nil {
		return nil, err
	}
	if flat["sub"] == "" || flat["username"] == "" {
		return nil, fmt.Errorf("%w: token without sub or username", apigw.ErrUnauthenticated)
	}
	return Context(flat), nil
}

// flatten turns claims into the strings API Gateway passes on: strings as
// they are, numbers in decimal. Any other kind of claim refuses the token.
func flatten(claims jwt.MapClaims) (map[string]string, error) {
	flat := make(map[string]string, len(claims))
	for name, v := range claims {
		switch v := v.(type) {
		case string:
			flat[name] = v
		case float64:
			flat[name] = strconv.FormatFloat(v, 'f', -1, 64)
		default:
			return nil, fmt.Errorf("%w: claim %q is neither a string nor a number", apigw.ErrUnauthenticated, name)
		}
	}
	return flat, nil
}

// Context is the authorizer context of a JWT authorizer that accepted claims.
func Context(claims map[string]string) *events.APIGatewayV2HTTPRequestContextAuthorizerDescription {
	return &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
		JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: claims, Scopes: nil},
	}
}

// Mint signs a local attendant token for sub and username, valid for ttl from now.
func Mint(key []byte, sub, username string, now time.Time, ttl time.Duration) (string, error) {
	if len(key) < MinKeyBytes {
		return "", fmt.Errorf("%s must be at least %d bytes", KeyVar, MinKeyBytes)
	}
	if sub == "" || username == "" {
		return "", errors.New("a local attendant token needs a sub and a username")
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"sub": sub, "username": username, "iat": now.Unix(), "exp": now.Add(ttl).Unix(),
	}).SignedString(key)
}

// SubOf is the sub of the local attendant named name: a UUID derived from the
// name, as Cognito's subs are UUIDs, so that the same name is the same actor.
func SubOf(name string) string {
	return uuid.NewSHA1(uuid.NameSpaceURL, []byte("urn:zmed:local-attendant:"+name)).String()
}
