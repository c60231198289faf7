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
	"github.com/zmed/exam-manager/shared/health"
	"github.com/zmed/exam-manager/shared/samtemplate"
)

// coldStarts runs each function's binary, built with the release flags for
// this host, under the runtime interface emulator, runs times: each run is a
// new process, timed from its start to the response to its first event. The
// budget is held on the health event of the function's kind, answered with no
// call, as the minimal function answers {}: the start (what Lambda reports as
// Init Duration) and a trivial first answer, alike for both. The first sample
// event is timed too: the start and that event's work, its calls included.
func coldStarts(ctx context.Context, work, rie string, runs int) error {
	if _, err := os.Stat(rie); err != nil {
		return fmt.Errorf("%s: %w (make bench installs it)", rie, err)
	}
	fns, err := functions()
	if err != nil {
		return err
	}
	root, _ := os.Getwd()
	tpl, err := samtemplate.Load(filepath.Join(root, "template.yaml"))
	if err != nil {
		return err
	}
	session, err := lambdarun.Start(ctx, root, rie, work, io.Discard)
	if err != nil {
		return err
	}
	defer session.Close()

	// Every binary first, then the runs round-robin, so that whatever else the
	// machine does weighs on all of them alike.
	type target struct {
		name          string
		bin           string
		env           []string
		event, sample []byte
		times, worked []time.Duration
	}
	ref := &target{name: "minimal aws-lambda-go", bin: filepath.Join(work, runtime.GOARCH, "minimal"),
		env: []string{"PATH=" + os.Getenv("PATH")}, event: []byte("{}")}
	if err := build(ctx, "./local/bench/minimal", ref.bin, runtime.GOARCH); err != nil {
		return err
	}
	targets := []*target{ref}
	for _, fn := range fns {
		t := &target{name: fn, bin: filepath.Join(work, runtime.GOARCH, fn)}
		if err := build(ctx, "./functions/"+fn, t.bin, runtime.GOARCH); err != nil {
			return err
		}
		events, _ := filepath.Glob(filepath.Join("events", fn, "*.json"))
		if len(events) == 0 {
			return fmt.Errorf("no event for %s", fn)
		}
		if t.sample, err = os.ReadFile(events[0]); err != nil {
			return err
		}
		t.event = t.sample // the pre-traffic hook answers no health event
		if kind, err := samtemplate.HealthKind(tpl, samtemplate.LogicalID(fn)); err == nil {
			if t.event, err = health.Event(kind); err != nil {
				return err
			}
		}
		if t.env, err = session.Environment(fn); err != nil {
			return err
		}
		targets = append(targets, t)
	}
	for range runs {
		for _, t := range targets {
			for _, run := range []struct {
				event []byte
				times *[]time.Duration
			}{{t.event, &t.times}, {t.sample, &t.worked}} {
				if run.event == nil {
					continue
				}
				began := time.Now()
				if _, err := lambdarun.Run(ctx, rie, t.bin, t.env, run.event, io.Discard); err != nil {
					return fmt.Errorf("%s: %w", t.name, err)
				}
				*run.times = append(*run.times, time.Since(began))
			}
		}
	}
	median := func(d []time.Duration) time.Duration {
		slices.Sort(d)
		return d[len(d)/2]
	}
	refTime := median(ref.times)
	fmt.Printf("Median of %d runs each, taken round-robin; the emulator's own start is in every figure alike. The budget is on the first answer to the health event (the start and a trivial answer, as the minimal function's); the last column adds the first sample event's work.\n\n", runs)
	fmt.Printf("| function | start + health event | ratio to minimal | budget 1.5 | start + first sample event |\n| --- | ---: | ---: | --- | ---: |\n")
	fmt.Printf("| %s | %s | 1.00 | | |\n", ref.name, ms(refTime))
	for _, t := range targets[1:] {
		ratio := float64(median(t.times)) / float64(refTime)
		fmt.Printf("| %s | %s | %.2f | %s | %s |\n", t.name, ms(median(t.times)), ratio, verdict(ratio <= 1.5), ms(median(t.worked)))
	}
	return nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
