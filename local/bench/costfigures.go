package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/zmed/exam-manager/local/cost/model"
	"github.com/zmed/exam-manager/local/lambdarun"
	"github.com/zmed/exam-manager/shared/resultfiling"
	"github.com/zmed/exam-manager/shared/samtemplate"
	"github.com/zmed/exam-manager/shared/testsupport/dynamosize"
	"github.com/zmed/exam-manager/shared/testsupport/emulators"
)

// measuredFile is where the figures for `make cost` are written.
const measuredFile = "local/cost/measured.json"

// Warm invocations per memory size: process-result decodes a scan each time.
const (
	warmRuns     = 10
	warmScanRuns = 3
)

// costFigures measures what `make cost` prices and writes it to
// local/cost/measured.json: every function's cold start, warm duration and
// peak memory at each memory size (its binary under the emulator, with
// Lambda's CPU share for that size), its bytes of log per invocation, the
// calls of each operation, the exam item's size and the result object's.
func costFigures(ctx context.Context, work, rie string) error {
	root, _ := os.Getwd()
	m := model.Measured{Functions: map[string]model.FunctionFigures{}, Operations: map[string]model.Operation{}, NotMeasured: map[string]string{}}
	host, _ := os.Hostname()
	m.Taken = fmt.Sprintf("%s, %s/%s, %d cores (%s), %s, %s", time.Now().UTC().Format("2006-01-02 15:04 MST"),
		runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), cpuModel(), runtime.Version(), host)

	rows, err := measureCalls(ctx, work)
	if err != nil {
		return err
	}
	for _, r := range rows {
		name, ok := costOperation(r)
		if _, seen := m.Operations[name]; !ok || seen {
			continue
		}
		op := model.Operation{Function: r.function, API: r.function != resultfiling.Function, Status: "Finished", Calls: map[string]int{}}
		switch name {
		case "register":
			op.Status = "Registered"
		case "start":
			op.Status, op.Transition = "Started", true
		case "result", "communicate":
			op.Transition = true
		}
		for k, v := range r.counts {
			if strings.Contains(k, ".") || k == "patient manager" {
				op.Calls[k] = v
			}
		}
		m.Operations[name] = op
	}

	res, err := model.ReadResources(root)
	if err != nil {
		return err
	}
	session, err := lambdarun.Start(ctx, root, rie, work, io.Discard)
	if err != nil {
		return err
	}
	defer session.Close()
	st := session.Stack
	sources, err := newEventSources(ctx, st, "zmed-bench-memory")
	if err != nil {
		return err
	}
	fns, err := functions()
	if err != nil {
		return err
	}
	metrics := map[string]bool{}
	fmt.Printf("Each function's release binary for this host under the emulator, in a cgroup whose CPU quota is Lambda's share for the size (size / %d MB of one CPU); cold is the emulator's start to the first answer, warm the median of %d invocations (%d for process-result, each a new 300 dpi scan); peak is the function process's resident high-water mark (Lambda's Max Memory Used). ✓ marks the template's size.\n\n", vCPUMemoryMB, warmRuns, warmScanRuns)
	fmt.Printf("| function | MB | CPU share | cold ms | warm p50 ms | peak MiB | GB-s per warm invocation |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	for _, fn := range fns {
		f, sets, err := measureFunction(ctx, work, rie, session, sources, fn, res.MemoryMB[fn])
		if err != nil {
			fmt.Printf("| %s | not measured: %v | | | | | |\n", fn, err)
			m.NotMeasured[fn] = err.Error()
			continue
		}
		for _, s := range sets {
			metrics[s] = true
		}
		m.Functions[fn] = f
		for _, s := range f.Sizes {
			mark := ""
			if s.MemoryMB == res.MemoryMB[fn] {
				mark = " ✓"
			}
			share := "not limited"
			if s.CPUShare > 0 {
				share = fmt.Sprintf("%.2f", s.CPUShare)
			}
			fmt.Printf("| %s | %d%s | %s | %.1f | %.1f | %.0f | %.5f |\n", fn, s.MemoryMB, mark, share, s.ColdStartMS, s.WarmP50MS, s.PeakMiB,
				float64(s.MemoryMB)/1024*s.WarmP50MS/1000)
		}
	}
	if err := sources.checkScansFinished(); err != nil {
		return err
	}
	for s := range metrics {
		m.CustomMetrics = append(m.CustomMetrics, s)
	}
	slices.Sort(m.CustomMetrics)
	m.ResultObjectBytes = sources.scanBytes
	if m.ExamItemBytes, err = examItemSizes(ctx, st.DynamoDBURL, st.Config.Table); err != nil {
		return err
	}
	if m.AccessLogBytes, err = accessLogBytes(root); err != nil {
		return err
	}

	fmt.Printf("\nBytes of log per warm invocation (JSON lines: the function's own, audit lines, embedded-format metrics), at the template's size:\n\n| function | bytes | by kind |\n| --- | ---: | --- |\n")
	for _, fn := range fns {
		f, ok := m.Functions[fn]
		if !ok {
			continue
		}
		var kinds []string
		for k, v := range f.LogBytesPerInvocation {
			kinds = append(kinds, fmt.Sprintf("%s %.0f", k, v))
		}
		slices.Sort(kinds)
		fmt.Printf("| %s | %.0f | %s |\n", fn, f.LogBytes(), strings.Join(kinds, "; "))
	}
	fmt.Printf("\nAnd per invocation Lambda's own platform.start and platform.report lines (%d bytes), and per API request one access log line (%d bytes). Exam item: %v bytes by status. Result object: %d bytes. %d metric and dimension sets.\n",
		model.PlatformLogBytes(), m.AccessLogBytes, m.ExamItemBytes, m.ResultObjectBytes, len(m.CustomMetrics))

	raw, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(root, measuredFile), append(raw, '\n'), 0o644); err != nil {
		return err
	}
	fmt.Printf("\nWritten to %s: `make cost` prices it.\n", measuredFile)
	return nil
}

