package s3post

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/handin/s3handin"
)

const (
	bucket = "zmed-exams-result"
	key    = "completed/2026_12/0b6f3c4e-5d1a-4c2b-9e8f-1a2b3c4d5e03-h5f0c2e9a7b3d41e8a6c9f1b2d4e6a8c0.pdf"
)

var local = Credentials{AccessKeyID: "local", SecretAccessKey: "local", Region: "us-east-1"}

// presigned is a form the production presigner signs with c for key, a PDF of size bytes.
func presigned(t testing.TB, c Credentials, size int64) (exam.UploadForm, Form) {
	t.Helper()
	client := s3.NewFromConfig(aws.Config{Region: c.Region, BaseEndpoint: aws.String("http://127.0.0.1:1"),
		Credentials: credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, "")},
		func(o *s3.Options) { o.UsePathStyle = true })
	form, err := s3handin.Presigner{S3: s3.NewPresignClient(client)}.PresignUpload(context.Background(), bucket, key, exam.DocumentPDF, size, 5*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	f := Form{Fields: map[string]string{}}
	for k, v := range form.Fields {
		f.Fields[strings.ToLower(k)] = v
	}
	return form, f
}

// TestCheckTakesTheProductionForm: the form the production presigner signs
// holds, for exactly its size, until it expires.
func TestCheckTakesTheProductionForm(t *testing.T) {
	form, f := presigned(t, local, 1234)
	if form.URL != "http://127.0.0.1:1/"+bucket || form.Fields["key"] != key || form.Fields["Content-Type"] != "application/pdf" {
		t.Fatalf("form %+v", form)
	}
	size, err := Check(f, bucket, local, form.ExpiresAt.Add(-time.Second))
	if err != nil || size != (Size{1234, 1234}) {
		t.Fatalf("size %+v, %v", size, err)
	}
}

// TestCheckRefusals: each change to a signed form, or a form used late, is
// refused with S3's code.
func TestCheckRefusals(t *testing.T) {
	form, _ := presigned(t, local, 1234)
	now := form.ExpiresAt.Add(-time.Minute)
	tamper := func(policy string) string {
		raw, _ := base64.StdEncoding.DecodeString(policy)
		raw = bytes.Replace(raw, []byte(`1234,1234`), []byte(`1234,99999999`), 1)
		return base64.StdEncoding.EncodeToString(raw)
	}
	for _, tc := range []struct {
		name   string
		change func(f Form)
		now    time.Time
		bucket string
		code   string
	}{
		{"another key", func(f Form) { f.Fields["key"] = strings.Replace(key, "5e03", "5e04", 1) }, now, bucket, "AccessDenied"},
		{"a key in another folder", func(f Form) { f.Fields["key"] = "processed/x.pdf" }, now, bucket, "AccessDenied"},
		{"another type", func(f Form) { f.Fields["content-type"] = "text/html" }, now, bucket, "AccessDenied"},
		{"no type", func(f Form) { delete(f.Fields, "content-type") }, now, bucket, "AccessDenied"},
		{"expired", func(Form) {}, form.ExpiresAt, bucket, "AccessDenied"},
		{"an hour late", func(Form) {}, form.ExpiresAt.Add(time.Hour), bucket, "AccessDenied"},
		{"a tampered policy", func(f Form) { f.Fields["policy"] = tamper(f.Fields["policy"]) }, now, bucket, "SignatureDoesNotMatch"},
		{"a tampered signature", func(f Form) { f.Fields["x-amz-signature"] = strings.Repeat("0", 64) }, now, bucket, "SignatureDoesNotMatch"},
		{"another bucket", func(Form) {}, now, "another-bucket", "AccessDenied"},
		{"a field the policy does not name", func(f Form) { f.Fields["x-amz-meta-exam-token"] = "Z1ABC" }, now, bucket, "AccessDenied"},
		{"a field to send elsewhere", func(f Form) { f.Fields["success_action_redirect"] = "https://example.com/" }, now, bucket, "AccessDenied"},
		{"no policy", func(f Form) { delete(f.Fields, "policy") }, now, bucket, "AccessDenied"},
		{"another access key", func(f Form) {
			f.Fields["x-amz-credential"] = strings.Replace(f.Fields["x-amz-credential"], "local/", "AKIAOTHER/", 1)
		}, now, bucket, "InvalidAccessKeyId"},
		{"another region", func(f Form) {
			f.Fields["x-amz-credential"] = strings.Replace(f.Fields["x-amz-credential"], "us-east-1", "sa-east-1", 1)
		}, now, bucket, "SignatureDoesNotMatch"},
		{"SigV2", func(f Form) { f.Fields["x-amz-algorithm"] = "AWS" }, now, bucket, "InvalidArgument"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, f := presigned(t, local, 1234)
			tc.change(f)
			_, err := Check(f, tc.bucket, local, tc.now)
			var ref *Refusal
			if !errors.As(err, &ref) || ref.Code != tc.code || ref.Status < 400 {
				t.Fatalf("got %v, want %s", err, tc.code)
			}
		})
	}
	t.Run("signed with other credentials", func(t *testing.T) {
		_, f := presigned(t, Credentials{AccessKeyID: "local", SecretAccessKey: "not-the-local-secret", Region: "us-east-1"}, 1234)
		if _, err := Check(f, bucket, local, now); err == nil || !strings.Contains(err.Error(), "SignatureDoesNotMatch") {
			t.Fatalf("got %v", err)
		}
	})
}

