// Package console serves the attendants' console (docs/console.md): one HTML page,
// its stylesheet and ES modules, embedded in the binary, at GET / and under
// /console/. The page calls the same HTTP API, same origin.
package console

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/zmed/exam-manager/shared/apigw"
	"github.com/zmed/exam-manager/shared/exam"
)

// Function is the functions/ folder of the Lambda that serves the console.
const Function = "console"

// The console's routes: public (no authorizer), since the page must load
// before anyone has signed in. It holds no data; the API it calls is guarded.
// PageHeadRoute answers as PageRoute without the body (a monitor's or a
// browser's check of the page).
var (
	PageRoute     = apigw.Route{Method: "GET", Path: "/"}
	PageHeadRoute = apigw.Route{Method: "HEAD", Path: "/"}
	AssetsRoute   = apigw.Route{Method: "GET", Path: "/console/{proxy+}"}
)

// Routes are the console's routes.
func Routes() []apigw.Route { return []apigw.Route{PageRoute, PageHeadRoute, AssetsRoute} }

// AssetsPrefix is the path under which AssetsRoute serves the files.
const AssetsPrefix = "/console/"

//go:embed assets
var assets embed.FS

// Sign-in modes the page offers.
const (
	// ModeLocal: the local stack; the page acts as the local attendant or as
	// the attendant of a pasted local token.
	ModeLocal = "local"
	// ModeCognito: the stack's Cognito user pool (password and TOTP, through
	// the Cognito IdP API from the page).
	ModeCognito = "cognito"
	// ModeToken: an existing identity provider; the attendant pastes a token it issued.
	ModeToken = "token"
)

// Settings say how attendants sign in.
type Settings struct {
	Mode string
	// CognitoEndpoint is the Cognito IdP API's URL (https://cognito-idp.<region>.amazonaws.com/), for ModeCognito.
	CognitoEndpoint string
	// UserPoolID (region_name) and ClientID (its app client), for ModeCognito.
	UserPoolID, ClientID string
	// ResultsOrigin is the results bucket's origin (scheme, host and port
	// only), the one place besides the API the page may connect to: it posts
	// the results handed in at the desk there. "" for none.
	ResultsOrigin string
}

// pageConfig is /console/config.json: what the page needs to sign in.
type pageConfig struct {
	Mode            string `json:"mode"`
	CognitoEndpoint string `json:"cognito_endpoint,omitempty"`
	Region          string `json:"region,omitempty"`
	UserPoolID      string `json:"user_pool_id,omitempty"`
	ClientID        string `json:"client_id,omitempty"`
}

