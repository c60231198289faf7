package samtemplate

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/zmed/exam-manager/shared/metrics"
)

// operationsAlarms maps each item of docs/operations.md's alarm list to the alarms that raise it.
var operationsAlarms = map[string][]string{
	"the on-failure queue is not empty":               {"FailureQueueNotEmptyAlarm"},
	"the on-failure queue's oldest message's age":     {"FailureQueueOldestMessageAlarm"},
	"process-result errors":                           {"ProcessResultErrorsAlarm"},
	"any function's throttles":                        {"FunctionThrottlesAlarm", "DeskFunctionThrottlesAlarm"},
	"asynchronous events dropped or too old":          {"AsyncEventsDroppedAlarm", "AsyncEventAgeAlarm"},
	"API 5xx rate":                                    {"ApiErrorRateAlarm"},
	"results filed to stuck/ or denied/ (warning)":    {"ResultsStuckAlarm", "ResultsDeniedAlarm"},
	"unconfirmed notifications":                       {"NotificationsUnconfirmedAlarm"},
	"the oldest object in completed/ over 30 minutes": {"OldestCompletedResultAlarm"},
	"DynamoDB throttling":                             {"DynamoDbThrottlesAlarm"},
	// A notification refused for good, or with no contact that may get it.
	"failed notifications": {"NotificationsFailedAlarm"},
}

func TestAnAlarmForEachOperationsItem(t *testing.T) {
	alarms := load(t).Resources("AWS::CloudWatch::Alarm")
	for item, ids := range operationsAlarms {
		for _, id := range ids {
			if alarms[id] == nil {
				t.Errorf("%s: no AWS::CloudWatch::Alarm %s", item, id)
			}
		}
	}
	oldest := alarms["OldestCompletedResultAlarm"]
	if Get(oldest, "Properties", "Threshold") != "1800" || Get(oldest, "Properties", "MetricName") != string(metrics.OldestCompletedAge) {
		t.Errorf("OldestCompletedResultAlarm must fire over 1800 s of %s", metrics.OldestCompletedAge)
	}
	if Get(oldest, "Properties", "TreatMissingData") != "breaching" {
		t.Error("OldestCompletedResultAlarm must treat a silent reconciler as breaching")
	}
}

// TestEveryAlarmTellsSomeone: every alarm notifies the alarm topic, which
// e-mails the address given as a parameter (no default, none in prod's samconfig).
func TestEveryAlarmTellsSomeone(t *testing.T) {
	tpl := load(t)
	alarms := tpl.Resources("AWS::CloudWatch::Alarm")
	if len(alarms) == 0 {
		t.Fatal("no alarms")
	}
	topic := map[string]any{"Ref": "AlarmTopic"}
	for id, a := range alarms {
		for _, key := range []string{"AlarmActions", "OKActions"} {
			actions, _ := Get(a, "Properties", key).([]any)
			if !slices.ContainsFunc(actions, func(v any) bool { return fmt.Sprint(v) == fmt.Sprint(topic) }) {
				t.Errorf("%s: %s does not tell AlarmTopic", id, key)
			}
		}
		if name := fmt.Sprint(Get(a, "Properties", "AlarmName")); !strings.Contains(name, "${Stage}") {
			t.Errorf("%s's name does not carry the stage: %s", id, name)
		}
	}
	alarmTopic := tpl.Resources("AWS::SNS::Topic")["AlarmTopic"]
	if alarmTopic == nil {
		t.Fatal("no AlarmTopic")
	}
	// Encrypted with the stack's key, which CloudWatch may then use to publish.
	if got := fmt.Sprint(Get(alarmTopic, "Properties", "KmsMasterKeyId")); got != "map[Ref:DataKey]" {
		t.Errorf("the alarm topic is encrypted with %s, want DataKey", got)
	}
	if policy := fmt.Sprint(Get(tpl, "Resources", "DataKey", "Properties", "KeyPolicy")); !strings.Contains(policy, "Service:cloudwatch.amazonaws.com") {
		t.Error("DataKey's policy does not let CloudWatch publish to the encrypted alarm topic")
	}
	subscribed := false
	for _, s := range tpl.Resources("AWS::SNS::Subscription") {
		if fmt.Sprint(Get(s, "Properties", "TopicArn")) == fmt.Sprint(topic) && Get(s, "Properties", "Protocol") == "email" &&
			fmt.Sprint(Get(s, "Properties", "Endpoint")) == "map[Ref:AlarmEmail]" {
			subscribed = true
		}
	}
	if !subscribed {
		t.Error("AlarmTopic has no e-mail subscription to the AlarmEmail parameter")
	}
	if Get(tpl, "Parameters", "AlarmEmail", "Default") != nil {
		t.Error("AlarmEmail has a default")
	}
	samconfig, err := os.ReadFile(filepath.Join(Root(), "samconfig.toml"))
	if err != nil {
		t.Fatal(err)
	}
	prod := string(samconfig)[strings.Index(string(samconfig), "[prod.deploy.parameters]"):]
	if strings.Contains(prod, "AlarmEmail") {
		t.Error("samconfig.toml's prod environment has an example AlarmEmail")
	}
}

