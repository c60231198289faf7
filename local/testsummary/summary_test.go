package main

import (
	"strings"
	"testing"
)

const mod = "github.com/zmed/exam-manager/"

func TestSummary(t *testing.T) {
	for _, tt := range []struct {
		name     string
		events   string
		ok       bool
		want     []string // lines or fragments the summary must print
		dontWant []string
	}{
		{
			name: "all pass",
			events: `{"Action":"start","Package":"` + mod + `shared/dynamostore"}
{"Action":"run","Package":"` + mod + `shared/dynamostore","Test":"TestContract"}
{"Action":"output","Package":"` + mod + `shared/dynamostore","Test":"TestContract","Output":"=== RUN   TestContract\n"}
{"Action":"run","Package":"` + mod + `shared/dynamostore","Test":"TestContract/backend=moto"}
{"Action":"output","Package":"` + mod + `shared/dynamostore","Test":"TestContract/backend=moto","Output":"    moto said something\n"}
{"Action":"pass","Package":"` + mod + `shared/dynamostore","Test":"TestContract/backend=moto","Elapsed":1.5}
{"Action":"pass","Package":"` + mod + `shared/dynamostore","Test":"TestContract","Elapsed":1.6}
{"Action":"skip","Package":"` + mod + `shared/dynamostore","Test":"TestNeedsDocker","Elapsed":0}
{"Action":"pass","Package":"` + mod + `shared/dynamostore","Elapsed":2.0}
{"Action":"output","Package":"` + mod + `shared/boot","Output":"?   \tgithub.com/zmed/exam-manager/shared/boot\t[no test files]\n"}
{"Action":"skip","Package":"` + mod + `shared/boot","Elapsed":0}
`,
			ok: true,
			want: []string{
				"  PASS  shared/dynamostore",
				"Contract suites by backend:",
				"  PASS  TestContract/backend=moto",
				"tests: 2 passed, 0 failed, 1 skipped",
			},
			dontWant: []string{"moto said something", "shared/boot", "--- FAIL"},
		},
		{
			name: "a failed subtest shows its own output, once",
			events: `{"Action":"run","Package":"` + mod + `shared/dynamostore","Test":"TestContract/backend=moto/concurrent"}
{"Action":"output","Package":"` + mod + `shared/dynamostore","Test":"TestContract/backend=moto/concurrent","Output":"    storetest.go:306: 2 won\n"}
{"Action":"fail","Package":"` + mod + `shared/dynamostore","Test":"TestContract/backend=moto/concurrent","Elapsed":0.4}
{"Action":"fail","Package":"` + mod + `shared/dynamostore","Test":"TestContract/backend=moto","Elapsed":0.5}
{"Action":"pass","Package":"` + mod + `shared/dynamostore","Test":"TestOther","Elapsed":0.1}
{"Action":"output","Package":"` + mod + `shared/dynamostore","Output":"FAIL\n"}
{"Action":"fail","Package":"` + mod + `shared/dynamostore","Elapsed":1}
`,
			ok: false,
			want: []string{
				"--- FAIL: shared/dynamostore TestContract/backend=moto/concurrent",
				"storetest.go:306: 2 won",
				"  FAIL  TestContract/backend=moto",
				"  FAIL  shared/dynamostore",
				"tests: 1 passed, 2 failed, 0 skipped",
			},
		},
		{
			name: "a package that does not build",
			events: `{"ImportPath":"` + mod + `shared/exam [` + mod + `shared/exam.test]","Action":"build-output","Output":"shared/exam/start.go:12:2: undefined: x\n"}
{"ImportPath":"` + mod + `shared/exam [` + mod + `shared/exam.test]","Action":"build-fail"}
{"Action":"start","Package":"` + mod + `shared/exam"}
{"Action":"output","Package":"` + mod + `shared/exam","Output":"FAIL\tgithub.com/zmed/exam-manager/shared/exam [build failed]\n"}
{"Action":"fail","Package":"` + mod + `shared/exam","Elapsed":0,"FailedBuild":"` + mod + `shared/exam [` + mod + `shared/exam.test]"}
`,
			ok:   false,
			want: []string{"undefined: x", "[build failed]", "  FAIL  shared/exam", "tests: 0 passed, 0 failed, 0 skipped"},
		},
		{
			name: "a package that fails outside any test (a panic in TestMain, a race after the tests)",
			events: `{"Action":"pass","Package":"` + mod + `local/stack","Test":"TestA","Elapsed":0.1}
{"Action":"output","Package":"` + mod + `local/stack","Output":"panic: boom\n"}
{"Action":"fail","Package":"` + mod + `local/stack","Elapsed":1}
`,
			ok:   false,
			want: []string{"--- FAIL: local/stack\n    panic: boom", "tests: 1 passed, 0 failed, 0 skipped"},
		},
		{
			name:   "lines that are not events are shown",
			events: "go: downloading example.com/x v1.0.0\n",
			ok:     true,
			want:   []string{"go: downloading example.com/x v1.0.0"},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out strings.Builder
			s, err := read(strings.NewReader(tt.events), &out)
			if err != nil {
				t.Fatal(err)
			}
			s.print(&out)
			if s.ok() != tt.ok {
				t.Errorf("ok = %v, want %v", s.ok(), tt.ok)
			}
			for _, w := range tt.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("summary lacks %q:\n%s", w, out.String())
				}
			}
			for _, w := range tt.dontWant {
				if strings.Contains(out.String(), w) {
					t.Errorf("summary has %q:\n%s", w, out.String())
				}
			}
			if n := strings.Count(out.String(), "storetest.go:306"); n > 1 {
				t.Errorf("a failure's output printed %d times", n)
			}
		})
	}
}