var (
	userPoolID = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+_[A-Za-z0-9]+$`)
	clientID   = regexp.MustCompile(`^[a-z0-9]{1,128}$`)
)

type catalogEntry struct {
	Code int    `json:"code"`
	Name string `json:"name"`
}

// Handler serves the console. Every response is built once, here, so a
// request costs a map lookup.
func Handler(s Settings) (apigw.Handler, error) {
	cfg := pageConfig{Mode: s.Mode}
	connect := "'self'"
	switch s.Mode {
	case ModeLocal, ModeToken:
	case ModeCognito:
		u, err := url.Parse(s.CognitoEndpoint)
		if err != nil || u.Scheme != "https" || u.Host == "" || strings.ContainsAny(u.Host, "*") || !strings.HasPrefix(u.Host, "cognito-idp.") {
			return nil, fmt.Errorf("console: the Cognito endpoint must be https://cognito-idp.<region>.<suffix>/, got %q", s.CognitoEndpoint)
		}
		region := strings.SplitN(strings.TrimPrefix(u.Host, "cognito-idp."), ".", 2)[0]
		if !userPoolID.MatchString(s.UserPoolID) || !strings.HasPrefix(s.UserPoolID, region+"_") {
			return nil, fmt.Errorf("console: the user pool id %q is not a pool of %s", s.UserPoolID, region)
		}
		if !clientID.MatchString(s.ClientID) {
			return nil, fmt.Errorf("console: the Cognito app client id %q is not one", s.ClientID)
		}
		origin := "https://" + u.Host
		cfg.CognitoEndpoint, cfg.Region, cfg.UserPoolID, cfg.ClientID = origin+"/", region, s.UserPoolID, s.ClientID
		connect += " " + origin
	default:
		return nil, fmt.Errorf("console: unknown sign-in mode %q", s.Mode)
	}
	if s.ResultsOrigin != "" {
		origin, err := resultsOrigin(s.ResultsOrigin)
		if err != nil {
			return nil, err
		}
		connect += " " + origin
	}
	headers := SecurityHeaders(connect)

	files := map[string]events.APIGatewayV2HTTPResponse{}
	err := fs.WalkDir(assets, "assets", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := assets.ReadFile(p)
		if err != nil {
			return err
		}
		files[strings.TrimPrefix(p, "assets/")] = response(headers, contentType(p), body)
		return nil
	})
	if err != nil {
		return nil, err
	}
	page, ok := files["index.html"]
	if !ok {
		return nil, fmt.Errorf("console: index.html is not embedded")
	}
	delete(files, "index.html")
	configJSON, _ := json.Marshal(cfg)
	files["config.json"] = response(headers, "application/json", configJSON)
	var catalog []catalogEntry
	for _, t := range exam.Catalog() {
		catalog = append(catalog, catalogEntry{int(t), t.Name()})
	}
	catalogJSON, _ := json.Marshal(catalog)
	files["catalog.json"] = response(headers, "application/json", catalogJSON)

	return func(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		method := req.RequestContext.HTTP.Method
		head := req.RouteKey == PageHeadRoute.String()
		if method != "" && method != http.MethodGet && !(head && method == http.MethodHead) {
			return apigw.Error(ctx, apigw.ErrMethodNotAllowed), nil
		}
		resp, ok := page, req.RouteKey == PageRoute.String() || head
		if req.RouteKey == AssetsRoute.String() {
			// An exact lookup among the embedded names: no path is ever joined.
			resp, ok = files[assetName(req)]
		}
		if !ok {
			return apigw.Error(ctx, apigw.ErrRouteNotFound), nil
		}
		if etag := resp.Headers["ETag"]; etag != "" && req.Headers["if-none-match"] == etag {
			return notModified(resp), nil
		}
		if head {
			resp.Body = ""
		}
		return resp, nil
	}, nil
}

// resultsOrigin is raw as a CSP source: an https origin (http on loopback
// only: the local stack's S3), nothing more (no path, query, credentials or
// wildcard), so that the page may connect to the bucket and to nothing else.
func resultsOrigin(raw string) (string, error) {
	u, err := url.Parse(raw)
	loopback := err == nil && (u.Hostname() == "127.0.0.1" || u.Hostname() == "localhost" || u.Hostname() == "::1")
	if err != nil || !(u.Scheme == "https" || u.Scheme == "http" && loopback) || u.Host == "" || u.User != nil ||
		strings.Trim(u.Path, "/") != "" || u.RawQuery != "" || u.Fragment != "" || strings.ContainsAny(u.Host, "*;, '") {
		return "", fmt.Errorf("console: %s must be the results bucket's origin (https://host[:port]), got %q", ResultsOriginVar, raw)
	}
	return u.Scheme + "://" + u.Host, nil
}

// assetName is the requested file below /console/: API Gateway gives it as the
// greedy path parameter; the raw path is the fallback.
func assetName(req events.APIGatewayV2HTTPRequest) string {
	if p, ok := req.PathParameters["proxy"]; ok {
		return p
	}
	return strings.TrimPrefix(req.RawPath, AssetsPrefix)
}

// SecurityHeaders are the headers of every console response. The policy lets
// the page load its own files only, run no inline script or style, be framed
// by no one, and call only its own origin (the API) and, in AWS, Cognito.
func SecurityHeaders(connectSrc string) map[string]string {
	csp := strings.Join([]string{
		"default-src 'none'",
		"script-src 'self'",
		"style-src 'self'",
		"img-src 'self'",
		"connect-src " + connectSrc,
		"base-uri 'none'",
		"form-action 'self'",
		"frame-ancestors 'none'",
	}, "; ")
	return map[string]string{
		"Content-Security-Policy":      csp,
		"X-Content-Type-Options":       "nosniff",
		"X-Frame-Options":              "DENY",
		"Referrer-Policy":              "no-referrer",
		"Cross-Origin-Opener-Policy":   "same-origin",
		"Cross-Origin-Resource-Policy": "same-origin",
		"Permissions-Policy":           "camera=(), microphone=(), geolocation=()",
		// Small files, always revalidated: a deployment shows at the next load.
		"Cache-Control": "no-cache",
	}
}

func response(security map[string]string, ctype string, body []byte) events.APIGatewayV2HTTPResponse {
	h := make(map[string]string, len(security)+2)
	for k, v := range security {
		h[k] = v
	}
	h["Content-Type"] = ctype
	// Revalidated at each load (Cache-Control: no-cache): unchanged, it costs a 304.
	sum := sha256.Sum256(body)
	h["ETag"] = `"` + hex.EncodeToString(sum[:16]) + `"`
	return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusOK, Headers: h, Body: string(body)}
}

// notModified is resp's 304: its headers, no body.
func notModified(resp events.APIGatewayV2HTTPResponse) events.APIGatewayV2HTTPResponse {
	return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusNotModified, Headers: resp.Headers}
}

func contentType(p string) string {
	switch path.Ext(p) {
	case ".html":
		return "text/html; charset=utf-8"
	case ".js", ".mjs":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".txt":
		return "text/plain; charset=utf-8"
	}
	if t := mime.TypeByExtension(path.Ext(p)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// Files are the sizes of the files the page loads (every embedded file but
// the licence text), by name below assets/.
func Files() map[string]int {
	files := map[string]int{}
	_ = fs.WalkDir(assets, "assets", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && path.Ext(p) != ".txt" {
			if info, err := d.Info(); err == nil {
				files[strings.TrimPrefix(p, "assets/")] = int(info.Size())
			}
		}
		return nil
	})
	return files
}

// PageWeight is the bytes the page loads, uncompressed (config.json and
// catalog.json, a few hundred bytes, aside).
func PageWeight() int {
	total := 0
	for _, n := range Files() {
		total += n
	}
	return total
}
