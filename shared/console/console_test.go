package console

import (
	"context"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/zmed/exam-manager/shared/apigw"
	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/resultfiling"
)

func get(t *testing.T, h func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error), routeKey, rawPath string) events.APIGatewayV2HTTPResponse {
	t.Helper()
	resp, err := h(context.Background(), events.APIGatewayV2HTTPRequest{RouteKey: routeKey, RawPath: rawPath,
		RequestContext: events.APIGatewayV2HTTPRequestContext{HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET", Path: rawPath}}})
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func directives(csp string) map[string][]string {
	out := map[string][]string{}
	for _, d := range strings.Split(csp, ";") {
		f := strings.Fields(d)
		if len(f) > 0 {
			out[f[0]] = f[1:]
		}
	}
	return out
}

// TestSecurityHeaders: every response (the page, each file, the JSON it
// loads) carries a strict policy: nothing inline, no wildcard, no framing,
// connections to its own origin only (and Cognito's in AWS).
func TestSecurityHeaders(t *testing.T) {
	modes := []struct {
		name     string
		settings Settings
		connect  []string
	}{
		{"local", Settings{Mode: ModeLocal}, []string{"'self'"}},
		{"token", Settings{Mode: ModeToken}, []string{"'self'"}},
		{"cognito", Settings{Mode: ModeCognito, CognitoEndpoint: "https://cognito-idp.sa-east-1.amazonaws.com/", UserPoolID: "sa-east-1_AbC123", ClientID: "abc123"},
			[]string{"'self'", "https://cognito-idp.sa-east-1.amazonaws.com"}},
		{"cognito, with the results bucket", Settings{Mode: ModeCognito, CognitoEndpoint: "https://cognito-idp.sa-east-1.amazonaws.com/", UserPoolID: "sa-east-1_AbC123", ClientID: "abc123",
			ResultsOrigin: "https://zmed-exams-result-prod-123456789012-sa-east-1.s3.sa-east-1.amazonaws.com"},
			[]string{"'self'", "https://cognito-idp.sa-east-1.amazonaws.com", "https://zmed-exams-result-prod-123456789012-sa-east-1.s3.sa-east-1.amazonaws.com"}},
	}
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			h, err := Handler(m.settings)
			if err != nil {
				t.Fatal(err)
			}
			paths := []struct{ key, path, ctype string }{
				{PageRoute.String(), "/", "text/html"},
				{AssetsRoute.String(), "/console/app.js", "text/javascript"},
				{AssetsRoute.String(), "/console/vendor/uqr-0.1.3.mjs", "text/javascript"},
				{AssetsRoute.String(), "/console/console.css", "text/css"},
				{AssetsRoute.String(), "/console/config.json", "application/json"},
				{AssetsRoute.String(), "/console/catalog.json", "application/json"},
			}
			for _, p := range paths {
				resp := get(t, h, p.key, p.path)
				if resp.StatusCode != 200 || !strings.HasPrefix(resp.Headers["Content-Type"], p.ctype) {
					t.Fatalf("%s: %d %q", p.path, resp.StatusCode, resp.Headers["Content-Type"])
				}
				csp := resp.Headers["Content-Security-Policy"]
				if strings.Contains(csp, "unsafe-") || strings.Contains(csp, "*") || strings.Contains(csp, "data:") || strings.Contains(csp, "http:") {
					t.Errorf("%s: a loose policy: %s", p.path, csp)
				}
				d := directives(csp)
				want := map[string]string{
					"default-src": "'none'", "script-src": "'self'", "style-src": "'self'", "frame-ancestors": "'none'",
					"base-uri": "'none'", "connect-src": strings.Join(m.connect, " "),
				}
				for name, value := range want {
					if got := strings.Join(d[name], " "); got != value {
						t.Errorf("%s: %s is %q, want %q", p.path, name, got, value)
					}
				}
				for name, value := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY"} {
					if resp.Headers[name] != value {
						t.Errorf("%s: %s = %q, want %q", p.path, name, resp.Headers[name], value)
					}
				}
			}
			var cfg pageConfig
			if err := json.Unmarshal([]byte(get(t, h, AssetsRoute.String(), "/console/config.json").Body), &cfg); err != nil || cfg.Mode != m.settings.Mode {
				t.Errorf("config.json: %+v, %v", cfg, err)
			}
		})
	}
}

func TestRefusesALooseCognitoEndpoint(t *testing.T) {
	for _, endpoint := range []string{"", "http://cognito-idp.sa-east-1.amazonaws.com/", "https://*.amazonaws.com/", "https://evil.example/", "https://cognito-idp.*/"} {
		if _, err := Handler(Settings{Mode: ModeCognito, CognitoEndpoint: endpoint, UserPoolID: "sa-east-1_AbC123", ClientID: "abc"}); err == nil {
			t.Errorf("endpoint %q accepted", endpoint)
		}
	}
	const endpoint = "https://cognito-idp.sa-east-1.amazonaws.com/"
	for _, s := range []Settings{
		{UserPoolID: "sa-east-1_AbC123"},
		{UserPoolID: "sa-east-1_AbC123", ClientID: "abc'; script-src *"},
		{ClientID: "abc"},
		{UserPoolID: "us-east-1_AbC123", ClientID: "abc"},
		{UserPoolID: "sa-east-1_Ab\"C", ClientID: "abc"},
	} {
		s.Mode, s.CognitoEndpoint = ModeCognito, endpoint
		if _, err := Handler(s); err == nil {
			t.Errorf("%+v accepted", s)
		}
	}
	if _, err := Handler(Settings{Mode: "anonymous"}); err == nil {
		t.Error("an unknown mode accepted")
	}
}