// awsMetrics are the metrics AWS publishes that the alarms and the dashboard
// may name, by namespace, with the resource type each dimension names.
var awsMetrics = map[string]struct {
	names      []string
	dimensions map[string]string
}{
	"AWS/Lambda": {[]string{"Errors", "Throttles", "Invocations", "Duration", "AsyncEventsReceived", "AsyncEventAge", "AsyncEventsDropped"},
		map[string]string{"FunctionName": "Ref AWS::Serverless::Function"}},
	"AWS/SQS": {[]string{"ApproximateNumberOfMessagesVisible", "ApproximateAgeOfOldestMessage"},
		map[string]string{"QueueName": "GetAtt.QueueName AWS::SQS::Queue"}},
	"AWS/ApiGateway": {[]string{"Count", "4xx", "5xx", "Latency"},
		map[string]string{"ApiId": "Ref AWS::Serverless::HttpApi"}},
	// The account's, without dimensions.
	"AWS/SNS": {[]string{"SMSMonthToDateSpentUSD"}, nil},
	"AWS/DynamoDB": {[]string{"ReadThrottleEvents", "WriteThrottleEvents"},
		map[string]string{"TableName": "Ref AWS::DynamoDB::Table", "GlobalSecondaryIndexName": "index"}},
}

// checkMetric fails t unless the metric exists: one of this system's
// (metrics.Catalog, with exactly its dimensions and their values) or one AWS
// publishes for a resource of the template. A dimension value is a string,
// or a reference rendered as "Ref X" or "GetAtt.Attr X".
func checkMetric(t *testing.T, tpl Template, where, namespace, name string, dims map[string]string) {
	t.Helper()
	if namespace == metrics.Namespace {
		def, ok := metrics.Catalog[metrics.Name(name)]
		if !ok {
			t.Errorf("%s: %s is not a metric of shared/metrics", where, name)
			return
		}
		// Every metric carries the stage: this stack's own.
		if stage := dims[metrics.DimStage]; stage != "Ref Stage" && stage != "param Stage" {
			t.Errorf("%s: %s is not limited to this stage's (Stage=%q)", where, name, stage)
		}
		if len(dims) != len(def.Dimensions)+1 {
			t.Errorf("%s: %s with dimensions %v, want Stage and %v", where, name, dims, def.Dimensions)
		}
		for d, v := range dims {
			if d != metrics.DimStage && !slices.Contains(def.Dimensions[d], v) {
				t.Errorf("%s: %s{%s=%s} is never published", where, name, d, v)
			}
		}
		return
	}
	known, ok := awsMetrics[namespace]
	if !ok || !slices.Contains(known.names, name) {
		t.Errorf("%s: %s %s is not a metric the test knows AWS publishes", where, namespace, name)
		return
	}
	resources, _ := tpl["Resources"].(map[string]any)
	for d, v := range dims {
		want, ok := known.dimensions[d]
		if !ok {
			t.Errorf("%s: %s %s has no dimension %s", where, namespace, name, d)
			continue
		}
		if want == "index" {
			if !strings.Contains(fmt.Sprint(Get(tpl, "Resources", "ExamTable", "Properties", "GlobalSecondaryIndexes")), "IndexName:"+v+" ") {
				t.Errorf("%s: the table has no index %s", where, v)
			}
			continue
		}
		kind, typ, _ := strings.Cut(want, " ")
		gotKind, id, _ := strings.Cut(v, " ")
		r, _ := resources[id].(map[string]any)
		if gotKind != kind || r == nil || r["Type"] != typ {
			t.Errorf("%s: %s %s's %s is %q, want a %s of a %s of this template", where, namespace, name, d, v, kind, typ)
		}
	}
}

