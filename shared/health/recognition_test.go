package health_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/zmed/exam-manager/shared/apigw"
	"github.com/zmed/exam-manager/shared/audit"
	"github.com/zmed/exam-manager/shared/console"
	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/health"
	"github.com/zmed/exam-manager/shared/keyrotation"
	"github.com/zmed/exam-manager/shared/s3event"
	"github.com/zmed/exam-manager/shared/scheduled"
	"github.com/zmed/exam-manager/shared/testsupport/logtest"
)

// handler is a handler of one event kind, as a Lambda runs it: event in, JSON
// answer out. work is what the handler does for a real event.
type handler func(t *testing.T, event []byte, work func()) ([]byte, error)

// lambdaJSON runs h as the Lambda runtime does: the event decoded into h's
// type, the answer encoded.
func lambdaJSON[E, R any](h func(context.Context, E) (R, error)) func(event []byte) ([]byte, error) {
	return func(event []byte) ([]byte, error) {
		var ev E
		if err := json.Unmarshal(event, &ev); err != nil {
			return nil, err
		}
		r, err := h(context.Background(), ev)
		if err != nil {
			return nil, err
		}
		return json.Marshal(r)
	}
}

var route = apigw.Route{Method: "POST", Path: "/exam/new"}

// The handler of each kind, the real event its trigger sends and events that
// carry the health marker elsewhere than where the recogniser looks.
var kinds = map[health.Kind]struct {
	handlers map[string]handler
	real     map[string][]string // by handler
}{
	health.API: {
		handlers: map[string]handler{
			"apigw.Serve": func(t *testing.T, event []byte, work func()) ([]byte, error) {
				return lambdaJSON(func(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
					return apigw.Serve(route, audit.Action("exam.register"), audit.Writer{}, func(context.Context, exam.Actor, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
						work()
						return apigw.JSON(201, map[string]string{}), nil
					})(ctx, req)
				})(event)
			},
			"console.Handler": func(t *testing.T, event []byte, work func()) ([]byte, error) {
				h, err := console.Handler(console.Settings{Mode: console.ModeToken})
				if err != nil {
					t.Fatal(err)
				}
				out, err := lambdaJSON(h)(event)
				var resp events.APIGatewayV2HTTPResponse
				if json.Unmarshal(out, &resp) == nil && resp.StatusCode == 200 && resp.Headers["Content-Security-Policy"] != "" {
					work() // a file of the console served
				}
				return out, err
			},
		},
		real: map[string][]string{
			"apigw.Serve": {
				`{"version":"2.0","routeKey":"POST /exam/new","rawPath":"/exam/new","body":"{}","requestContext":{"http":{"method":"POST","path":"/exam/new"},"authorizer":{"jwt":{"claims":{"sub":"u1"}}}}}`,
				// The marker where a client puts what it likes: the path, a header, the body.
				`{"version":"2.0","routeKey":"POST /exam/new","rawPath":"/$zmed-health","headers":{"routekey":"$zmed-health"},"body":"{\"routeKey\":\"$zmed-health\"}","requestContext":{"routeKey":"POST /exam/new","http":{"method":"POST","path":"/$zmed-health"},"authorizer":{"jwt":{"claims":{"sub":"u1"}}}}}`,
			},
			"console.Handler": {
				`{"version":"2.0","routeKey":"GET /","rawPath":"/","requestContext":{"http":{"method":"GET","path":"/"}}}`,
				`{"version":"2.0","routeKey":"GET /console/{proxy+}","rawPath":"/console/$zmed-health","pathParameters":{"proxy":"app.js"},"requestContext":{"http":{"method":"GET","path":"/console/$zmed-health"}}}`,
			},
		},
	},
	health.S3: {
		handlers: map[string]handler{
			"s3event.Lambda": func(t *testing.T, event []byte, work func()) ([]byte, error) {
				return lambdaJSON(s3event.Lambda(func(context.Context, string, string, string) error { work(); return nil }))(event)
			},
		},
		real: map[string][]string{"s3event.Lambda": {
			`{"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"},"object":{"key":"completed/zmed%3Ahealth.pdf","versionId":"v1"}}}]}`,
			// Two records, one marked: no trigger sends it; the records are processed as any.
			`{"Records":[{"eventSource":"zmed:health"},{"eventSource":"aws:s3","s3":{"bucket":{"name":"b"},"object":{"key":"completed/a.pdf"}}}]}`,
		}},
	},
	health.Schedule: {
		handlers: map[string]handler{
			"scheduled.Handler": func(t *testing.T, event []byte, work func()) ([]byte, error) {
				return lambdaJSON(scheduled.Handler(func(context.Context) error { work(); return nil }))(event)
			},
		},
		real: map[string][]string{"scheduled.Handler": {
			`{"version":"0","id":"1","detail-type":"Scheduled Event","source":"aws.events","resources":["arn:aws:events:sa-east-1:1:rule/zmed.health"],"detail":{}}`,
		}},
	},
	health.Rotation: {
		handlers: map[string]handler{
			"keyrotation.Handler": func(t *testing.T, event []byte, work func()) ([]byte, error) {
				return lambdaJSON(keyrotation.Handler(keyrotation.Rotator{Rotated: []string{"arn:aws:secretsmanager:sa-east-1:1:secret:k"}, Secrets: workingSecrets{work}}))(event)
			},
		},
		real: map[string][]string{"keyrotation.Handler": {
			// A step Secrets Manager sends, the marker in the token: a rotation step.
			`{"Step":"createSecret","SecretId":"arn:aws:secretsmanager:sa-east-1:1:secret:k","ClientRequestToken":"zmed:health"}`,
		}},
	},
}

