package model

import (
	"fmt"
	"math"
	"strings"
)

// The operations of one exam on each path: registered, started, found once
// by its patient's listing and once on a worklist page, then finished by its
// result, either uploaded to S3 (and processed) or communicated by hand.
var (
	ResultPath = []string{"register", "start", "list", "worklist", "result"}
	ManualPath = []string{"register", "start", "list", "worklist", "communicate"}
)

// Volumes are the monthly volumes of exams the month table prints.
var Volumes = []int{1_000, 100_000, 1_000_000}

// platformLogLines are the two lines Lambda writes per invocation with the
// JSON log format and the system log level INFO (platform.start and
// platform.report, in the shape of the Lambda developer guide's examples,
// with X-Ray tracing active): their bytes are ingested like the function's.
var platformLogLines = []string{
	`{"time":"2026-12-06T23:20:06.123Z","type":"platform.start","record":{"requestId":"6d68ca91-49c9-448d-89b8-7ca3e6dc66aa","version":"12"}}`,
	`{"time":"2026-12-06T23:20:06.135Z","type":"platform.report","record":{"requestId":"6d68ca91-49c9-448d-89b8-7ca3e6dc66aa","metrics":{"durationMs":11.482,"billedDurationMs":12,"memorySizeMB":256,"maxMemoryUsedMB":31},"tracing":{"spanId":"54565fb41ac79632","type":"X-Amzn-Trace-Id","value":"Root=1-6750a2b6-51e2e6d2d41d3a3d0e1e1c2a;Parent=54565fb41ac79632;Sampled=1"},"status":"success"}}`,
}

// PlatformLogBytes is what Lambda itself logs per invocation.
func PlatformLogBytes() int {
	n := 0
	for _, l := range platformLogLines {
		n += len(l) + 1
	}
	return n
}

// Line is one line of the bill.
type Line struct {
	Name string
	// Fixed lines cost Monthly whatever the volume; the others cost
	// PerThousand (USD per 1,000 exams) on each path.
	Fixed       bool
	Monthly     float64
	PerThousand [2]float64 // result path, manual path
	// Unpriced is set when the price is not given (its line is left out of
	// the totals).
	Unpriced bool
	// Basis says what was counted, with the measured quantities.
	Basis string
}

// Bill is every line, fixed first.
type Bill struct {
	Lines []Line
	// Unpriced names the prices missing from the totals.
	Unpriced []string
}

// quantities are what one exam uses on one path.
type quantities struct {
	invocations, apiRequests         float64
	gbSeconds, coldGBSeconds         float64
	writeUnits, readUnits            float64
	dynamoGB, s3GB                   float64
	s3Put, s3Get, logGB, trailEvents float64
}

