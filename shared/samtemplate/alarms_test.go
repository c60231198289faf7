package samtemplate

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/zmed/exam-manager/shared/metrics"
)

// shortName is an alarm's name without the zmed-<stage>- every name begins with.
func shortName(a map[string]any) string {
	name, _ := Get(a, "Properties", "AlarmName", "Fn::Sub").(string)
	return strings.TrimPrefix(name, "zmed-${Stage}-")
}

// runbookNames are the alarm names of docs/operations.md's runbook table, as
// patterns: <function> stands for a function's name.
func runbookNames(t *testing.T) map[string]*regexp.Regexp {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(Root(), "docs", "operations.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	start := strings.Index(doc, "### Runbook")
	if start < 0 {
		t.Fatal("docs/operations.md has no runbook section")
	}
	section := doc[start:]
	if end := strings.Index(section[1:], "\n#"); end >= 0 {
		section = section[:end+1]
	}
	out := map[string]*regexp.Regexp{}
	code := regexp.MustCompile("`([^`]+)`")
	for _, line := range strings.Split(section, "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 4 || strings.TrimSpace(cells[2]) == "" || strings.HasPrefix(strings.TrimSpace(cells[1]), "---") {
			continue
		}
		for _, m := range code.FindAllStringSubmatch(cells[1], -1) {
			pattern := strings.ReplaceAll(regexp.QuoteMeta(m[1]), "<function>", "[a-z0-9-]+")
			out[m[1]] = regexp.MustCompile("^" + pattern + "$")
		}
	}
	return out
}

// TestEveryAlarmHasARunbookLine: whoever gets the e-mail finds what the alarm
// means and what to do in docs/operations.md; a line names an alarm that exists.
func TestEveryAlarmHasARunbookLine(t *testing.T) {
	names := runbookNames(t)
	if len(names) == 0 {
		t.Fatal("the runbook names no alarm")
	}
	used := map[string]bool{}
	for id, a := range load(t).Resources("AWS::CloudWatch::Alarm") {
		name := shortName(a)
		found := false
		for line, re := range names {
			if re.MatchString(name) {
				found, used[line] = true, true
			}
		}
		if !found {
			t.Errorf("%s (%s) has no runbook line in docs/operations.md", id, name)
		}
	}
	for line := range names {
		if !used[line] {
			t.Errorf("the runbook's %s names no alarm of the template", line)
		}
	}
}

// timeoutMillis is a function's timeout as deployed, in milliseconds.
func timeoutMillis(t *testing.T, tpl Template, fn map[string]any) int {
	seconds, err := strconv.Atoi(fmt.Sprint(functionProperty(tpl, fn, "Timeout")))
	if err != nil {
		t.Fatalf("timeout %v: %v", functionProperty(tpl, fn, "Timeout"), err)
	}
	return 1000 * seconds
}

// TestEveryFunctionsDurationIsWatched: a p99 above 80 % of a function's
// timeout is about to become timeouts.
func TestEveryFunctionsDurationIsWatched(t *testing.T) {
	onBothTemplates(t, func(t *testing.T, tpl Template) {
		alarms := tpl.Resources("AWS::CloudWatch::Alarm")
		for id, fn := range functionsOf(tpl) {
			want := fmt.Sprint(timeoutMillis(t, tpl, fn) * 8 / 10)
			found := false
			for name, a := range alarms {
				p := Get(a, "Properties")
				if Get(p, "MetricName") != "Duration" || fmt.Sprint(dimensionsOf(Get(p, "Dimensions"))) != fmt.Sprint(map[string]string{"FunctionName": "Ref " + id}) {
					continue
				}
				found = true
				if Get(p, "ExtendedStatistic") != "p99" || Get(p, "Threshold") != want || Get(p, "ComparisonOperator") != "GreaterThanThreshold" {
					t.Errorf("%s: %v %v %v, want p99 GreaterThanThreshold %s ms (80%% of %s's timeout)", name,
						Get(p, "ExtendedStatistic"), Get(p, "ComparisonOperator"), Get(p, "Threshold"), want, id)
				}
			}
			if !found {
				t.Errorf("no alarm on %s's duration", id)
			}
		}
	})
}

