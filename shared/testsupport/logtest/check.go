package logtest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"
)

// CheckLines reads every line in buf and fails t unless each is a JSON object
// that carries none of forbidden in what the code logged (LoggedText) nor
// hidden in a UUID (HiddenInUUID), and names, as exam_id, only a UUID (the one
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
		text := LoggedText(line)
		for _, f := range forbidden {
			if f != "" && strings.Contains(text, f) {
				t.Fatalf("log line carries %q: %s", f, line)
			}
			if HiddenInUUID(line, f) {
				t.Fatalf("log line carries the digits of %q in a UUID: %s", f, line)
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

// What logging makes up, whose digits are arbitrary: a UUID (a request id;
// also the one form in which an id may be logged, docs/security.md), an RFC 3339 time
// (the line's own and any logged one: its fraction of a second), the EMF
// timestamp, and a fractional number (a measured duration).
var (
	canonicalUUID = regexp.MustCompile(`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`)
	timestamp     = regexp.MustCompile(`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})`)
	emfTimestamp  = regexp.MustCompile(`"Timestamp":\d+`)
	fraction      = regexp.MustCompile(`([:,\[]\s*)-?\d+\.\d+([eE][+-]?\d+)?`)
)

// LoggedText is a JSON log line as the code chose to log it, in its order:
// what logging makes up is blanked out, so that a check for a short digit run
// (a phone's) or a CPF's digits spread over members cannot fail at random.
// Whole numbers stay: a document or a phone could be logged as one.
func LoggedText(line string) string {
	line = canonicalUUID.ReplaceAllString(line, "<uuid>")
	line = timestamp.ReplaceAllString(line, "<time>")
	line = emfTimestamp.ReplaceAllString(line, `"Timestamp":0`)
	return fraction.ReplaceAllString(line, "${1}0")
}