// TestResultsOrigin: the results bucket's origin joins connect-src as an
// origin alone; anything looser stops the console at start.
func TestResultsOrigin(t *testing.T) {
	for raw, want := range map[string]string{
		"https://zmed-exams-result-dev-1-sa-east-1.s3.sa-east-1.amazonaws.com":  "https://zmed-exams-result-dev-1-sa-east-1.s3.sa-east-1.amazonaws.com",
		"https://zmed-exams-result-dev-1-sa-east-1.s3.sa-east-1.amazonaws.com/": "https://zmed-exams-result-dev-1-sa-east-1.s3.sa-east-1.amazonaws.com",
		"http://127.0.0.1:4566": "http://127.0.0.1:4566",
	} {
		h, err := Handler(Settings{Mode: ModeLocal, ResultsOrigin: raw})
		if err != nil {
			t.Fatalf("%q: %v", raw, err)
		}
		if got := directives(get(t, h, PageRoute.String(), "/").Headers["Content-Security-Policy"])["connect-src"]; strings.Join(got, " ") != "'self' "+want {
			t.Errorf("%q: connect-src %q", raw, got)
		}
	}
	for _, raw := range []string{
		"http://zmed.s3.amazonaws.com", "https://*.amazonaws.com", "https://s3.amazonaws.com/zmed-exams-result", "https://a.example?x=1",
		"https://a.example#f", "https://user@a.example", "https://a.example; script-src *", "s3.amazonaws.com", "https://", "javascript:alert(1)",
	} {
		if _, err := Handler(Settings{Mode: ModeLocal, ResultsOrigin: raw}); err == nil {
			t.Errorf("%q accepted", raw)
		}
	}
}

// TestServesOnlyItsFiles: a name is looked up among the embedded files, never
// joined to a path; anything else is the API's 404 body.
func TestServesOnlyItsFiles(t *testing.T) {
	h, err := Handler(Settings{Mode: ModeLocal})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/console/", "/console/../console.go", "/console/index.html", "/console/%2e%2e/console.go", "/console/nope.js", "/console/vendor", "/console/assets/app.js"} {
		resp := get(t, h, AssetsRoute.String(), p)
		if resp.StatusCode != 404 || !strings.Contains(resp.Body, `"ROUTE_NOT_FOUND"`) {
			t.Errorf("%s: %d %s", p, resp.StatusCode, resp.Body)
		}
	}
	resp, _ := h(context.Background(), events.APIGatewayV2HTTPRequest{RouteKey: PageRoute.String(), RawPath: "/",
		RequestContext: events.APIGatewayV2HTTPRequestContext{HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "POST"}}})
	if resp.StatusCode != 405 {
		t.Errorf("POST /: %d", resp.StatusCode)
	}
	// Behind API Gateway the file comes as the greedy path parameter.
	resp, _ = h(context.Background(), events.APIGatewayV2HTTPRequest{RouteKey: AssetsRoute.String(), RawPath: "/console/app.js", PathParameters: map[string]string{"proxy": "api.js"}})
	if resp.StatusCode != 200 || !strings.Contains(resp.Body, "createApi") {
		t.Errorf("the path parameter was not used: %d", resp.StatusCode)
	}
}