// body is a browser's multipart/form-data body: fields in order, the file last.
func body(t *testing.T, fields map[string]string, file []byte, after map[string]string) (string, *bytes.Buffer) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, v := range fields {
		_ = w.WriteField(k, v)
	}
	if file != nil {
		fw, _ := w.CreateFormFile("file", "laudo.pdf")
		_, _ = fw.Write(file)
	}
	for k, v := range after {
		_ = w.WriteField(k, v)
	}
	_ = w.Close()
	return w.FormDataContentType(), &b
}

// putRecorder stands for the S3 endpoint: it records the PutObject a form becomes.
type putRecorder struct {
	method, path, contentType string
	body                      []byte
}

func (p *putRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.method, p.path, p.contentType = r.Method, r.URL.Path, r.Header.Get("Content-Type")
	p.body, _ = io.ReadAll(r.Body)
	w.Header().Set("ETag", `"abc"`)
	w.Header().Set("x-amz-version-id", "v1")
	w.WriteHeader(http.StatusOK)
}

const console = "http://127.0.0.1:3999"

func handler(next http.Handler, now time.Time) Handler {
	return Handler{Next: next, Credentials: local, Now: func() time.Time { return now }, Origin: func() string { return console }}
}

// TestHandlerStoresTheFormAsItsPutObject: a form whose policy holds becomes
// the PutObject of exactly its key, type and bytes, answered as S3 does, with
// the CORS header for the console's origin only; fields after the file are
// ignored.
func TestHandlerStoresTheFormAsItsPutObject(t *testing.T) {
	form, _ := presigned(t, local, 5)
	for _, origin := range []string{console, "https://evil.example", ""} {
		next := &putRecorder{}
		ctype, b := body(t, form.Fields, []byte("%PDF-"), map[string]string{"key": "processed/late.pdf"})
		req := httptest.NewRequest(http.MethodPost, "/"+bucket, b)
		req.Header.Set("Content-Type", ctype)
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		rec := httptest.NewRecorder()
		handler(next, form.ExpiresAt.Add(-time.Minute)).ServeHTTP(rec, req)
		if rec.Code != http.StatusNoContent || rec.Header().Get("ETag") != `"abc"` || rec.Header().Get("x-amz-version-id") != "v1" {
			t.Fatalf("%d %v %s", rec.Code, rec.Header(), rec.Body)
		}
		if next.method != http.MethodPut || next.path != "/"+bucket+"/"+key || next.contentType != "application/pdf" || string(next.body) != "%PDF-" {
			t.Fatalf("stored %+v", next)
		}
		want := ""
		if origin == console {
			want = console
		}
		if got := rec.Header().Get("Access-Control-Allow-Origin"); got != want {
			t.Fatalf("origin %q: Access-Control-Allow-Origin %q", origin, got)
		}
	}
}

