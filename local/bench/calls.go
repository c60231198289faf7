package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
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
	"github.com/zmed/exam-manager/local/lambdarun"
	"github.com/zmed/exam-manager/local/stack"
	"github.com/zmed/exam-manager/shared/apigw"
	"github.com/zmed/exam-manager/shared/audit"
	"github.com/zmed/exam-manager/shared/console"
	"github.com/zmed/exam-manager/shared/cursor"
	"github.com/zmed/exam-manager/shared/dynamostore"
	"github.com/zmed/exam-manager/shared/handin"
	"github.com/zmed/exam-manager/shared/handin/s3handin"
	"github.com/zmed/exam-manager/shared/httpapi"
	"github.com/zmed/exam-manager/shared/patient"
	"github.com/zmed/exam-manager/shared/resultfiling"
	"github.com/zmed/exam-manager/shared/s3event"
	"github.com/zmed/exam-manager/shared/s3results"
	"github.com/zmed/exam-manager/shared/samtemplate"
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

// noRequests is the SDK configuration of a client that must send nothing:
// any request it sends fails.
func noRequests(endpoint string) aws.Config {
	cfg := emulators.Config(endpoint)
	cfg.HTTPClient = refuseAll{}
	return cfg
}

type refuseAll struct{}

func (refuseAll) Do(*http.Request) (*http.Response, error) {
	return nil, errors.New("this client sends no request")
}

func (c *counter) config(endpoint string) aws.Config {
	cfg := emulators.Config(endpoint)
	cfg.APIOptions = append(cfg.APIOptions, c.apiOption)
	return cfg
}

// callCounts runs each operation once with the production adapters, counted,
// against the local stack's endpoints, and prints the report.
func callCounts(ctx context.Context, work string) error {
	rows, err := measureCalls(ctx, work)
	if err != nil {
		return err
	}
	fmt.Printf("Each operation once, production adapters, counted by SDK middleware and the patient client's transport.\n\n")
	fmt.Printf("| operation | patient manager | DynamoDB | S3 | SNS + SES | budget | |\n| --- | ---: | ---: | ---: | ---: | --- | --- |\n")
	for _, r := range rows {
		n := r.counts
		fmt.Printf("| %s | %d | %d | %d | %d | %s | %s |\n", r.op, n["patient manager"], n["DynamoDB"], n["S3"], n["SNS"]+n["SESv2"], r.budget.text, verdict(r.met()))
		if other := r.others(); len(other) > 0 {
			fmt.Printf("| (also: %s) | | | | | | |\n", strings.Join(other, ", "))
		}
	}
	return nil
}

// callRow is one row of the report: an operation, what it called, its budget.
type callRow struct {
	function, op string
	counts       map[string]int
	budget       budget
}

// met reports whether r's calls are within its budget.
func (r callRow) met() bool {
	n, b := r.counts, r.budget
	got := []int{n["patient manager"], n["DynamoDB"], n["S3"], n["SNS"] + n["SESv2"]}
	for i, limit := range []int{b.lookups, b.dynamoDB, b.s3, b.sends} {
		if got[i] > limit || b.exact && got[i] != limit {
			return false
		}
	}
	return true
}

// others are the calls r made to services without a column, sorted.
func (r callRow) others() []string {
	var other []string
	for k, v := range r.counts {
		switch k {
		case "patient manager", "DynamoDB", "S3", "SNS", "SESv2":
		default:
			other = append(other, fmt.Sprintf("%s %d", k, v))
		}
	}
	sort.Strings(other)
	return other
}

// measureCalls counts the calls of every operation: each route of
// httpapi.Endpoints by replaying its sample event (events/<fn>/) on the state
// events/fixtures.json describes, then the processor and the console page.
func measureCalls(ctx context.Context, work string) ([]callRow, error) {
	root := samtemplate.Root()
	st, cfg, err := startStack(ctx, work, "calls", map[string]string{"ZMED_LOCAL_NOTIFICATIONS_ADDR": "127.0.0.1:0",
		"ZMED_LOCAL_PATIENTS": filepath.Join(root, "local", "patients.json")})
	if err != nil {
		return nil, err
	}
	defer st.Close()
	fixtures, err := lambdarun.LoadFixtures(filepath.Join(root, "events", "fixtures.json"))
	if err != nil {
		return nil, err
	}
	if err := lambdarun.Seed(ctx, st, fixtures); err != nil {
		return nil, err
	}

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
		return nil, err
	}
	proc := processresult.New(processresult.Ports{Bucket: bucket, Folders: resultfiling.DefaultFolders, Finish: finish,
		Objects: s3results.New(s3c).ReadingDocuments(processresult.Finder(verifier, nil))})

	auditLog, err := audit.NewWriter(cfg.ActorKey)
	if err != nil {
		return nil, err
	}
	ports := httpapi.Ports{Patients: patients, Exams: store, Cursors: cursor.ForListing(cursor.New(cfg.CursorKey)), WorklistCursors: cursor.ForWorklist(cfg.CursorKey), Tokens: issuer, Finish: finish, Now: time.Now, NewID: uuid.NewString,
		// Signing a form makes no request: its client refuses any.
		Uploads: handin.Forms{Bucket: cfg.Bucket, Completed: cfg.Folders.Completed, Now: time.Now,
			Presign: s3handin.Presigner{S3: s3.NewPresignClient(s3.NewFromConfig(noRequests(st.S3URL), func(o *s3.Options) { o.UsePathStyle = true }))}},
		Outcomes: handin.Outcomes{Bucket: cfg.Bucket, Folders: cfg.Folders, Now: time.Now, Objects: s3handin.Objects{S3: s3c}},
		Audit:    auditLog}

	var rows []callRow
	for _, e := range httpapi.Endpoints() {
		ev, file, err := samtemplate.RouteEvent(root, e.Function, e.Route)
		if err != nil {
			return nil, fmt.Errorf("route %s: %w", e.Route, err)
		}
		c.reset()
		resp, err := e.Handler(ports)(ctx, ev)
		if err != nil || resp.StatusCode >= 300 {
			rel, _ := filepath.Rel(root, file)
			return nil, fmt.Errorf("route %s: its sample event %s, replayed on the state of events/fixtures.json, answered %d %v %s", e.Route, rel, resp.StatusCode, err, resp.Body)
		}
		rows = append(rows, routeRow(e, c.reset()))
	}
	steps := otherSteps(ctx, c, caller(ctx, httpapi.Handlers(ports)), cfg.ResultKey, s3c, proc)
	for _, fn := range otherFunctions {
		c.reset()
		if err := steps[fn](); err != nil {
			return nil, err
		}
		rows = append(rows, operationRow(fn, c.reset()))
	}
	return rows, nil
}

