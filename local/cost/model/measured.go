// Package model is the cost model of `make cost`: what `make bench` measured
// (measured.json), the prices (prices.json) and the template's resources make
// the cost per 1,000 exams and per month.
package model

import (
	"encoding/json"
	"fmt"
	"os"
)

// Measured is what `make bench` measures for the cost model.
type Measured struct {
	// Taken says when, on what machine and at which commit.
	Taken string `json:"taken"`
	// Functions are each function's figures, by functions/ folder.
	Functions map[string]FunctionFigures `json:"functions"`
	// NotMeasured are the functions the bench could not run locally, with
	// why (e.g. the pre-traffic hook, which needs CodeDeploy).
	NotMeasured map[string]string `json:"not_measured,omitempty"`
	// Operations are each operation's calls, by operation: register,
	// start, list, worklist, result (process-result on a scan), communicate.
	Operations map[string]Operation `json:"operations"`
	// ExamItemBytes is the size DynamoDB counts for an exam's item, by
	// status (the largest seen): Registered, Started, Finished.
	ExamItemBytes map[string]int `json:"exam_item_bytes"`
	// ResultObjectBytes is the size of the result object measured (a 300
	// dpi A4 JPEG scan, as a scanner makes it).
	ResultObjectBytes int `json:"result_object_bytes"`
	// AccessLogBytes is the size of one API access log line.
	AccessLogBytes int `json:"access_log_bytes"`
	// CustomMetrics are the distinct metric and dimension sets the
	// functions' embedded metric format lines publish.
	CustomMetrics []string `json:"custom_metrics"`
}

// FunctionFigures are one function's measurements.
type FunctionFigures struct {
	// Sizes are the figures at each memory size measured, smallest first.
	Sizes []SizeFigures `json:"sizes"`
	// LogBytesPerInvocation is what one warm invocation writes to its log
	// (JSON lines: its own lines, audit lines, metrics), by kind.
	LogBytesPerInvocation map[string]float64 `json:"log_bytes_per_invocation"`
}

// SizeFigures are one function's figures at one memory size.
type SizeFigures struct {
	MemoryMB int `json:"memory_mb"`
	// CPUShare is the share of a CPU the function ran with (memory / 1769
	// MB, as Lambda gives it); 0 when it could not be limited.
	CPUShare float64 `json:"cpu_share"`
	// ColdStartMS is from the process's start to its first answer.
	ColdStartMS float64 `json:"cold_start_ms"`
	// WarmP50MS is the median of the warm invocations.
	WarmP50MS float64 `json:"warm_p50_ms"`
	// PeakMiB is the function process's peak resident memory (Lambda's
	// "Max Memory Used").
	PeakMiB float64 `json:"peak_mib"`
}

// Operation is one operation: the function it invokes and what that calls.
type Operation struct {
	Function string `json:"function"`
	// API is whether it is an HTTP API route (billed by API Gateway, with an
	// access log line).
	API bool `json:"api"`
	// Status is the exam's status once the operation is done: the item
	// size its reads and writes are billed by.
	Status string `json:"status"`
	// Transition is whether the operation moves the exam to another
	// status: an index keyed by the status is then billed a delete and a put.
	Transition bool `json:"transition,omitempty"`
	// Calls are by "Service.Operation" (e.g. "DynamoDB.UpdateItem"), and
	// "patient manager".
	Calls map[string]int `json:"calls"`
}

// LogBytes is the total of f's log bytes per invocation.
func (f FunctionFigures) LogBytes() float64 {
	var n float64
	for _, b := range f.LogBytesPerInvocation {
		n += b
	}
	return n
}

// At is f's figures at memoryMB; false when that size was not measured.
func (f FunctionFigures) At(memoryMB int) (SizeFigures, bool) {
	for _, s := range f.Sizes {
		if s.MemoryMB == memoryMB {
			return s, true
		}
	}
	return SizeFigures{}, false
}

// ReadJSON reads the JSON file at path into v.
func ReadJSON(path string, v any) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
