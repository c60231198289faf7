package apigw

import (
	"context"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"github.com/zmed/exam-manager/shared/health"
)

// HealthAnswer answers the health event, the request whose route key is
// health.RouteKey: API Gateway sets the key of the route it matched, so no
// client request carries it. ok is false for every other request, which the
// caller serves as before. Serve and the console's handler ask it first.
func HealthAnswer(ctx context.Context, req events.APIGatewayV2HTTPRequest) (resp events.APIGatewayV2HTTPResponse, ok bool) {
	if req.RouteKey != health.RouteKey {
		return resp, false
	}
	return JSON(http.StatusOK, health.Answered(ctx, health.API)), true
}