// TestAlarmsOnThePathsThatHadNone: the reconciler's errors, the API's p99
// latency and 4xx surge, the patient manager's p99 latency (80 % of its
// client's timeout), and the account's SMS deliveries and SES reputation,
// those created by the one stage CreateAccountAlarms names.
func TestAlarmsOnThePathsThatHadNone(t *testing.T) {
	tpl := load(t)
	alarms := tpl.Resources("AWS::CloudWatch::Alarm")
	patientTimeout, err := time.ParseDuration(fmt.Sprint(tpl.Environment("RegisterExamFunction")["ZMED_PATIENT_MANAGER_TIMEOUT"]))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		what, namespace, metric string
		dims                    map[string]string
		statistic, threshold    string
		accountWide             bool
	}{
		{"reconciler errors", "AWS/Lambda", "Errors", map[string]string{"FunctionName": "Ref ReconcileResultsFunction"}, "Sum", "1", false},
		{"API p99 latency", "AWS/ApiGateway", "Latency", map[string]string{"ApiId": "Ref HttpApi"}, "p99", "", false},
		{"API 4xx surge", "AWS/ApiGateway", "4xx", map[string]string{"ApiId": "Ref HttpApi"}, "Sum", "", false},
		{"patient manager p99 latency", metrics.Namespace, string(metrics.PatientManagerLatency), map[string]string{metrics.DimStage: "Ref Stage"}, "p99",
			fmt.Sprint(patientTimeout.Milliseconds() * 8 / 10), false},
		{"SMS delivery failures", "AWS/SNS", "NumberOfNotificationsFailed", map[string]string{"PhoneNumber": "PhoneNumberDirect"}, "Sum", "", true},
		{"SES bounce rate", "AWS/SES", "Reputation.BounceRate", map[string]string{}, "Maximum", "0.05", true},
		{"SES complaint rate", "AWS/SES", "Reputation.ComplaintRate", map[string]string{}, "Maximum", "0.001", true},
	} {
		found := false
		for id, a := range alarms {
			p := Get(a, "Properties")
			for _, m := range alarmMetrics(a) {
				if m[0] != tc.namespace || m[1] != tc.metric || fmt.Sprint(m[2]) != fmt.Sprint(tc.dims) {
					continue
				}
				stat := Get(p, "ExtendedStatistic")
				if stat == nil {
					stat = Get(p, "Statistic")
				}
				if single := Get(p, "MetricName") != nil; single && (fmt.Sprint(stat) != tc.statistic || (tc.threshold != "" && Get(p, "Threshold") != tc.threshold)) {
					continue
				}
				found = true
				if accountWide := a["Condition"] == "CreatesAccountAlarms"; accountWide != tc.accountWide {
					t.Errorf("%s (%s): created by every stage %v, want %v", id, tc.what, !accountWide, !tc.accountWide)
				}
			}
		}
		if !found {
			t.Errorf("no alarm on %s: %s %s %v (%s, threshold %q)", tc.what, tc.namespace, tc.metric, tc.dims, tc.statistic, tc.threshold)
		}
	}
	// What the whole account shares is alarmed by one stage only.
	for id, a := range alarms {
		for _, m := range alarmMetrics(a) {
			if (m[0] == "AWS/SES" || m[0] == "AWS/SNS") && a["Condition"] != "CreatesAccountAlarms" {
				t.Errorf("%s watches the account's %s %s in every stage", id, m[0], m[1])
			}
		}
	}
}

// TestReportLinesAreKept: the platform's REPORT line of each invocation
// (duration, memory used) is written at INFO; a higher system level drops it.
func TestReportLinesAreKept(t *testing.T) {
	onBothTemplates(t, func(t *testing.T, tpl Template) {
		fns := functionsOf(tpl)
		if len(fns) == 0 {
			t.Fatal("no function")
		}
		for id, fn := range fns {
			if level := functionProperty(tpl, fn, "LoggingConfig", "SystemLogLevel"); level != "INFO" && level != "DEBUG" {
				t.Errorf("%s's system log level is %v: its REPORT lines are dropped", id, level)
			}
		}
	})
}

// TestDashboardShowsEveryFunctionAndAlarm: each function's errors, throttles,
// duration and invocations, and every alarm of the stage (the account-wide
// ones, which another stage may create, by their metrics).
func TestDashboardShowsEveryFunctionAndAlarm(t *testing.T) {
	tpl := load(t)
	body, _ := Get(tpl, "Resources", "Dashboard", "Properties", "DashboardBody", "Fn::Sub").(string)
	var d struct {
		Widgets []struct {
			Type       string
			Properties struct {
				Metrics [][]any
				Alarms  []string
			}
		}
	}
	if err := json.Unmarshal([]byte(body), &d); err != nil {
		t.Fatalf("the dashboard's body is not JSON: %v", err)
	}
	drawn := map[string]bool{}
	var alarmsShown []string
	for _, w := range d.Widgets {
		alarmsShown = append(alarmsShown, w.Properties.Alarms...)
		for _, m := range w.Properties.Metrics {
			var words []string
			for _, v := range m {
				if s, ok := v.(string); ok {
					words = append(words, s)
				}
			}
			drawn[strings.Join(words, " ")] = true
			if len(words) >= 2 {
				drawn[words[0]+" "+words[1]] = true
			}
		}
	}
	for id := range tpl.Resources("AWS::Serverless::Function") {
		for _, metric := range []string{"Errors", "Throttles", "Duration", "Invocations"} {
			if !drawn["AWS/Lambda "+metric+" FunctionName ${"+id+"}"] {
				t.Errorf("the dashboard does not draw %s's %s", id, metric)
			}
		}
	}
	for id, a := range tpl.Resources("AWS::CloudWatch::Alarm") {
		if a["Condition"] == nil {
			// By its ARN built from its name: the dashboard depends on no alarm (moto, which creates none, creates it too).
			if !slices.Contains(alarmsShown, "arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:zmed-${Stage}-"+shortName(a)) {
				t.Errorf("the dashboard's alarm widget does not show %s", id)
			}
			continue
		}
		for _, m := range alarmMetrics(a) {
			if !drawn[fmt.Sprint(m[0])+" "+fmt.Sprint(m[1])] {
				t.Errorf("the dashboard does not draw %s %s, which %s (%s only) watches", m[0], m[1], id, a["Condition"])
			}
		}
	}
}
