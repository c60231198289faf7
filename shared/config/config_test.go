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

// TestDurationInDays: a duration is Go's, or a whole number of days (what the
// template makes of a parameter in days); anything else is refused.
func TestDurationInDays(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want time.Duration
	}{
		{"4320h", 4320 * time.Hour},
		{"180d", 180 * 24 * time.Hour},
		{"1d", 24 * time.Hour},
		{"0d", 0},
		{"-1d", 0},
		{"+1d", 0},
		{"1.5d", 0},
		{"d", 0},
		{"99999d", 0},
		{"3 d", 0},
	} {
		r := FromMap(map[string]string{ExamTokenTTLVar: tt.in})
		got := r.Duration(ExamTokenTTLVar, 0)
		if got != tt.want || (r.Err() == nil) != (tt.want != 0) {
			t.Errorf("%q: %v, %v; want %v", tt.in, got, r.Err(), tt.want)
		}
	}
}
