package logtest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/uuid"
)

// CheckLines reads every line in buf and fails t unless each is a JSON object
// that carries none of forbidden in what the code logged (LoggedTexts) and
// names, as exam_id, only a UUID (the one form of a client value that may be
// logged). It returns how many lines it read.
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
		for _, text := range LoggedTexts(rec) {
			for _, f := range forbidden {
				if f != "" && strings.Contains(text, f) {
					t.Fatalf("log line carries %q: %s", f, line)
				}
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

// canonicalUUID matches a UUID in its 36-character form.
var canonicalUUID = regexp.MustCompile(`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`)

// timestamp matches an RFC 3339 time, whose fraction of a second is arbitrary.
var timestamp = regexp.MustCompile(`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})`)

// LoggedTexts are the texts of a log record that the code chose to log: every
// member name and string value, UUIDs blanked out. Left out is what logging
// makes up and no client value can reach: the handler's "time", the EMF
// directive ("_aws") and fractional numbers (measured durations), whose
// digits are arbitrary. A UUID is the one form in which an id may be logged
// (SPEC §12), and random ones (request ids) may hold any short digit run; so
// may a time's fraction of a second, blanked out too.
func LoggedTexts(rec map[string]any) []string {
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case string:
			v = canonicalUUID.ReplaceAllString(v, "<uuid>")
			out = append(out, timestamp.ReplaceAllString(v, "<time>"))
		case float64:
			// A whole number could be a document or a phone logged as one.
			if v == math.Trunc(v) {
				out = append(out, strconv.FormatFloat(v, 'f', -1, 64))
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		case map[string]any:
			for k, x := range v {
				out = append(out, k)
				walk(x)
			}
		}
	}
	for k, v := range rec {
		if k == "time" || k == "_aws" {
			continue
		}
		out = append(out, k)
		walk(v)
	}
	return out
}
