package console

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/zmed/exam-manager/shared/health"
)

// FuzzHandler sends any route key, path and greedy path parameter to the
// console's handler: a 200 only for an embedded file, by its exact name, under
// the security headers; the health event's route key, the health answer;
// anything else the API's JSON error, never a panic.
func FuzzHandler(f *testing.F) {
	h, err := Handler(Settings{Mode: ModeLocal})
	if err != nil {
		f.Fatal(err)
	}
	files := Files()
	f.Add(PageRoute.String(), "/", "", false)
	f.Add(AssetsRoute.String(), "/console/app.js", "app.js", true)
	f.Add(AssetsRoute.String(), "/console/../console.go", "../console.go", true)
	f.Add(AssetsRoute.String(), "/console/vendor/uqr-0.1.3.LICENSE.txt", "", false)
	f.Add("POST /exam/new", "/exam/new", "", false)
	f.Add(health.RouteKey, "/", "", false)
	f.Fuzz(func(t *testing.T, routeKey, rawPath, proxy string, withProxy bool) {
		req := events.APIGatewayV2HTTPRequest{RouteKey: routeKey, RawPath: rawPath}
		name := strings.TrimPrefix(rawPath, AssetsPrefix)
		if withProxy {
			req.PathParameters = map[string]string{"proxy": proxy}
			name = proxy
		}
		resp, err := h(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		if routeKey == health.RouteKey {
			answer, _ := json.Marshal(resp)
			if err := health.Check(health.API, answer, ""); err != nil {
				t.Fatalf("the health event: %v", err)
			}
			return
		}
		if resp.StatusCode == 200 {
			_, embedded := files[name]
			ok := routeKey == PageRoute.String() ||
				(routeKey == AssetsRoute.String() && (embedded || name == "config.json" || name == "catalog.json" || name == "vendor/uqr-0.1.3.LICENSE.txt"))
			if !ok || !strings.Contains(resp.Headers["Content-Security-Policy"], "frame-ancestors 'none'") {
				t.Fatalf("%q %q %q: 200 %q", routeKey, rawPath, proxy, resp.Headers["Content-Type"])
			}
			return
		}
		var body struct {
			Error struct{ Code string } `json:"error"`
		}
		if resp.StatusCode != 404 || json.Unmarshal([]byte(resp.Body), &body) != nil || body.Error.Code != "ROUTE_NOT_FOUND" {
			t.Fatalf("%q %q %q: %d %s", routeKey, rawPath, proxy, resp.StatusCode, resp.Body)
		}
	})
}
