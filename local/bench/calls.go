package main

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/middleware"
	"github.com/google/uuid"

	"github.com/zmed/exam-manager/local/authorizer"
	"github.com/zmed/exam-manager/local/stack"
	"github.com/zmed/exam-manager/shared/apigw"
	"github.com/zmed/exam-manager/shared/audit"
	"github.com/zmed/exam-manager/shared/console"
	"github.com/zmed/exam-manager/shared/cursor"
	"github.com/zmed/exam-manager/shared/dynamostore"
	"github.com/zmed/exam-manager/shared/httpapi"
	"github.com/zmed/exam-manager/shared/patient"
	"github.com/zmed/exam-manager/shared/resultfiling"
	"github.com/zmed/exam-manager/shared/s3event"
	"github.com/zmed/exam-manager/shared/s3results"
	"github.com/zmed/exam-manager/shared/testsupport/emulators"
	"github.com/zmed/exam-manager/shared/token"
	"github.com/zmed/exam-manager/shared/wiring"
	"github.com/zmed/exam-manager/shared/wiring/processresult"
)

// counter counts SDK operations (by service) through a middleware, and
// patient-manager requests through the HTTP client.
type counter struct {
	mu     sync.Mutex
	counts map[string]int
}

func (c *counter) add(what string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.counts[what]++
}

func (c *counter) reset() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	prev := c.counts
	c.counts = map[string]int{}
	return prev
}

// apiOption counts each SDK operation once, whatever its retries.
func (c *counter) apiOption(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("zmed-count", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
		c.add(middleware.GetServiceID(ctx))
		return next.HandleInitialize(ctx, in)
	}), middleware.Before)
}

func (c *counter) RoundTrip(r *http.Request) (*http.Response, error) {
	c.add("patient manager")
	return http.DefaultTransport.RoundTrip(r)
}

func (c *counter) config(endpoint string) aws.Config {
	cfg := emulators.Config(endpoint)
	cfg.APIOptions = append(cfg.APIOptions, c.apiOption)
	return cfg
}

// callCounts runs each operation once with the production adapters, counted,
// against the local stack's endpoints.
func callCounts(ctx context.Context, work string) error {
	st, cfg, err := startStack(ctx, work, "calls", map[string]string{"ZMED_LOCAL_NOTIFICATIONS_ADDR": "127.0.0.1:0"})
	if err != nil {
		return err
	}
	defer st.Close()

	c := &counter{counts: map[string]int{}}
	store := dynamostore.New(dynamodb.NewFromConfig(c.config(st.DynamoDBURL)), cfg.Table)
	patients := patient.New(st.PatientsURL, &http.Client{Transport: c}, patient.DefaultTimeout)
	issuer, _ := token.NewIssuer(cfg.ExamKey, time.Hour, time.Now)
	verifier, _ := token.NewVerifier(cfg.ExamKey, cfg.ResultKey, time.Now)
	finish := wiring.Finish(wiring.FinishPorts{Tokens: verifier, Exams: store, Patients: patients,
		Notifier: wiring.Notifier(c.config(st.NotificationsURL), cfg.EmailSender)})
	s3c := s3.NewFromConfig(c.config(st.S3URL), func(o *s3.Options) { o.UsePathStyle = true })
	// A bucket the stack does not watch, so that only the counted handler processes it.
	const bucket = "zmed-bench-calls"
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		return err
	}
	proc := processresult.New(processresult.Ports{Bucket: bucket, Folders: resultfiling.DefaultFolders, Finish: finish,
		Objects: s3results.New(s3c).ReadingDocuments(processresult.Finder(verifier, nil))})

	auditLog, err := audit.NewWriter(cfg.ActorKey)
	if err != nil {
		return err
	}
	handlers := httpapi.Handlers(httpapi.Ports{Patients: patients, Exams: store, Cursors: cursor.ForListing(cursor.New(cfg.CursorKey)), Tokens: issuer, Finish: finish, Now: time.Now, NewID: uuid.NewString,
		Audit: auditLog})
	steps := operationSteps(ctx, c, caller(ctx, handlers), cfg.ResultKey, s3c, proc)

	type row struct {
		op     string
		counts map[string]int
		budget string
	}
	var rows []row
	for _, o := range operations {
		step, ok := steps[o.function]
		if !ok {
			return fmt.Errorf("no step measures functions/%s", o.function)
		}
		c.reset()
		if err := step(); err != nil {
			return err
		}
		rows = append(rows, row{o.name, c.reset(), o.budget})
	}

	fmt.Printf("Each operation once, production adapters, counted by SDK middleware and the patient client's transport.\n\n")
	fmt.Printf("| operation | patient manager | DynamoDB | S3 | SNS + SES | budget | |\n| --- | ---: | ---: | ---: | ---: | --- | --- |\n")
	for _, r := range rows {
		n := r.counts
		sends := n["SNS"] + n["SESv2"]
		ok := n["patient manager"] <= 1 && n["DynamoDB"] <= 3 && n["S3"] <= 3 && sends <= 1
		switch r.op {
		case "console page":
			ok = n["patient manager"] == 0 && n["DynamoDB"] == 0 && n["S3"] == 0 && sends == 0
		case "register", "start", "revoke", "list (one page)":
			ok = n["patient manager"] == 1 && n["DynamoDB"] == 1 && n["S3"] == 0 && sends == 0
		}
		fmt.Printf("| %s | %d | %d | %d | %d | %s | %s |\n", r.op, n["patient manager"], n["DynamoDB"], n["S3"], sends, r.budget, verdict(ok))
		delete(n, "patient manager")
		delete(n, "DynamoDB")
		delete(n, "S3")
		delete(n, "SNS")
		delete(n, "SESv2")
		if len(n) > 0 {
			var other []string
			for k, v := range n {
				other = append(other, fmt.Sprintf("%s %d", k, v))
			}
			sort.Strings(other)
			fmt.Printf("| (also: %s) | | | | | | |\n", strings.Join(other, ", "))
		}
	}
	return nil
}

