package model

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/zmed/exam-manager/shared/samtemplate"
)

// Resources are what the template says the cost depends on.
type Resources struct {
	// MemoryMB is each function's configured memory, by functions/ folder.
	MemoryMB map[string]int
	// Fixed resources, each billed by the month whatever the volume; an
	// alarm created on a condition (one stage only) is counted. Alarms are
	// counted by the metrics they read: CloudWatch bills a metric-math
	// alarm per metric.
	Alarms, Dashboards, KMSKeys, Secrets int
	// TableIndexes is the exam table's global secondary indexes: every
	// write of an exam writes each of them too.
	TableIndexes int
	// StatusIndexes are those keyed by the exam's status (the worklist's): a
	// transition moves the exam's entry, a delete and a put.
	StatusIndexes int
	// Trail is whether the stack creates a trail (data events are billed).
	Trail bool
	// Traced is whether the functions' tracing is active (X-Ray records
	// a trace per sampled invocation).
	Traced bool
}

// ReadResources reads the template under root.
func ReadResources(root string) (Resources, error) {
	t, err := samtemplate.Load(filepath.Join(root, "template.yaml"))
	if err != nil {
		return Resources{}, err
	}
	r := Resources{
		MemoryMB:   map[string]int{},
		Dashboards: len(t.Resources("AWS::CloudWatch::Dashboard")),
		KMSKeys:    len(t.Resources("AWS::KMS::Key")),
		Secrets:    len(t.Resources("AWS::SecretsManager::Secret")),
		Trail:      len(t.Resources("AWS::CloudTrail::Trail")) > 0,
		Traced:     samtemplate.Get(t, "Globals", "Function", "Tracing") == "Active",
	}
	for _, alarm := range t.Resources("AWS::CloudWatch::Alarm") {
		r.Alarms += alarmMetrics(alarm)
	}
	for _, table := range t.Resources("AWS::DynamoDB::Table") {
		gsis, _ := samtemplate.Get(table, "Properties", "GlobalSecondaryIndexes").([]any)
		r.TableIndexes += len(gsis)
		for _, g := range gsis {
			keys, _ := samtemplate.Get(g, "KeySchema").([]any)
			for _, k := range keys {
				if samtemplate.Get(k, "AttributeName") == "status" {
					r.StatusIndexes++
				}
			}
		}
	}
	globalMB, _ := strconv.Atoi(fmt.Sprint(samtemplate.Get(t, "Globals", "Function", "MemorySize")))
	entries, err := os.ReadDir(filepath.Join(root, "functions"))
	if err != nil {
		return Resources{}, err
	}
	functions := t.Resources("AWS::Serverless::Function")
	for _, e := range entries {
		fn, ok := functions[samtemplate.LogicalID(e.Name())]
		if !e.IsDir() || !ok {
			continue
		}
		mb := globalMB
		if own := samtemplate.Get(fn, "Properties", "MemorySize"); own != nil {
			if mb, err = strconv.Atoi(fmt.Sprint(own)); err != nil {
				return Resources{}, fmt.Errorf("%s: MemorySize %v", e.Name(), own)
			}
		}
		r.MemoryMB[e.Name()] = mb
	}
	return r, nil
}

// alarmMetrics is how many metrics an alarm reads: one, or a metric-math
// alarm's metrics (its expressions are free).
func alarmMetrics(alarm map[string]any) int {
	queries, ok := samtemplate.Get(alarm, "Properties", "Metrics").([]any)
	if !ok {
		return 1
	}
	n := 0
	for _, q := range queries {
		if samtemplate.Get(q, "MetricStat") != nil {
			n++
		}
	}
	return n
}