// reference renders a dimension value of an alarm.
func reference(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case map[string]any:
		if id, ok := x["Ref"].(string); ok {
			return "Ref " + id
		}
		if ga, ok := x["Fn::GetAtt"].([]string); ok && len(ga) == 2 {
			return "GetAtt." + ga[1] + " " + ga[0]
		}
		if ga, ok := x["Fn::GetAtt"].([]any); ok && len(ga) == 2 {
			return fmt.Sprintf("GetAtt.%s %s", ga[1], ga[0])
		}
	}
	return fmt.Sprint(v)
}

func dimensionsOf(v any) map[string]string {
	out := map[string]string{}
	list, _ := v.([]any)
	for _, d := range list {
		out[fmt.Sprint(Get(d, "Name"))] = reference(Get(d, "Value"))
	}
	return out
}

// alarmMetrics lists the metrics an alarm reads: its own, or its math's.
func alarmMetrics(a map[string]any) (out [][3]any) {
	p := Get(a, "Properties")
	if name := Get(p, "MetricName"); name != nil {
		return [][3]any{{Get(p, "Namespace"), name, dimensionsOf(Get(p, "Dimensions"))}}
	}
	list, _ := Get(p, "Metrics").([]any)
	for _, m := range list {
		if stat := Get(m, "MetricStat", "Metric"); stat != nil {
			out = append(out, [3]any{Get(stat, "Namespace"), Get(stat, "MetricName"), dimensionsOf(Get(stat, "Dimensions"))})
		}
	}
	return out
}

func TestAlarmsNameOnlyMetricsThatExist(t *testing.T) {
	tpl := load(t)
	for id, a := range tpl.Resources("AWS::CloudWatch::Alarm") {
		ms := alarmMetrics(a)
		if len(ms) == 0 {
			t.Errorf("%s reads no metric", id)
		}
		for _, m := range ms {
			checkMetric(t, tpl, id, fmt.Sprint(m[0]), fmt.Sprint(m[1]), m[2].(map[string]string))
		}
	}
}

// TestAlarmsReadAtMostTenMetrics: CloudWatch refuses a metric math alarm
// that reads more than 10 metrics (a hard limit, which neither cfn-lint nor
// sam validate checks): the stack would fail to deploy. An alarm over every
// function outgrows it as functions are added; split it then.
func TestAlarmsReadAtMostTenMetrics(t *testing.T) {
	for id, a := range load(t).Resources("AWS::CloudWatch::Alarm") {
		if n := len(alarmMetrics(a)); n > 10 {
			t.Errorf("%s reads %d metrics; CloudWatch takes at most 10 in one alarm", id, n)
		}
	}
}

// TestThrottlesAlarmCoversEveryFunction: "any function's throttles", in two
// alarms (one alarm reads at most 10 metrics).
func TestThrottlesAlarmCoversEveryFunction(t *testing.T) {
	tpl := load(t)
	covered := map[string]bool{}
	for _, alarm := range operationsAlarms["any function's throttles"] {
		for _, m := range alarmMetrics(tpl.Resources("AWS::CloudWatch::Alarm")[alarm]) {
			if m[1] == "Throttles" {
				covered[strings.TrimPrefix(m[2].(map[string]string)["FunctionName"], "Ref ")] = true
			}
		}
	}
	for id := range tpl.Resources("AWS::Serverless::Function") {
		if !covered[id] {
			t.Errorf("no throttles alarm watches %s", id)
		}
	}
}