// operation is one row of the report: the operation of a function and its budget.
type operation struct{ function, name, budget string }

// operations are measured in this order; every function has one (a test holds them to functions/).
var operations = []operation{
	{"register-exam", "register", "1 lookup + 1 DynamoDB write"},
	{"start-exam", "start", "1 lookup + 1 conditional update"},
	{"list-exams", "list (one page)", "1 lookup + 1 query per page"},
	{"communicate-result", "communicate", "≤ 1 lookup, ≤ 3 DynamoDB, 1 send"},
	{"revoke-exam", "revoke", "1 lookup + 1 conditional update"},
	{"process-result", "process-result", "≤ 1 lookup, ≤ 3 DynamoDB, 1 send, ≤ 3 S3"},
	{console.Function, "console page", "no call"},
}

// routeOf is the route served by functions/<fn>.
func routeOf(fn string) apigw.Route {
	for _, e := range httpapi.Endpoints() {
		if e.Function == fn {
			return e.Route
		}
	}
	return apigw.Route{}
}

// caller calls, as the local attendant, the handler of functions/<fn> with a
// body and a query, and returns the response's body.
func caller(ctx context.Context, handlers map[apigw.Route]apigw.Handler) func(fn, body string, query map[string]string) (string, error) {
	return func(fn, body string, query map[string]string) (string, error) {
		r := routeOf(fn)
		resp, err := handlers[r](ctx, events.APIGatewayV2HTTPRequest{RouteKey: r.String(), RawPath: r.Path, Body: body, QueryStringParameters: query,
			RequestContext: events.APIGatewayV2HTTPRequestContext{Authorizer: authorizer.Context(benchClaims)}})
		if err != nil || resp.StatusCode >= 300 {
			return "", fmt.Errorf("%s: %d %v %s", fn, resp.StatusCode, err, resp.Body)
		}
		return resp.Body, nil
	}
}

// field is the string member name of a JSON response body.
func field(body, name string) string {
	_, rest, _ := strings.Cut(body, `"`+name+`":"`)
	v, _, _ := strings.Cut(rest, `"`)
	return v
}

// operationSteps runs, by function, the operation each row counts: each step
// after the first builds on the exam the ones before it registered and started.
func operationSteps(ctx context.Context, c *counter, call func(fn, body string, query map[string]string) (string, error),
	resultKey []byte, s3c *s3.Client, proc resultfiling.Processor) map[string]func() error {
	const doc = "52998224725"
	var examID, examTok string
	return map[string]func() error{
		"register-exam": func() error {
			body, err := call("register-exam", `{"document":"`+doc+`","exam_type":1}`, nil)
			examID = field(body, "exam_id")
			return err
		},
		"start-exam": func() error {
			body, err := call("start-exam", `{"document":"`+doc+`","exam_id":"`+examID+`","exam_type":1}`, nil)
			examTok = field(body, "exam_token")
			return err
		},
		"list-exams": func() error {
			_, err := call("list-exams", "", map[string]string{"document": doc})
			return err
		},
		"communicate-result": func() error {
			result, _ := token.MintResultToken(resultKey, examID, time.Now(), time.Hour)
			_, err := call("communicate-result", `{"exam_token":"`+examTok+`","result_token":"`+result+`"}`, nil)
			return err
		},
		"revoke-exam": func() error {
			body, err := call("register-exam", `{"document":"`+doc+`","exam_type":2}`, nil)
			if err != nil {
				return err
			}
			c.reset()
			_, err = call("revoke-exam", `{"document":"`+doc+`","exam_id":"`+field(body, "exam_id")+`","reason":"duplicated"}`, nil)
			return err
		},
		// The page and its files come from the binary: no call.
		console.Function: func() error {
			page, err := console.Handler(console.Settings{Mode: console.ModeLocal})
			if err != nil {
				return err
			}
			resp, err := page(ctx, events.APIGatewayV2HTTPRequest{RouteKey: console.PageRoute.String(), RawPath: "/"})
			if err == nil && resp.StatusCode != 200 {
				err = fmt.Errorf("console page: status %d", resp.StatusCode)
			}
			return err
		},
		// A started exam, its PDF uploaded, then only the S3 event's handling counted.
		"process-result": func() error {
			body, err := call("register-exam", `{"document":"`+doc+`","exam_type":3}`, nil)
			if err != nil {
				return err
			}
			id := field(body, "exam_id")
			if body, err = call("start-exam", `{"document":"`+doc+`","exam_id":"`+id+`","exam_type":3}`, nil); err != nil {
				return err
			}
			result, _ := token.MintResultToken(resultKey, id, time.Now(), time.Hour)
			key := stack.ResultKey(proc.Folders.Completed, id, ".pdf", time.Now())
			version, err := stack.UploadVersion(ctx, s3c, proc.Bucket, key, "application/pdf", []byte("%PDF-1.4"), field(body, "exam_token"), result)
			if err != nil {
				return err
			}
			ev := s3event.ObjectCreated(emulators.Region, proc.Bucket, key, version, 8, "", "01", time.Now())
			c.reset()
			return s3event.Handler(proc.Process)(ctx, ev)
		},
	}
}
