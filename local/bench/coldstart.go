package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"time"

	"github.com/zmed/exam-manager/local/lambdarun"
)

// coldStarts runs each function's binary, built with the release flags for
// this host, under the runtime interface emulator, runs times: each run is a
// new process, timed from its start to the response to its first event (the
// function's first sample event; the minimal function gets {}).
func coldStarts(ctx context.Context, work, rie string, runs int) error {
	if _, err := os.Stat(rie); err != nil {
		return fmt.Errorf("%s: %w (make bench installs it)", rie, err)
	}
	fns, err := functions()
	if err != nil {
		return err
	}
	root, _ := os.Getwd()
	session, err := lambdarun.Start(ctx, root, rie, work, io.Discard)
	if err != nil {
		return err
	}
	defer session.Close()
	st := session.Stack

	measure := func(bin string, env []string, event []byte) (time.Duration, error) {
		var times []time.Duration
		for range runs {
			began := time.Now()
			if _, err := lambdarun.Run(ctx, rie, bin, env, event, io.Discard); err != nil {
				return 0, err
			}
			times = append(times, time.Since(began))
		}
		slices.Sort(times)
		return times[len(times)/2], nil
	}

	ref := filepath.Join(work, runtime.GOARCH, "minimal")
	if err := build(ctx, "./local/bench/minimal", ref, runtime.GOARCH); err != nil {
		return err
	}
	refTime, err := measure(ref, []string{"PATH=" + os.Getenv("PATH")}, []byte("{}"))
	if err != nil {
		return err
	}
	fmt.Printf("Median of %d runs each; the emulator's own start is in every figure alike.\n\n", runs)
	fmt.Printf("| function | median | ratio to minimal | budget 1.5 |\n| --- | ---: | ---: | --- |\n")
	fmt.Printf("| minimal aws-lambda-go | %s | 1.00 | |\n", ms(refTime))
	for _, fn := range fns {
		bin := filepath.Join(work, runtime.GOARCH, fn)
		if err := build(ctx, "./functions/"+fn, bin, runtime.GOARCH); err != nil {
			return err
		}
		events, _ := filepath.Glob(filepath.Join("events", fn, "*.json"))
		if len(events) == 0 {
			return fmt.Errorf("no event for %s", fn)
		}
		event, err := os.ReadFile(events[0])
		if err != nil {
			return err
		}
		env, err := lambdarun.Environment(root, fn, lambdarun.Endpoints{
			DynamoDB: st.DynamoDBURL, S3: st.S3URL, SNS: st.NotificationsURL, SES: st.NotificationsURL, PatientManager: st.PatientsURL,
		})
		if err != nil {
			return err
		}
		t, err := measure(bin, env, event)
		if err != nil {
			return fmt.Errorf("%s: %w", fn, err)
		}
		ratio := float64(t) / float64(refTime)
		fmt.Printf("| %s | %s | %.2f | %s |\n", fn, ms(t), ratio, verdict(ratio <= 1.5))
	}
	return nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