// TestCatalogComesFromTheCode: the page's exam names are the Go catalog's.
func TestCatalogComesFromTheCode(t *testing.T) {
	h, _ := Handler(Settings{Mode: ModeLocal})
	var got []catalogEntry
	if err := json.Unmarshal([]byte(get(t, h, AssetsRoute.String(), "/console/catalog.json").Body), &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(exam.Catalog()) || len(got) < 10 {
		t.Fatalf("%d entries for %d catalog types", len(got), len(exam.Catalog()))
	}
	for i, e := range got {
		if want := exam.Catalog()[i]; e.Code != int(want) || e.Name != want.Name() {
			t.Errorf("entry %d: %+v, want %d %q", i, e, want, want.Name())
		}
	}
}

// TestEveryErrorCodeHasAMessage: each code of the API's error table and of
// the domain (audit-only ones included: the console may show them one day)
// has a Portuguese message in messages.js.
func TestEveryErrorCodeHasAMessage(t *testing.T) {
	codes := exam.Codes()
	for _, r := range apigw.ErrorTable {
		if !slices.Contains(codes, r.Code) {
			codes = append(codes, r.Code)
		}
	}
	messages, err := assets.ReadFile("assets/messages.js")
	if err != nil {
		t.Fatal(err)
	}
	for _, code := range codes {
		if !regexp.MustCompile(`\n  ` + code + `: '[^']{10,}',`).Match(messages) {
			t.Errorf("messages.js has no Portuguese message for %s", code)
		}
	}
}

// TestEveryNotificationOutcomeHasALabel: each notification status the
// domain records, and each failure code it makes itself, reads in Portuguese.
func TestEveryNotificationOutcomeHasALabel(t *testing.T) {
	messages, err := assets.ReadFile("assets/messages.js")
	if err != nil {
		t.Fatal(err)
	}
	for _, status := range []exam.NotificationStatus{exam.NotificationPending, exam.NotificationSent, exam.NotificationSkipped,
		exam.NotificationUnconfirmed, exam.NotificationFailed} {
		if !regexp.MustCompile(`\n  ` + string(status) + `: '[^']{10,}',`).Match(messages) {
			t.Errorf("messages.js has no label for the notification status %s", status)
		}
	}
	if !regexp.MustCompile(`\n  ` + exam.InvalidDestination + `: '[^']{20,}',`).Match(messages) {
		t.Errorf("messages.js does not explain the failure %s", exam.InvalidDestination)
	}
}

// TestEveryHandInOutcomeHasALabel: each place a result handed in may be
// filed, and each reason processing gives, reads in Portuguese.
func TestEveryHandInOutcomeHasALabel(t *testing.T) {
	messages, err := assets.ReadFile("assets/messages.js")
	if err != nil {
		t.Fatal(err)
	}
	for _, state := range []exam.UploadState{exam.UploadWaiting, exam.UploadProcessed, exam.UploadStuck, exam.UploadDenied, exam.UploadDeleted} {
		if !regexp.MustCompile(`\n  ` + string(state) + `: '[^']{10,}',`).Match(messages) {
			t.Errorf("messages.js has no label for the hand-in state %s", state)
		}
	}
	for _, reason := range append([]string{exam.NotReceived}, reasons()...) {
		if !regexp.MustCompile(`\n  ` + reason + `: '[^']{15,}',`).Match(messages) {
			t.Errorf("messages.js does not explain the filing reason %s", reason)
		}
	}
}

func reasons() []string {
	var out []string
	for _, r := range resultfiling.Reasons {
		out = append(out, string(r))
	}
	return out
}

// TestPageWeight: the page and everything it loads stay within 150 KB.
func TestPageWeight(t *testing.T) {
	if n := PageWeight(); n > 150_000 || n < 10_000 {
		t.Errorf("the console weighs %d bytes", n)
	}
}

// TestRevalidation: a file the browser holds, unchanged, is a 304 with no body.
func TestRevalidation(t *testing.T) {
	h, _ := Handler(Settings{Mode: ModeLocal})
	for _, p := range []struct{ key, path string }{{PageRoute.String(), "/"}, {AssetsRoute.String(), "/console/app.js"}} {
		first := get(t, h, p.key, p.path)
		etag := first.Headers["ETag"]
		if !regexp.MustCompile(`^"[0-9a-f]{32}"$`).MatchString(etag) {
			t.Fatalf("%s: ETag %q", p.path, etag)
		}
		for _, tt := range []struct {
			ifNoneMatch string
			status      int
		}{{etag, 304}, {`"00000000000000000000000000000000"`, 200}, {"", 200}} {
			resp, _ := h(context.Background(), events.APIGatewayV2HTTPRequest{RouteKey: p.key, RawPath: p.path, Headers: map[string]string{"if-none-match": tt.ifNoneMatch}})
			if resp.StatusCode != tt.status || (tt.status == 304) != (resp.Body == "") || resp.Headers["Content-Security-Policy"] == "" {
				t.Errorf("%s If-None-Match %q: %d, %d bytes", p.path, tt.ifNoneMatch, resp.StatusCode, len(resp.Body))
			}
		}
	}
}

// TestHeadIsGetWithoutBody: HEAD / (a monitor's or a browser's check of the
// page) answers as GET / does, status and headers, without the body.
func TestHeadIsGetWithoutBody(t *testing.T) {
	h, _ := Handler(Settings{Mode: ModeLocal})
	page := get(t, h, PageRoute.String(), "/")
	resp, err := h(context.Background(), events.APIGatewayV2HTTPRequest{RouteKey: "HEAD /", RawPath: "/",
		RequestContext: events.APIGatewayV2HTTPRequestContext{HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "HEAD", Path: "/"}}})
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.Body != "" || resp.Headers["Content-Type"] != page.Headers["Content-Type"] ||
		resp.Headers["ETag"] != page.Headers["ETag"] || resp.Headers["Content-Security-Policy"] != page.Headers["Content-Security-Policy"] {
		t.Fatalf("HEAD /: %d %v, %d bytes; want GET /'s status and headers, no body", resp.StatusCode, resp.Headers, len(resp.Body))
	}
	if !slices.Contains(Routes(), apigw.Route{Method: "HEAD", Path: "/"}) {
		t.Fatal("HEAD / is not among the console's routes (the template and the local API mount those)")
	}
}
