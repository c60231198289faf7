package model

import (
	"math"
	"strings"
	"testing"
)

// TestComputeByHand checks the model's arithmetic against a case computed by
// hand: every price is a different number, so that a line priced by another
// line's price, or a quantity counted twice, shows.
func TestComputeByHand(t *testing.T) {
	price := func(usd float64) Price { return Price{USD: &usd, Unit: "unit", Source: "test", Date: "2026-12-06"} }
	p := Prices{SMSShare: 0.25, QueryPageItems: 10, Prices: map[string]Price{
		LambdaRequest: price(2), LambdaGBSecondArm: price(3), APIRequest: price(5), DynamoWriteUnit: price(7),
		DynamoReadUnit: price(11), DynamoStorageGBMonth: price(13), DynamoBackupGBMonth: price(17), S3PutRequest: price(19),
		S3GetRequest: price(23), S3StorageGBMonth: price(29), LogsIngestionGB: price(31), AlarmMonth: price(37),
		DashboardMonth: price(41), CustomMetricMonth: price(43), KMSKeyMonth: price(47), SecretMonth: price(53),
		CloudTrailDataEvent: price(59), SESEmail: price(61), XRayTrace: price(67),
		SMSBrazil: {Unit: "message", Source: "test", Date: "2026-12-06"}, // not priced
	}}
	m := Measured{
		Functions: map[string]FunctionFigures{
			"api":  {Sizes: []SizeFigures{{MemoryMB: 1024, ColdStartMS: 500, WarmP50MS: 100}}, LogBytesPerInvocation: map[string]float64{"a": 300}},
			"proc": {Sizes: []SizeFigures{{MemoryMB: 2048, ColdStartMS: 2000, WarmP50MS: 1000}}, LogBytesPerInvocation: map[string]float64{"b": 700}},
		},
		Operations: map[string]Operation{
			"register":    {Function: "api", API: true, Status: "Registered", Calls: map[string]int{"DynamoDB.PutItem": 1, "patient manager": 1}},
			"start":       {Function: "api", API: true, Status: "Started", Transition: true, Calls: map[string]int{"DynamoDB.UpdateItem": 1}},
			"list":        {Function: "api", API: true, Status: "Finished", Calls: map[string]int{"DynamoDB.Query": 1}},
			"worklist":    {Function: "api", API: true, Status: "Finished", Calls: map[string]int{"DynamoDB.Query": 1}},
			"result":      {Function: "proc", Status: "Finished", Transition: true, Calls: map[string]int{"DynamoDB.GetItem": 1, "DynamoDB.UpdateItem": 1, "S3.GetObject": 1, "S3.CopyObject": 1, "S3.DeleteObject": 1, "SNS.Publish": 1}},
			"communicate": {Function: "api", API: true, Status: "Finished", Transition: true, Calls: map[string]int{"DynamoDB.GetItem": 1, "DynamoDB.UpdateItem": 1}},
		},
		ExamItemBytes:     map[string]int{"Registered": 500, "Started": 900, "Finished": 1500},
		ResultObjectBytes: 1_000_000,
		AccessLogBytes:    100,
		CustomMetrics:     []string{"a", "b", "c"},
	}
	r := Resources{MemoryMB: map[string]int{"api": 1024, "proc": 2048}, Alarms: 10, Dashboards: 1, KMSKeys: 1, Secrets: 4, TableIndexes: 1, StatusIndexes: 1, Trail: true, Traced: true}

	b, err := Compute(m, r, p)
	if err != nil {
		t.Fatal(err)
	}
	if PlatformLogBytes() != 523 {
		t.Fatalf("the platform lines are %d bytes; the figures below assume 523", PlatformLogBytes())
	}
	// USD per 1,000 exams: result path, manual path.
	want := map[string][2]float64{
		"Lambda requests":         {1000 * 5 * 2, 1000 * 5 * 2},
		"Lambda duration (arm64)": {1000 * (4*1*0.1 + 2*1) * 3, 1000 * (5 * 1 * 0.1) * 3},
		"API Gateway (HTTP API)":  {1000 * 4 * 5, 1000 * 5 * 5},
		// register 1 KB, start 1 KB, the finish 2 KB, each written to the table and its one index;
		// start's and the finish's transitions move the exam in the status index (1 KB and 2 KB more).
		"DynamoDB writes": {1000 * (2 + 2 + 4 + 1 + 2) * 7, 1000 * (2 + 2 + 4 + 1 + 2) * 7},
		// two pages of 10 × 1500 B = 4 × 4 KB at half a unit, and one strongly consistent GetItem.
		"DynamoDB reads":                           {1000 * (2 + 2 + 1) * 11, 1000 * (2 + 2 + 1) * 11},
		"DynamoDB storage, each month kept":        {1000 * 3000e-9 * 13, 1000 * 3000e-9 * 13},
		"DynamoDB backups (PITR), each month kept": {1000 * 3000e-9 * 17, 1000 * 3000e-9 * 17},
		"S3 PUT, COPY, POST requests":              {1000 * 2 * 19, 0},
		"S3 GET, HEAD requests":                    {1000 * 1 * 23, 0},
		"S3 storage, each month kept":              {1000 * 1e-3 * 29, 0},
		// four API invocations of 300 + 523 + 100 bytes, one of 700 + 523.
		"CloudWatch Logs ingestion": {1000 * (4*(300+523+100) + 700 + 523) * 1e-9 * 31, 1000 * 5 * (300 + 523 + 100) * 1e-9 * 31},
		// DynamoDB 1+1+1+1+2 calls, S3 3 calls and the upload.
		"CloudTrail data events": {1000 * 10 * 59, 1000 * 6 * 59},
		"X-Ray traces (at most)": {1000 * 5 * 67, 1000 * 5 * 67},
		"SMS (SNS, Brazil)":      {0, 0},
		"E-mail (SES)":           {1000 * 0.75 * 61, 1000 * 0.75 * 61},
	}
	wantFixed := map[string]float64{
		"CloudWatch alarms": 370, "CloudWatch dashboard": 41, "CloudWatch custom metrics": 129, "KMS key": 47, "Secrets Manager secrets": 212,
	}
	seen := 0
	for _, l := range b.Lines {
		if l.Fixed {
			if got, ok := wantFixed[l.Name]; !ok || !near(l.Monthly, got) {
				t.Errorf("%s: %v a month, want %v", l.Name, l.Monthly, got)
			}
			seen++
			continue
		}
		w, ok := want[l.Name]
		if !ok {
			t.Errorf("unexpected line %q", l.Name)
			continue
		}
		seen++
		for i := range w {
			if !near(l.PerThousand[i], w[i]) {
				t.Errorf("%s, path %d: %v per 1,000 exams, want %v", l.Name, i, l.PerThousand[i], w[i])
			}
		}
	}
	if seen != len(want)+len(wantFixed) {
		t.Errorf("%d lines, want %d", seen, len(want)+len(wantFixed))
	}
	if len(b.Unpriced) != 1 || b.Unpriced[0] != SMSBrazil {
		t.Errorf("unpriced %v, want only the SMS price", b.Unpriced)
	}
	// The totals leave the unpriced SMS out.
	var sum float64
	for _, w := range want {
		sum += w[0]
	}
	if !near(b.PerThousand(0), sum) || !near(b.FixedMonthly(), 799) {
		t.Errorf("totals %v per 1,000 and %v fixed, want %v and 799", b.PerThousand(0), b.FixedMonthly(), sum)
	}
	if got, want := b.Monthly(100_000), 799+100*sum; !near(got, want) {
		t.Errorf("a month at 100,000 exams: %v, want %v", got, want)
	}
}

func TestComputeRefusesWhatWasNotMeasured(t *testing.T) {
	one := 1.0
	p := Prices{SMSShare: 1, QueryPageItems: 20, Prices: map[string]Price{}}
	for _, name := range required {
		p.Prices[name] = Price{USD: &one, Unit: "u", Source: "s", Date: "d"}
	}
	m := Measured{Functions: map[string]FunctionFigures{"api": {Sizes: []SizeFigures{{MemoryMB: 128}}}},
		Operations: map[string]Operation{}}
	for _, name := range ResultPath {
		m.Operations[name] = Operation{Function: "api"}
	}
	m.Operations["communicate"] = Operation{Function: "api"}
	_, err := Compute(m, Resources{MemoryMB: map[string]int{"api": 256}}, p)
	if err == nil || !strings.Contains(err.Error(), "not measured at its 256 MB") {
		t.Errorf("a function measured at other sizes than its own: %v", err)
	}
	delete(p.Prices, SESEmail)
	if _, err := Compute(m, Resources{MemoryMB: map[string]int{"api": 128}}, p); err == nil || !strings.Contains(err.Error(), SESEmail) {
		t.Errorf("a missing price: %v", err)
	}
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }
