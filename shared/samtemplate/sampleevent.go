package samtemplate

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/aws/aws-lambda-go/events"

	"github.com/zmed/exam-manager/shared/apigw"
)

// RouteEvent is the sample event of route in events/<folder>/ under root (the
// API Gateway event `sam local invoke` and the bench replay) and its file's
// path, or an error naming what is missing.
func RouteEvent(root, folder string, route apigw.Route) (events.APIGatewayV2HTTPRequest, string, error) {
	files, _ := filepath.Glob(filepath.Join(root, "events", folder, "*.json"))
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			return events.APIGatewayV2HTTPRequest{}, "", err
		}
		var ev events.APIGatewayV2HTTPRequest
		if json.Unmarshal(raw, &ev) == nil && ev.RouteKey == route.String() {
			return ev, f, nil
		}
	}
	return events.APIGatewayV2HTTPRequest{}, "", fmt.Errorf("events/%s/ has no sample event with routeKey %q", folder, route.String())
}
