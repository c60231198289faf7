package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// event is one line of `go test -json` (see `go doc test2json`).
type event struct {
	Action     string
	Package    string
	ImportPath string // build-output and build-fail
	Test       string
	Output     string
	Elapsed    float64
}

// id names a test, or a package's own output when test is "".
type id struct{ pkg, test string }

// result is a finished test or package.
type result struct {
	id
	action  string // pass, fail or skip
	elapsed float64
}

// suitePattern picks the tests that say how a suite did on one backend.
var suitePattern = regexp.MustCompile(`^(Test[A-Za-z]+/backend=[a-z0-9]+|Test[A-Za-z]*Moto)$`)

// maxLines bounds what is kept of one test's output: the end of it, where a failure is.
const maxLines = 400

// summary is what one run of `go test -json` amounts to; the per-package
// lines go to progress as they come, the rest is printed at the end.
type summary struct {
	output                  map[id][]string
	failures                []result // tests and packages that failed, in order
	packages, suites        []result
	passed, failed, skipped int
	other                   []string // lines that were not JSON events, shown as they are
	progress                io.Writer
}

// read reads the events, printing a line to progress as each package finishes
// (a run takes minutes; this shows it moving).
func read(r io.Reader, progress io.Writer) (*summary, error) {
	s := &summary{output: map[id][]string{}, progress: progress}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil || e.Action == "" {
			s.other = append(s.other, sc.Text())
			continue
		}
		s.add(e)
	}
	return s, sc.Err()
}

func (s *summary) add(e event) {
	if e.ImportPath != "" && e.Package == "" { // a build's own events
		e.Package = e.ImportPath
	}
	k := id{e.Package, e.Test}
	switch e.Action {
	case "output", "build-output":
		s.keep(k, e.Output)
	case "build-fail":
		s.failures = append(s.failures, result{k, "fail", 0})
	case "pass", "fail", "skip":
		r := result{k, e.Action, e.Elapsed}
		if e.Test == "" {
			if e.Action != "skip" { // skip: no test files
				s.packages = append(s.packages, r)
				fmt.Fprintf(s.progress, "  %-4s  %-40s %6.1fs\n", strings.ToUpper(r.action), short(r.pkg), r.elapsed)
			}
		} else {
			s.count(e.Action)
			if suitePattern.MatchString(e.Test) {
				s.suites = append(s.suites, r)
			}
		}
		if e.Action == "fail" {
			s.failures = append(s.failures, r)
		} else {
			delete(s.output, k) // only failures are shown
		}
	}
}

func (s *summary) keep(k id, line string) {
	if strings.HasPrefix(line, "=== ") { // RUN, PAUSE, CONT, NAME: framing, not content
		return
	}
	lines := append(s.output[k], strings.TrimRight(line, "\n"))
	if len(lines) > maxLines {
		lines = append([]string{fmt.Sprintf("… (%d earlier lines left out)", len(lines)-maxLines)}, lines[len(lines)-maxLines:]...)
	}
	s.output[k] = lines
}

func (s *summary) count(action string) {
	switch action {
	case "pass":
		s.passed++
	case "fail":
		s.failed++
	case "skip":
		s.skipped++
	}
}

func (s *summary) ok() bool {
	return len(s.failures) == 0
}

func (s *summary) print(w io.Writer) {
	for _, line := range s.other {
		fmt.Fprintln(w, line)
	}
	for _, f := range s.failures {
		name := short(f.pkg)
		if f.test != "" {
			name += " " + f.test
		}
		fmt.Fprintf(w, "\n--- FAIL: %s\n", name)
		for _, line := range s.output[f.id] {
			fmt.Fprintln(w, "    "+line)
		}
	}
	if len(s.suites) > 0 {
		fmt.Fprintln(w, "\nContract suites by backend:")
		for _, r := range s.suites {
			fmt.Fprintf(w, "  %-4s  %-40s %s\n", strings.ToUpper(r.action), r.test, short(r.pkg))
		}
	}
	fmt.Fprintf(w, "tests: %d passed, %d failed, %d skipped\n", s.passed, s.failed, s.skipped)
}

// short drops the module path, which every package shares.
func short(pkg string) string {
	return strings.TrimPrefix(pkg, "github.com/zmed/exam-manager/")
}