// costOperation is the cost model's name of a calls row's operation.
func costOperation(r callRow) (string, bool) {
	if r.route.Path == "/exams/worklist" {
		return "worklist", true
	}
	name, ok := map[string]string{"register-exam": "register", "start-exam": "start", "list-exams": "list",
		"communicate-result": "communicate", resultfiling.Function: "result"}[r.function]
	return name, ok
}

// measureFunction measures fn at every size, and its bytes of log per warm
// invocation at its own size (a run of warm invocations less a run of the
// cold one alone).
func measureFunction(ctx context.Context, work, rie string, session *lambdarun.Session, sources *eventSources, fn string, ownMB int) (model.FunctionFigures, []string, error) {
	var f model.FunctionFigures
	bin := filepath.Join(work, "memory", fn)
	if err := build(ctx, "./functions/"+fn, bin, runtime.GOARCH); err != nil {
		return f, nil, err
	}
	env, err := session.Environment(fn)
	if err != nil {
		return f, nil, err
	}
	// Logged as in production: LogLevel info, the template's default and
	// prod's (events/env.json's local value is debug).
	env = append(env, "ZMED_LOG_LEVEL=info")
	warm := warmRuns
	if fn == resultfiling.Function {
		env = append(env, "ZMED_S3_BUCKET="+sources.bucket)
		warm = warmScanRuns
	}
	events, err := sources.forFunction(fn)
	if err != nil {
		return f, nil, err
	}
	sizes := slices.Clone(memorySizesMB)
	if ownMB != 0 && !slices.Contains(sizes, ownMB) {
		sizes = append(sizes, ownMB)
		slices.Sort(sizes)
	}
	var sets []string
	for _, mb := range sizes {
		logs := newLogCount()
		s, err := sizeRun(ctx, rie, bin, env, mb, events, warm, logs)
		if err != nil {
			return f, nil, fmt.Errorf("%d MB: %w", mb, err)
		}
		f.Sizes = append(f.Sizes, s)
		if mb != ownMB {
			continue
		}
		coldOnly := newLogCount()
		if _, err := sizeRun(ctx, rie, bin, env, mb, events, 0, coldOnly); err != nil {
			return f, nil, err
		}
		f.LogBytesPerInvocation = map[string]float64{}
		all, cold := logs.snapshot(), coldOnly.snapshot()
		for kind, n := range all {
			if per := float64(n-cold[kind]) / float64(warm); per > 0 {
				f.LogBytesPerInvocation[kind] = math.Round(per)
			}
		}
		sets = logs.metricSets()
	}
	return f, sets, nil
}

// examItemSizes is the largest exam item of each status in the table, as
// DynamoDB sizes it.
func examItemSizes(ctx context.Context, endpoint, table string) (map[string]int, error) {
	db := dynamodb.NewFromConfig(emulators.Config(endpoint))
	sizes := map[string]int{}
	p := dynamodb.NewScanPaginator(db, &dynamodb.ScanInput{TableName: aws.String(table)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, item := range page.Items {
			status, _ := item["status"].(*types.AttributeValueMemberS)
			if status != nil {
				sizes[status.Value] = max(sizes[status.Value], dynamosize.ItemSize(item))
			}
		}
	}
	for _, s := range []string{"Registered", "Started", "Finished"} {
		if sizes[s] == 0 {
			return nil, fmt.Errorf("no %s exam in the table to size", s)
		}
	}
	return sizes, nil
}

// accessLogBytes is the size of one API access log line: the template's
// format with the values of a typical request (an API Gateway request id,
// times, an IPv4 address, a UUID sub, a route, a status, a latency, no
// error).
func accessLogBytes(root string) (int, error) {
	t, err := samtemplate.Load(filepath.Join(root, "template.yaml"))
	if err != nil {
		return 0, err
	}
	for _, api := range t.Resources("AWS::Serverless::HttpApi") {
		format, ok := samtemplate.Get(api, "Properties", "AccessLogSettings", "Format").(string)
		if !ok {
			continue
		}
		line := strings.NewReplacer(
			"$context.requestId", "Hn1ZtiRlmjMEJfw=",
			"$context.requestTimeEpoch", "1796944806123",
			"$context.requestTime", "06/Dec/2026:23:20:06 +0000",
			"$context.identity.sourceIp", "203.0.113.77",
			"$context.authorizer.claims.sub", "8c6f2b1e-3d4a-4f5b-9e8d-7c6b5a4f3e2d",
			"$context.routeKey", "POST /exam/start",
			"$context.status", "200",
			"$context.responseLatency", "38",
			"$context.authorizer.error", "-",
			"$context.integrationErrorMessage", "-",
		).Replace(format)
		if strings.Contains(line, "$context") {
			return 0, fmt.Errorf("access log format: a variable without a typical value: %s", line)
		}
		return len(line) + 1, nil
	}
	return 0, fmt.Errorf("no access log format in the template")
}
