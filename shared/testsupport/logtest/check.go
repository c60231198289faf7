package logtest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/uuid"
)

// CheckLines reads every line in buf and fails t unless each is a JSON object
// that carries none of forbidden and names, as exam_id, only a UUID (the one
// form of a client value that may be logged). It returns how many lines it read.
func CheckLines(t testing.TB, buf *bytes.Buffer, forbidden []string) int {
	t.Helper()
	lines := 0
	sc := bufio.NewScanner(buf)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		lines++
		line := sc.Text()
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		if id, ok := rec["exam_id"]; ok {
			if s, _ := id.(string); len(s) != 36 || uuid.Validate(s) != nil {
				t.Fatalf("log line names an exam_id that is not a UUID: %s", line)
			}
		}
		for _, f := range forbidden {
			if f != "" && strings.Contains(line, f) {
				t.Fatalf("log line carries %q: %s", f, line)
			}
		}
	}
	return lines
}

// Records parses every line of logs as a JSON object.
func Records(t testing.TB, logs []byte) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range bytes.Split(bytes.TrimSpace(logs), []byte("\n")) {
		var rec map[string]any
		if err := json.Unmarshal(line, &rec); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		out = append(out, rec)
	}
	return out
}
