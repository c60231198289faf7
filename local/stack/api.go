package stack

import (
	"context"
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/uuid"

	"github.com/zmed/exam-manager/local/authorizer"
	"github.com/zmed/exam-manager/shared/apigw"
	"github.com/zmed/exam-manager/shared/logctx"
)

// apiGateway serves HTTP as API Gateway's HTTP API does for Lambda
// integrations: each request becomes a payload 2.0 event for the handler of its
// route, and the handler's response becomes the HTTP response.
type apiGateway struct {
	routes map[apigw.Route]apigw.Handler
	// public routes carry no authorizer (the console's, as in template.yaml).
	public  map[apigw.Route]bool
	auth    authorizer.Authorizer
	timeout time.Duration
}

func (g apiGateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	requestID := uuid.NewString()
	ctx, cancel := context.WithTimeout(logctx.WithRequestID(r.Context(), requestID), g.timeout)
	defer cancel()

	// Bodies past the limit are cut one byte over it: the handler answers 413.
	body, err := io.ReadAll(io.LimitReader(r.Body, apigw.MaxBody+1))
	if err != nil {
		writeResponse(w, apigw.Error(ctx, err))
		return
	}
	path := r.URL.Path
	route, handler, err := g.match(r.Method, path)
	if err != nil {
		writeResponse(w, apigw.Error(ctx, err))
		return
	}
	ev := toEvent(r, body, route, requestID)
	if !g.public[route] {
		// The JWT authorizer guards every other route, as in AWS: a bad token
		// never reaches a handler.
		// Present but empty is not absent: only a request without the
		// header is the local attendant. Two headers make one bad value.
		values, present := r.Header["Authorization"]
		authz, err := g.auth.Authorize(strings.Join(values, ","), present)
		if err != nil {
			writeResponse(w, apigw.Error(ctx, err))
			return
		}
		ev.RequestContext.Authorizer = authz
	}
	resp, err := handler(ctx, ev)
	if err != nil {
		// A Lambda error reaches the caller as API Gateway's bare 500.
		resp = apigw.Error(ctx, err)
	}
	writeResponse(w, resp)
}

// match finds the handler of method and path, or a 404 / 405 error.
func (g apiGateway) match(method, path string) (apigw.Route, apigw.Handler, error) {
	if len(path) > 1 {
		path = strings.TrimSuffix(path, "/")
	}
	pathKnown := false
	for route, h := range g.routes {
		if route.Path != path && !greedyMatch(route.Path, path) {
			continue
		}
		pathKnown = true
		if route.Method == method {
			return route, h, nil
		}
	}
	if pathKnown {
		return apigw.Route{}, nil, apigw.ErrMethodNotAllowed
	}
	return apigw.Route{}, nil, apigw.ErrRouteNotFound
}

// greedyMatch reports whether path falls under a greedy route such as
// /console/{proxy+} (one or more segments below the prefix), as API Gateway matches it.
func greedyMatch(route, path string) bool {
	prefix, ok := strings.CutSuffix(route, "{proxy+}")
	return ok && strings.HasPrefix(path, prefix) && len(path) > len(prefix)
}

// toEvent builds the payload 2.0 event API Gateway would send.
func toEvent(r *http.Request, body []byte, route apigw.Route, requestID string) events.APIGatewayV2HTTPRequest {
	headers := map[string]string{}
	var cookies []string
	for name, values := range r.Header {
		if strings.EqualFold(name, "Cookie") {
			cookies = append(cookies, values...)
			continue
		}
		headers[strings.ToLower(name)] = strings.Join(values, ",")
	}
	var query map[string]string
	if q := r.URL.Query(); len(q) > 0 {
		query = map[string]string{}
		for k, v := range q {
			query[k] = strings.Join(v, ",")
		}
	}
	sourceIP, _, _ := net.SplitHostPort(r.RemoteAddr)
	now := time.Now()
	ev := events.APIGatewayV2HTTPRequest{
		Version:               "2.0",
		RouteKey:              route.String(),
		RawPath:               r.URL.Path,
		RawQueryString:        r.URL.RawQuery,
		Cookies:               cookies,
		Headers:               headers,
		QueryStringParameters: query,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey:     route.String(),
			AccountID:    "000000000000",
			Stage:        "$default",
			RequestID:    requestID,
			APIID:        "local",
			DomainName:   r.Host,
			DomainPrefix: "local",
			Time:         now.UTC().Format("02/Jan/2006:15:04:05 -0700"),
			TimeEpoch:    now.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method:    r.Method,
				Path:      r.URL.Path,
				Protocol:  r.Proto,
				SourceIP:  sourceIP,
				UserAgent: r.UserAgent(),
			},
		},
	}
	if len(body) > 0 {
		if utf8.Valid(body) {
			ev.Body = string(body)
		} else {
			ev.Body, ev.IsBase64Encoded = base64.StdEncoding.EncodeToString(body), true
		}
	}
	return ev
}

func writeResponse(w http.ResponseWriter, resp events.APIGatewayV2HTTPResponse) {
	for k, v := range resp.Headers {
		w.Header().Set(k, v)
	}
	for k, vs := range resp.MultiValueHeaders {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	for _, c := range resp.Cookies {
		w.Header().Add("Set-Cookie", c)
	}
	body := []byte(resp.Body)
	if resp.IsBase64Encoded {
		if decoded, err := base64.StdEncoding.DecodeString(resp.Body); err == nil {
			body = decoded
		}
	}
	status := resp.StatusCode
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
