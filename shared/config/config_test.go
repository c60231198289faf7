package config

import (
	"strings"
	"testing"
	"time"
)

func TestReadCommon(t *testing.T) {
	r := FromMap(map[string]string{PatientManagerVar: "http://127.0.0.1:3001", PatientTimeoutVar: "750ms"})
	c := ReadCommon(r)
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	if c.Table != DefaultTable || c.PatientManager != "http://127.0.0.1:3001" || c.PatientTimeout != 750*time.Millisecond {
		t.Fatalf("%+v", c)
	}
	if got := strings.Join(r.Names(), ","); got != TableVar+","+PatientManagerVar+","+PatientTimeoutVar {
		t.Fatalf("names read: %s", got)
	}
}

func TestErrorsNameEveryProblem(t *testing.T) {
	r := FromMap(map[string]string{PatientTimeoutVar: "soon", ExamKeyVar: "k", ExamKeyVar + SecretSuffix: "arn"})
	ReadCommon(r)
	r.Key(ExamKeyVar)
	r.Key(ResultKeyVar)
	err := r.Err()
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{PatientManagerVar + " is required", PatientTimeoutVar, "only one of " + ExamKeyVar, ResultKeyVar + " (or"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}

func TestURL(t *testing.T) {
	for _, bad := range []string{"127.0.0.1:3001", "ftp://x", "http://", "::"} {
		r := FromMap(map[string]string{PatientManagerVar: bad})
		r.URL(PatientManagerVar)
		if r.Err() == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
