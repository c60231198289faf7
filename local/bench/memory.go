package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/zmed/exam-manager/local/cost/model"
	"github.com/zmed/exam-manager/local/lambdarun"
)

// memorySizesMB are the sizes every function is measured at (its own size
// in the template is added when it is not one of them).
var memorySizesMB = []int{128, 256, 512, 1024, vCPUMemoryMB}

// eventSource gives a function's i-th event, with whatever state it needs
// made beforehand (an exam to start, a scan to process): each invocation
// does the function's real work, never a replay that would answer early.
type eventSource func(i int) ([]byte, error)

// sizeRun runs a function's binary under the emulator with the CPU share
// of memoryMB (when this machine can limit it): the cold start (the
// emulator's start to the first answer, the emulator's own start in it as in
// the cold-start section), then warm invocations, and the function's peak
// memory. Its JSON lines go to logs.
func sizeRun(ctx context.Context, rie, bin string, env []string, memoryMB int, events eventSource, warm int, logs io.Writer) (model.SizeFigures, error) {
	fig := model.SizeFigures{MemoryMB: memoryMB}
	env = append(slices.Clip(env), fmt.Sprintf("AWS_LAMBDA_FUNCTION_MEMORY_SIZE=%d", memoryMB))
	var placed func(int) error
	if share, err := newCPUShare(memoryMB); err == nil {
		defer share.remove()
		placed, fig.CPUShare = share.add, share.share
	}
	first, err := events(0)
	if err != nil {
		return fig, err
	}
	began := time.Now()
	e, err := lambdarun.StartEmulator(ctx, rie, bin, env, logs, placed)
	if err != nil {
		return fig, err
	}
	defer e.Close()
	if err := invokeOK(ctx, e, first); err != nil {
		return fig, err
	}
	fig.ColdStartMS = msOf(time.Since(began))
	var times []float64
	for i := 1; i <= warm; i++ {
		ev, err := events(i)
		if err != nil {
			return fig, err
		}
		t := time.Now()
		if err := invokeOK(ctx, e, ev); err != nil {
			return fig, err
		}
		times = append(times, msOf(time.Since(t)))
	}
	if len(times) > 0 {
		slices.Sort(times)
		fig.WarmP50MS = times[len(times)/2]
	}
	peak, err := e.FunctionPeakMemory()
	fig.PeakMiB = float64(peak) / (1 << 20)
	return fig, err
}

// invokeOK invokes e with event and fails on a function error or an HTTP
// answer that is not a success.
func invokeOK(ctx context.Context, e *lambdarun.Emulator, event []byte) error {
	out, err := e.Invoke(ctx, event)
	if err != nil {
		return fmt.Errorf("%w: %s", err, out)
	}
	var answer struct {
		ErrorType  string `json:"errorType"`
		StatusCode int    `json:"statusCode"`
	}
	_ = json.Unmarshal(out, &answer) // a handler may answer null
	if answer.ErrorType != "" || answer.StatusCode >= 300 {
		return fmt.Errorf("answered %s", out)
	}
	return nil
}

func msOf(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