// TestHandlerRefusesWhatThePolicyDoesNot: a file of another size, a form
// without a file or not a form, and nothing is stored.
func TestHandlerRefusesWhatThePolicyDoesNot(t *testing.T) {
	form, _ := presigned(t, local, 5)
	for _, tc := range []struct {
		name   string
		file   []byte
		ctype  string
		status int
		code   string
	}{
		{"a larger file", []byte("%PDF-1.7"), "", 400, "EntityTooLarge"},
		{"a smaller file", []byte("%PD"), "", 400, "EntityTooSmall"},
		{"no file", nil, "", 400, "InvalidArgument"},
		{"not a form", []byte("%PDF-"), "application/pdf", 400, "MalformedPOSTRequest"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			next := &putRecorder{}
			ctype, b := body(t, form.Fields, tc.file, nil)
			if tc.ctype != "" {
				ctype = tc.ctype
			}
			req := httptest.NewRequest(http.MethodPost, "/"+bucket, b)
			req.Header.Set("Content-Type", ctype)
			rec := httptest.NewRecorder()
			handler(next, form.ExpiresAt.Add(-time.Minute)).ServeHTTP(rec, req)
			if rec.Code != tc.status || !strings.Contains(rec.Body.String(), "<Code>"+tc.code+"</Code>") || next.method != "" {
				t.Fatalf("%d %s; stored %+v", rec.Code, rec.Body, next)
			}
		})
	}
	t.Run("expired", func(t *testing.T) {
		next := &putRecorder{}
		ctype, b := body(t, form.Fields, []byte("%PDF-"), nil)
		req := httptest.NewRequest(http.MethodPost, "/"+bucket, b)
		req.Header.Set("Content-Type", ctype)
		rec := httptest.NewRecorder()
		handler(next, form.ExpiresAt.Add(time.Second)).ServeHTTP(rec, req)
		if rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), "Policy expired") || next.method != "" {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
	})
}

// TestHandlerCORS: the preflight allows POST from the console's origin only;
// other requests go to the S3 endpoint untouched.
func TestHandlerCORS(t *testing.T) {
	for _, tc := range []struct {
		origin, method, headers string
		status                  int
	}{
		{console, "POST", "", 200},
		{console, "PUT", "", 403},
		{console, "POST", "x-amz-meta-exam-token", 403},
		{"https://evil.example", "POST", "", 403},
		{"", "POST", "", 403},
	} {
		req := httptest.NewRequest(http.MethodOptions, "/"+bucket, nil)
		if tc.origin != "" {
			req.Header.Set("Origin", tc.origin)
		}
		req.Header.Set("Access-Control-Request-Method", tc.method)
		if tc.headers != "" {
			req.Header.Set("Access-Control-Request-Headers", tc.headers)
		}
		rec := httptest.NewRecorder()
		handler(&putRecorder{}, time.Now()).ServeHTTP(rec, req)
		allowed := rec.Header().Get("Access-Control-Allow-Origin")
		if rec.Code != tc.status || (tc.status == 200) != (allowed == console) {
			t.Errorf("%+v: %d, allow origin %q", tc, rec.Code, allowed)
		}
	}
	next := &putRecorder{}
	req := httptest.NewRequest(http.MethodPut, "/"+bucket+"/completed/x.pdf", strings.NewReader("x"))
	handler(next, time.Now()).ServeHTTP(httptest.NewRecorder(), req)
	if next.method != http.MethodPut || next.path != "/"+bucket+"/completed/x.pdf" {
		t.Fatalf("a PutObject reached the endpoint as %+v", next)
	}
}

// TestReadFormRefusesAFieldTwiceAndTooManyBytes.
func TestReadFormRefusals(t *testing.T) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	_ = w.WriteField("key", "a")
	_ = w.WriteField("KEY", "b")
	_ = w.Close()
	if _, err := ReadForm(w.FormDataContentType(), &b); !errors.Is(err, ErrMalformed) {
		t.Fatalf("a field twice: %v", err)
	}
	b.Reset()
	w = multipart.NewWriter(&b)
	_ = w.WriteField("x-ignore-pad", strings.Repeat("x", MaxFieldBytes+1))
	_ = w.Close()
	if _, err := ReadForm(w.FormDataContentType(), &b); !errors.Is(err, ErrMalformed) {
		t.Fatalf("fields over the limit: %v", err)
	}
}