var subReference = regexp.MustCompile(`\$\{([A-Za-z0-9:]+)(\.[A-Za-z]+)?\}`)

// TestDashboardNamesOnlyWhatExists: every reference of the dashboard's body is
// to a resource, parameter or pseudo parameter, and every metric it draws exists.
func TestDashboardNamesOnlyWhatExists(t *testing.T) {
	tpl := load(t)
	dash := tpl.Resources("AWS::CloudWatch::Dashboard")["Dashboard"]
	body, ok := Get(dash, "Properties", "DashboardBody", "Fn::Sub").(string)
	if !ok {
		t.Fatal("no Dashboard with a DashboardBody !Sub string")
	}
	resources, _ := tpl["Resources"].(map[string]any)
	params, _ := tpl["Parameters"].(map[string]any)
	var bad []string
	resolved := subReference.ReplaceAllStringFunc(body, func(ref string) string {
		m := subReference.FindStringSubmatch(ref)
		id, attr := m[1], strings.TrimPrefix(m[2], ".")
		switch {
		case strings.HasPrefix(id, "AWS::") && attr == "":
			return "pseudo " + id
		case params[id] != nil && attr == "":
			return "param " + id
		case resources[id] != nil && attr == "":
			return "Ref " + id
		case resources[id] != nil:
			return "GetAtt." + attr + " " + id
		}
		bad = append(bad, ref)
		return ref
	})
	if len(bad) > 0 {
		t.Errorf("the dashboard names what the template does not declare: %v", bad)
	}
	var d struct {
		Widgets []struct {
			Type       string
			Properties struct {
				Title   string
				Metrics [][]any
			}
		}
	}
	if err := json.Unmarshal([]byte(resolved), &d); err != nil {
		t.Fatalf("the dashboard's body is not JSON: %v", err)
	}
	drawn := map[string]bool{}
	for _, w := range d.Widgets {
		for _, m := range w.Properties.Metrics {
			var words []string
			for _, v := range m {
				if s, ok := v.(string); ok {
					words = append(words, s)
				}
			}
			if len(words) < 2 || len(words)%2 != 0 {
				t.Errorf("%q: metric %v is not namespace, name and dimension pairs", w.Properties.Title, m)
				continue
			}
			dims := map[string]string{}
			for i := 2; i < len(words); i += 2 {
				dims[words[i]] = words[i+1]
			}
			checkMetric(t, tpl, "dashboard "+w.Properties.Title, words[0], words[1], dims)
			drawn[words[0]+" "+words[1]] = true
		}
	}
	// The flow at a glance: every metric of this system is drawn.
	var missing []string
	for name := range metrics.Catalog {
		if !drawn[metrics.Namespace+" "+string(name)] {
			missing = append(missing, string(name))
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("the dashboard does not draw %v", missing)
	}
}

// TestSafeDeployments: every function is published behind an alias and
// deployed by CodeDeploy: canary in prod rolled back by the alarms, all at
// once elsewhere. The bucket invokes process-result through its alias.
func TestSafeDeployments(t *testing.T) {
	tpl := load(t)
	global := Get(tpl, "Globals", "Function")
	alarms := tpl.Resources("AWS::CloudWatch::Alarm")
	for id, fn := range tpl.Resources("AWS::Serverless::Function") {
		alias := Get(fn, "Properties", "AutoPublishAlias")
		if alias == nil {
			alias = Get(global, "AutoPublishAlias")
		}
		pref := Get(fn, "Properties", "DeploymentPreference")
		if pref == nil {
			pref = Get(global, "DeploymentPreference")
		}
		if alias == nil || pref == nil {
			t.Errorf("%s: alias %v, deployment preference %v", id, alias, pref)
			continue
		}
		if got := fmt.Sprint(Get(pref, "Type")); got != "map[Fn::If:[IsProd Canary10Percent5Minutes AllAtOnce]]" {
			t.Errorf("%s: deployment type %s, want canary in prod and all at once elsewhere", id, got)
		}
		cond, _ := Get(pref, "Alarms", "Fn::If").([]any)
		if len(cond) != 3 || cond[0] != "IsProd" || fmt.Sprint(cond[2]) != "[]" {
			t.Errorf("%s: rollback alarms %v, want alarms in prod only", id, Get(pref, "Alarms"))
			continue
		}
		triggers, _ := cond[1].([]any)
		if len(triggers) == 0 {
			t.Errorf("%s: no rollback alarm in prod", id)
		}
		for _, a := range triggers {
			if ref, _ := Get(a, "Ref").(string); alarms[ref] == nil {
				t.Errorf("%s: rollback alarm %v is not an alarm of the template", id, a)
			}
		}
	}
	alias := "map[Ref:ProcessResultFunction.Alias]"
	notification := Get(tpl, "Resources", "ResultsBucket", "Properties", "NotificationConfiguration", "LambdaConfigurations")
	if !strings.Contains(fmt.Sprint(notification), "Function:"+alias) {
		t.Errorf("the bucket does not invoke process-result's alias: %v", notification)
	}
	if got := fmt.Sprint(Get(tpl, "Resources", "ProcessResultInvokedByTheBucket", "Properties", "FunctionName")); got != alias {
		t.Errorf("the bucket's invoke permission names %s, want the alias", got)
	}
}

// TestReconcilerMayOnlyListAndInvoke: its role lists versions under completed/
// and invokes process-result's alias, nothing else; it runs on a schedule.
func TestReconcilerMayOnlyListAndInvoke(t *testing.T) {
	tpl := load(t)
	fn := tpl.Resources("AWS::Serverless::Function")["ReconcileResultsFunction"]
	if fn == nil {
		t.Fatal("no ReconcileResultsFunction")
	}
	alias := fmt.Sprint(Get(tpl, "Globals", "Function", "AutoPublishAlias"))
	target := "map[Fn::Sub:${ProcessResultFunction.Arn}:" + alias + "]"
	if got := fmt.Sprint(tpl.Environment("ReconcileResultsFunction")["ZMED_PROCESS_RESULT_FUNCTION"]); got != target {
		t.Errorf("the reconciler invokes %s, want process-result's alias %s", got, target)
	}
	var got []string
	for _, s := range statements(fn) {
		got = append(got, s.effect+" "+strings.Join(s.actions, ",")+" on "+strings.Join(s.resources, ","))
	}
	bucket := "Fn::Sub(arn:${AWS::Partition}:s3:::${ResultsBucketPrefix}-${Stage}-${AWS::AccountId}-${AWS::Region})"
	want := []string{
		"Allow s3:ListBucketVersions on " + bucket,
		"Allow lambda:InvokeFunction on Fn::Sub(${ProcessResultFunction.Arn}:" + alias + ")",
	}
	if !slices.Equal(got, want) {
		t.Errorf("the reconciler's role:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	policies, _ := Get(fn, "Properties", "Policies").([]any)
	if cond := fmt.Sprint(Get(policies[0], "Statement").([]any)[0]); !strings.Contains(cond, "s3:prefix:completed/") {
		t.Errorf("the listing is not limited to completed/: %s", cond)
	}
	if Get(fn, "Properties", "Events", "Schedule", "Type") != "Schedule" {
		t.Error("the reconciler has no schedule")
	}
}

// TestFailedNotificationsAlarmWatchesEveryChannel: a notification refused on
// any channel raises the alarm (the metric is published per channel).
func TestFailedNotificationsAlarmWatchesEveryChannel(t *testing.T) {
	watched := map[string]bool{}
	for _, m := range alarmMetrics(load(t).Resources("AWS::CloudWatch::Alarm")["NotificationsFailedAlarm"]) {
		if m[1] == string(metrics.NotificationsFailed) {
			watched[m[2].(map[string]string)[metrics.DimChannel]] = true
		}
	}
	for _, channel := range metrics.Catalog[metrics.NotificationsFailed].Dimensions[metrics.DimChannel] {
		if !watched[channel] {
			t.Errorf("NotificationsFailedAlarm does not watch %s{Channel=%s}", metrics.NotificationsFailed, channel)
		}
	}
}