// workingSecrets is a Secrets Manager whose every call is the handler's work.
type workingSecrets struct{ work func() }

func (w workingSecrets) DescribeSecret(context.Context, *secretsmanager.DescribeSecretInput, ...func(*secretsmanager.Options)) (*secretsmanager.DescribeSecretOutput, error) {
	w.work()
	return &secretsmanager.DescribeSecretOutput{}, nil
}

func (w workingSecrets) GetSecretValue(context.Context, *secretsmanager.GetSecretValueInput, ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	w.work()
	return &secretsmanager.GetSecretValueOutput{}, nil
}

func (w workingSecrets) PutSecretValue(context.Context, *secretsmanager.PutSecretValueInput, ...func(*secretsmanager.Options)) (*secretsmanager.PutSecretValueOutput, error) {
	w.work()
	return &secretsmanager.PutSecretValueOutput{}, nil
}

func (w workingSecrets) UpdateSecretVersionStage(context.Context, *secretsmanager.UpdateSecretVersionStageInput, ...func(*secretsmanager.Options)) (*secretsmanager.UpdateSecretVersionStageOutput, error) {
	w.work()
	return &secretsmanager.UpdateSecretVersionStageOutput{}, nil
}

// TestEachKindAnswersItsHealthEventWithoutWork: the handler of each kind
// answers its health event, as the hook checks it, without doing its work and
// without an audit line; the events its trigger sends still do the work.
func TestEachKindAnswersItsHealthEventWithoutWork(t *testing.T) {
	t.Setenv("AWS_LAMBDA_FUNCTION_VERSION", "12")
	for _, kind := range health.Kinds() {
		k, ok := kinds[kind]
		if !ok || len(k.handlers) == 0 {
			t.Errorf("kind %s: no handler in this test", kind)
			continue
		}
		event, err := health.Event(kind)
		if err != nil {
			t.Fatal(err)
		}
		for name, h := range k.handlers {
			if len(k.real[name]) == 0 {
				t.Errorf("%s: no real event in this test", name)
			}
			t.Run(string(kind)+"/"+name, func(t *testing.T) {
				logs := logtest.Capture(t)
				answer, err := h(t, event, func() { t.Error("the health event did the handler's work") })
				if err != nil {
					t.Fatalf("the health event failed: %v", err)
				}
				if err := health.Check(kind, answer, "12"); err != nil {
					t.Fatalf("%v: %s", err, answer)
				}
				if lines := logtest.AuditLines(t, logs.String()); len(lines) > 0 {
					t.Errorf("the health event wrote an audit line: %v", lines[0].Raw)
				}
				for _, other := range health.Kinds() {
					if other != kind && health.Check(other, answer, "") == nil {
						t.Errorf("the answer passes as %s's too", other)
					}
				}
				for _, real := range k.real[name] {
					worked := false
					answer, _ := h(t, []byte(real), func() { worked = true })
					if !worked || health.Check(kind, answer, "") == nil {
						t.Errorf("%s: answered as the health event (worked %v): %s", real, worked, answer)
					}
				}
			})
		}
	}
}

// TestCheckRefusesWrongAnswers: the hook's check of an answer.
func TestCheckRefusesWrongAnswers(t *testing.T) {
	ok := `{"health":"ok","kind":"s3","function":"f","version":"3"}`
	if err := health.Check(health.S3, []byte(ok), "3"); err != nil {
		t.Fatalf("the right answer: %v", err)
	}
	for _, tc := range []struct {
		kind    health.Kind
		payload string
	}{
		{health.S3, `null`},
		{health.S3, `{"health":"ok","kind":"s3","function":"f","version":"2"}`},
		{health.S3, `{"health":"bad","kind":"s3","version":"3"}`},
		{health.S3, `{"health":"ok","kind":"schedule","version":"3"}`},
		{health.S3, `"ok"`},
		{health.API, ok},
		{health.API, `{"statusCode":404,"body":` + jsonString(ok) + `}`},
		{health.API, `{"statusCode":200,"body":"<html>"}`},
	} {
		if err := health.Check(tc.kind, []byte(tc.payload), "3"); err == nil {
			t.Errorf("%s %s: accepted", tc.kind, tc.payload)
		}
	}
	if _, err := health.Event("sqs"); err == nil {
		t.Error("an event of an unknown kind")
	}
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
