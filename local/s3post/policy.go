package s3post

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Refusal is S3's answer to a form it refuses: status, code and message.
type Refusal struct {
	Status        int
	Code, Message string
}

func (r *Refusal) Error() string { return r.Code + ": " + r.Message }

func refused(status int, code, format string, args ...any) *Refusal {
	return &Refusal{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

func policyFailed(format string, args ...any) *Refusal {
	return refused(http.StatusForbidden, "AccessDenied", "Invalid according to Policy: "+format, args...)
}

// Credentials are the local S3's only credentials and region.
type Credentials struct {
	AccessKeyID, SecretAccessKey, Region string
}

// Size is the range of file sizes a policy allows.
type Size struct{ Min, Max int64 }

// unbounded is the range of a policy without content-length-range: S3's
// largest single upload (5 GiB); the local stack reads a file within
// MaxLocalFile only.
var unbounded = Size{0, 5 << 30}

// Check checks the form's policy as S3 does for a POST to bucket, at now: the
// SigV4 signature of the policy with c, its expiration, every condition held
// by the fields (bucket against the URL's), and no field left without a
// condition. It returns the file sizes the policy allows.
func Check(f Form, bucket string, c Credentials, now time.Time) (Size, error) {
	policy, ok := f.Fields["policy"]
	if !ok {
		return Size{}, refused(http.StatusForbidden, "AccessDenied", "Bucket POST must contain a policy (the bucket is not public)")
	}
	if err := checkSignature(f, policy, c); err != nil {
		return Size{}, err
	}
	raw, err := base64.StdEncoding.DecodeString(policy)
	if err != nil {
		return Size{}, refused(http.StatusBadRequest, "InvalidPolicyDocument", "Invalid Policy: not base64")
	}
	var doc struct {
		Expiration *string           `json:"expiration"`
		Conditions []json.RawMessage `json:"conditions"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil || doc.Expiration == nil {
		return Size{}, refused(http.StatusBadRequest, "InvalidPolicyDocument", "Invalid Policy: not a JSON policy with an expiration")
	}
	expires, err := time.Parse(time.RFC3339Nano, *doc.Expiration)
	if err != nil {
		return Size{}, refused(http.StatusBadRequest, "InvalidPolicyDocument", "Invalid Policy: Invalid 'expiration' value")
	}
	if !now.Before(expires) {
		return Size{}, policyFailed("Policy expired.")
	}
	size, covered := unbounded, map[string]bool{}
	for _, cond := range doc.Conditions {
		if err := checkCondition(f, bucket, cond, covered, &size); err != nil {
			return Size{}, err
		}
	}
	for name := range f.Fields {
		if !covered[name] && name != "policy" && name != "x-amz-signature" && !strings.HasPrefix(name, "x-ignore-") {
			return Size{}, policyFailed("Extra input fields: %s", name)
		}
	}
	if _, ok := f.Fields["key"]; !ok {
		return Size{}, refused(http.StatusBadRequest, "InvalidArgument", "Bucket POST must contain a field named 'key'.")
	}
	return size, nil
}

// checkSignature checks the form's SigV4 fields: the algorithm, a credential
// of the local key, region and s3 on the form's date, and the signature of
// the policy as S3 computes it.
func checkSignature(f Form, policy string, c Credentials) error {
	if f.Fields["x-amz-algorithm"] != "AWS4-HMAC-SHA256" {
		return refused(http.StatusBadRequest, "InvalidArgument", "Only AWS4-HMAC-SHA256 signed forms are taken")
	}
	date := f.Fields["x-amz-date"]
	scope := strings.Split(f.Fields["x-amz-credential"], "/")
	switch {
	case len(scope) != 5 || len(date) != len("20060102T150405Z"):
		return refused(http.StatusBadRequest, "InvalidArgument", "Malformed x-amz-credential or x-amz-date")
	case scope[0] != c.AccessKeyID:
		return refused(http.StatusForbidden, "InvalidAccessKeyId", "The access key id does not exist in our records.")
	case scope[1] != date[:8] || scope[2] != c.Region || scope[3] != "s3" || scope[4] != "aws4_request":
		return refused(http.StatusForbidden, "SignatureDoesNotMatch", "The credential's scope is not this date, region and service")
	}
	key := []byte("AWS4" + c.SecretAccessKey)
	for _, part := range scope[1:] {
		key = hmacSHA256(key, part)
	}
	want := hex.EncodeToString(hmacSHA256(key, policy))
	if !hmac.Equal([]byte(want), []byte(f.Fields["x-amz-signature"])) {
		return refused(http.StatusForbidden, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.")
	}
	return nil
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// checkCondition checks one condition: {"name": "value"}, ["eq", "$name",
// "value"], ["starts-with", "$name", "prefix"] or ["content-length-range",
// min, max]; it marks the fields it covers and narrows size.
func checkCondition(f Form, bucket string, raw json.RawMessage, covered map[string]bool, size *Size) error {
	invalid := refused(http.StatusBadRequest, "InvalidPolicyDocument", "Invalid Policy: Invalid Condition")
	var exact map[string]string
	if err := json.Unmarshal(raw, &exact); err == nil {
		if len(exact) != 1 {
			return invalid
		}
		var name, want string
		for name, want = range exact {
		}
		return match(f, bucket, "eq", strings.ToLower(name), want, covered)
	}
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil || len(list) != 3 {
		return invalid
	}
	var op string
	if err := json.Unmarshal(list[0], &op); err != nil {
		return invalid
	}
	if strings.ToLower(op) == "content-length-range" {
		var lo, hi int64
		if json.Unmarshal(list[1], &lo) != nil || json.Unmarshal(list[2], &hi) != nil || lo < 0 || hi < lo {
			return invalid
		}
		size.Min, size.Max = max(size.Min, lo), min(size.Max, hi)
		return nil
	}
	var name, want string
	if json.Unmarshal(list[1], &name) != nil || json.Unmarshal(list[2], &want) != nil || !strings.HasPrefix(name, "$") {
		return invalid
	}
	op = strings.ToLower(op)
	if op != "eq" && op != "starts-with" {
		return invalid
	}
	return match(f, bucket, op, strings.ToLower(strings.TrimPrefix(name, "$")), want, covered)
}

// match checks the field name (the URL's bucket for "bucket") against want.
func match(f Form, bucket, op, name, want string, covered map[string]bool) error {
	got, ok := f.Fields[name]
	if name == "bucket" {
		got, ok = bucket, true
	}
	covered[name] = true
	held := ok && got == want
	if op == "starts-with" {
		held = ok && strings.HasPrefix(got, want)
	}
	if !held {
		return policyFailed("Policy Condition failed: [%q, \"$%s\", %q]", op, name, want)
	}
	return nil
}