// Compute is the bill of the measured system m, deployed as r, at prices p.
func Compute(m Measured, r Resources, p Prices) (Bill, error) {
	if err := p.Check(); err != nil {
		return Bill{}, err
	}
	var paths [2]quantities
	for i, ops := range [][]string{ResultPath, ManualPath} {
		q, err := perExam(m, r, p, ops, i == 0)
		if err != nil {
			return Bill{}, err
		}
		paths[i] = q
	}
	b := &Bill{}
	fixed := func(name, price string, count int, basis string) {
		usd, ok := p.usd(price)
		b.add(Line{Name: name, Fixed: true, Monthly: float64(count) * usd, Unpriced: !ok, Basis: basis}, price)
	}
	fixed("CloudWatch alarms", AlarmMonth, r.Alarms, fmt.Sprintf("%d metrics read by the template's alarms (a metric-math alarm is billed per metric)", r.Alarms))
	fixed("CloudWatch dashboard", DashboardMonth, r.Dashboards, fmt.Sprintf("%d dashboard", r.Dashboards))
	fixed("CloudWatch custom metrics", CustomMetricMonth, len(m.CustomMetrics), fmt.Sprintf("%d metric and dimension sets published", len(m.CustomMetrics)))
	fixed("KMS key", KMSKeyMonth, r.KMSKeys, fmt.Sprintf("%d customer managed key", r.KMSKeys))
	fixed("Secrets Manager secrets", SecretMonth, r.Secrets, fmt.Sprintf("%d secrets", r.Secrets))

	perExam := func(name, price string, qty func(quantities) float64, basis func(quantities) string) {
		usd, ok := p.usd(price)
		l := Line{Name: name, Unpriced: !ok, Basis: basis(paths[0])}
		for i := range paths {
			l.PerThousand[i] = 1000 * qty(paths[i]) * usd
		}
		b.add(l, price)
	}
	perExam("Lambda requests", LambdaRequest, func(q quantities) float64 { return q.invocations },
		func(q quantities) string { return fmt.Sprintf("%.0f invocations per exam", q.invocations) })
	perExam("Lambda duration (arm64)", LambdaGBSecondArm, func(q quantities) float64 { return q.gbSeconds },
		func(q quantities) string {
			return fmt.Sprintf("%.5f GB-s per exam, warm (%.4f GB-s if every invocation were a cold start)", q.gbSeconds, q.coldGBSeconds)
		})
	perExam("API Gateway (HTTP API)", APIRequest, func(q quantities) float64 { return q.apiRequests },
		func(q quantities) string { return fmt.Sprintf("%.0f requests per exam", q.apiRequests) })
	perExam("DynamoDB writes", DynamoWriteUnit, func(q quantities) float64 { return q.writeUnits },
		func(q quantities) string {
			return fmt.Sprintf("%.0f write units per exam (each write also writes the table's %d indexes; a transition moves the exam in the status index, a delete and a put)", q.writeUnits, r.TableIndexes)
		})
	perExam("DynamoDB reads", DynamoReadUnit, func(q quantities) float64 { return q.readUnits },
		func(q quantities) string { return fmt.Sprintf("%.1f read units per exam", q.readUnits) })
	perExam("DynamoDB storage, each month kept", DynamoStorageGBMonth, func(q quantities) float64 { return q.dynamoGB },
		func(q quantities) string { return fmt.Sprintf("%.0f bytes per exam, indexes included", q.dynamoGB*1e9) })
	perExam("DynamoDB backups (PITR), each month kept", DynamoBackupGBMonth, func(q quantities) float64 { return q.dynamoGB },
		func(q quantities) string { return "the table's size" })
	perExam("S3 PUT, COPY, POST requests", S3PutRequest, func(q quantities) float64 { return q.s3Put },
		func(q quantities) string { return fmt.Sprintf("%.0f per exam (the upload included)", q.s3Put) })
	perExam("S3 GET, HEAD requests", S3GetRequest, func(q quantities) float64 { return q.s3Get },
		func(q quantities) string { return fmt.Sprintf("%.0f per exam", q.s3Get) })
	perExam("S3 storage, each month kept", S3StorageGBMonth, func(q quantities) float64 { return q.s3GB },
		func(q quantities) string {
			return fmt.Sprintf("%d bytes per result (a 300 dpi A4 scan)", m.ResultObjectBytes)
		})
	perExam("CloudWatch Logs ingestion", LogsIngestionGB, func(q quantities) float64 { return q.logGB },
		func(q quantities) string { return fmt.Sprintf("%.0f bytes of log per exam", q.logGB*1e9) })
	if r.Trail {
		perExam("CloudTrail data events", CloudTrailDataEvent, func(q quantities) float64 { return q.trailEvents },
			func(q quantities) string {
				return fmt.Sprintf("%.0f S3 and DynamoDB data events per exam", q.trailEvents)
			})
	}
	if r.Traced {
		perExam("X-Ray traces (at most)", XRayTrace, func(q quantities) float64 { return q.invocations },
			func(q quantities) string {
				return fmt.Sprintf("%.0f per exam if every invocation is sampled (X-Ray's default rule samples the first request each second and 5%% beyond)", q.invocations)
			})
	}
	perExam("SMS (SNS, Brazil)", SMSBrazil, func(quantities) float64 { return p.SMSShare },
		func(quantities) string { return fmt.Sprintf("%.0f%% of patients told by SMS", 100*p.SMSShare) })
	perExam("E-mail (SES)", SESEmail, func(quantities) float64 { return 1 - p.SMSShare },
		func(quantities) string { return fmt.Sprintf("%.0f%% of patients told by e-mail", 100*(1-p.SMSShare)) })
	return *b, nil
}

