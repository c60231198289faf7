// Package config reads a function's configuration from its environment once per
// cold start. A Reader collects every problem, so that a misconfigured function
// stops with one clear message naming all of them, and remembers which
// variables were read, so that tests can hold the SAM template to the code.
package config

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// Reader reads variables from a lookup function (os.LookupEnv in production).
type Reader struct {
	lookup func(string) (string, bool)
	errs   []error
	read   []string
}

// New returns a Reader over lookup.
func New(lookup func(string) (string, bool)) *Reader { return &Reader{lookup: lookup} }

// FromEnv returns a Reader over the process environment.
func FromEnv() *Reader { return New(os.LookupEnv) }

// FromMap returns a Reader over m (tests, the local stack).
func FromMap(m map[string]string) *Reader {
	return New(func(k string) (string, bool) { v, ok := m[k]; return v, ok })
}

func (r *Reader) get(name string) (string, bool) {
	r.read = append(r.read, name)
	v, ok := r.lookup(name)
	v = strings.TrimSpace(v)
	return v, ok && v != ""
}

func (r *Reader) fail(format string, args ...any) {
	r.errs = append(r.errs, fmt.Errorf(format, args...))
}

// String returns the variable, or def when it is unset or empty.
func (r *Reader) String(name, def string) string {
	if v, ok := r.get(name); ok {
		return v
	}
	return def
}

// Required returns the variable and records an error when it is unset or empty.
func (r *Reader) Required(name string) string {
	v, ok := r.get(name)
	if !ok {
		r.fail("%s is required", name)
	}
	return v
}

// URL returns a required absolute http(s) URL.
func (r *Reader) URL(name string) string {
	v := r.Required(name)
	if v == "" {
		return ""
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		r.fail("%s must be an http(s) URL, got %q", name, v)
	}
	return v
}

// Duration returns a Go duration ("3s", "180h"), def when unset.
func (r *Reader) Duration(name string, def time.Duration) time.Duration {
	v, ok := r.get(name)
	if !ok {
		return def
	}
	d, err := parseDuration(v)
	if err != nil || d <= 0 {
		r.fail("%s must be a positive duration such as 3s, 4320h or 180d, got %q", name, v)
		return def
	}
	return d
}

// Names returns the variables read so far, in order.
func (r *Reader) Names() []string { return append([]string(nil), r.read...) }

// Err returns every problem found, or nil.
func (r *Reader) Err() error {
	if len(r.errs) == 0 {
		return nil
	}
	return fmt.Errorf("configuration: %w", errors.Join(r.errs...))
}

// Fail records a problem found by the caller (for example a key too short once resolved).
func (r *Reader) Fail(err error) { r.errs = append(r.errs, err) }

// parseDuration is time.ParseDuration, plus a whole number of days such as
// 180d (what a template can make of a parameter in days: it cannot multiply).
func parseDuration(v string) (time.Duration, error) {
	days, isDays := strings.CutSuffix(v, "d")
	if !isDays {
		return time.ParseDuration(v)
	}
	n, err := strconv.ParseUint(days, 10, 16)
	if err != nil || days[0] == '+' {
		return 0, errors.New("not a whole number of days")
	}
	return time.Duration(n) * 24 * time.Hour, nil
}