// budget is what one operation may call, and how the report words it.
type budget struct {
	text                         string
	lookups, dynamoDB, s3, sends int
	exact                        bool // exactly these calls, not at most
}

// generalBudget is every operation's that declares none of its own.
var generalBudget = budget{"≤ 1 lookup, ≤ 3 DynamoDB, ≤ 3 S3, ≤ 1 send", 1, 3, 3, 1, false}

// operations name the rows of the report, by function (or by route, for a
// function that serves several), and their budgets. A route missing here is
// measured all the same, named after its function and held to generalBudget.
var operations = map[string]struct {
	name   string
	budget budget
}{
	"register-exam":      {"register", budget{"1 lookup + 1 DynamoDB write", 1, 1, 0, 0, true}},
	"start-exam":         {"start", budget{"1 lookup + 1 conditional update", 1, 1, 0, 0, true}},
	"list-exams":         {"list (one page)", budget{"1 lookup + 1 query per page", 1, 1, 0, 0, true}},
	"POST /exams/info":   {"list, CPF in the body (one page)", budget{"1 lookup + 1 query per page", 1, 1, 0, 0, true}},
	"find-patient":       {"find patient", budget{"1 lookup", 1, 0, 0, 0, true}},
	"GET /exam-types":    {"exam types", budget{"no call", 0, 0, 0, 0, true}},
	"exam-worklist":      {"worklist (one page)", budget{"1 query per page, no lookup", 0, 1, 0, 0, true}},
	"communicate-result": {"communicate", budget{"≤ 1 lookup, ≤ 3 DynamoDB, 1 send", 1, 3, 3, 1, false}},
	"revoke-exam":        {"revoke", budget{"1 lookup + 1 conditional update", 1, 1, 0, 0, true}},
	"result-upload":      {"hand-in form", budget{"1 lookup + 1 read; signed without a call", 1, 1, 0, 0, true}},
	// The sample's upload was never made, in a past month: the costliest answer (HEAD the key, then the
	// four folders and a list of each, for each month up to now).
	"result-outcome": {"hand-in outcome", budget{"1 lookup + 1 read + ≤ 25 S3 (1 while waiting, 2 once processed, 8 a month when none)",
		1, 1, 1 + 8*handin.MaxMonths, 0, false}},
	resultfiling.Function: {"process-result", budget{"≤ 1 lookup, ≤ 3 DynamoDB, 1 send, ≤ 3 S3", 1, 3, 3, 1, false}},
	console.Function:      {"console page", budget{"no call", 0, 0, 0, 0, true}},
}

// operationRow is the row of functions/<fn>'s operation, which made counts.
func operationRow(fn string, counts map[string]int) callRow {
	o, ok := operations[fn]
	if !ok {
		o.name, o.budget = fn, generalBudget
	}
	return callRow{fn, o.name, counts, o.budget}
}

// routeRow is the row of e's route, which made counts: named by its route
// when operations has it, else by its function.
func routeRow(e httpapi.Endpoint, counts map[string]int) callRow {
	if o, ok := operations[e.Route.String()]; ok {
		return callRow{e.Function, o.name, counts, o.budget}
	}
	return operationRow(e.Function, counts)
}

// routeOf is the (first) route served by functions/<fn>.
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

// otherFunctions are the functions that serve no route, in the report's order.
var otherFunctions = []string{resultfiling.Function, console.Function}

// otherSteps runs, by function, the operation of each function that is not a
// route: the console's page and the processor's handling of an uploaded result.
func otherSteps(ctx context.Context, c *counter, call func(fn, body string, query map[string]string) (string, error),
	resultKey []byte, s3c *s3.Client, proc resultfiling.Processor) map[string]func() error {
	const doc = "52998224725"
	return map[string]func() error{
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