func (b *Bill) add(l Line, price string) {
	b.Lines = append(b.Lines, l)
	if l.Unpriced {
		b.Unpriced = append(b.Unpriced, price)
	}
}

// FixedMonthly is the sum of the priced fixed lines.
func (b Bill) FixedMonthly() float64 {
	var t float64
	for _, l := range b.Lines {
		if l.Fixed && !l.Unpriced {
			t += l.Monthly
		}
	}
	return t
}

// PerThousand is the sum of the priced per-exam lines on path (0 result, 1 manual).
func (b Bill) PerThousand(path int) float64 {
	var t float64
	for _, l := range b.Lines {
		if !l.Fixed && !l.Unpriced {
			t += l.PerThousand[path]
		}
	}
	return t
}

// Monthly is the month's bill at exams a month on the result path.
func (b Bill) Monthly(exams int) float64 {
	return b.FixedMonthly() + b.PerThousand(0)*float64(exams)/1000
}

// perExam adds up one exam's operations.
func perExam(m Measured, r Resources, p Prices, ops []string, uploaded bool) (quantities, error) {
	var q quantities
	platform := float64(PlatformLogBytes())
	for _, name := range ops {
		op, ok := m.Operations[name]
		if !ok {
			return q, fmt.Errorf("operation %q not measured: run make bench", name)
		}
		f, ok := m.Functions[op.Function]
		if !ok {
			return q, fmt.Errorf("function %s not measured: run make bench", op.Function)
		}
		mb, ok := r.MemoryMB[op.Function]
		if !ok {
			return q, fmt.Errorf("function %s not in the template", op.Function)
		}
		at, ok := f.At(mb)
		if !ok {
			return q, fmt.Errorf("function %s not measured at its %d MB: run make bench", op.Function, mb)
		}
		gb := float64(mb) / 1024
		q.invocations++
		q.gbSeconds += gb * at.WarmP50MS / 1000
		q.coldGBSeconds += gb * at.ColdStartMS / 1000
		logBytes := f.LogBytes() + platform
		if op.API {
			q.apiRequests++
			logBytes += float64(m.AccessLogBytes)
		}
		q.logGB += logBytes / 1e9
		for call, n := range op.Calls {
			service, action, _ := strings.Cut(call, ".")
			count := float64(n)
			switch service {
			case "DynamoDB":
				q.trailEvents += count
				item := float64(m.ExamItemBytes[op.Status])
				switch action {
				case "PutItem", "UpdateItem", "DeleteItem":
					q.writeUnits += count * math.Ceil(item/1024) * float64(1+r.TableIndexes)
					if action == "UpdateItem" && op.Transition { // one of them moves the exam in the status index
						q.writeUnits += math.Ceil(item/1024) * float64(r.StatusIndexes)
					}
				case "GetItem": // strongly consistent
					q.readUnits += count * math.Ceil(item/4096)
				case "Query": // a page, from an index: eventually consistent
					q.readUnits += count * 0.5 * math.Ceil(float64(p.QueryPageItems)*item/4096)
				}
			case "S3":
				q.trailEvents += count
				switch action {
				case "PutObject", "CopyObject", "ListObjectsV2", "CreateMultipartUpload":
					q.s3Put += count
				case "GetObject", "HeadObject":
					q.s3Get += count
				}
			}
		}
	}
	if uploaded {
		q.s3Put++       // the execution team's upload
		q.trailEvents++ // and its data event
		q.s3GB = float64(m.ResultObjectBytes) / 1e9
	}
	q.dynamoGB = float64(m.ExamItemBytes["Finished"]*(1+r.TableIndexes)) / 1e9
	return q, nil
}
