package s3post

import (
	"bytes"
	"errors"
	"mime/multipart"
	"strings"
	"testing"
	"time"
)

// FuzzPostForm: any body and content type posted to the local S3 as a form:
// never a panic; a malformed form or one whose policy does not hold is
// refused with S3's code; a form is taken only with a key, a policy signed
// with the local credentials and not expired, and a size range within it.
func FuzzPostForm(f *testing.F) {
	form, _ := presigned(f, local, 5)
	now := form.ExpiresAt.Add(-time.Minute)
	valid := func(after string) []byte {
		var b bytes.Buffer
		w := multipart.NewWriter(&b)
		_ = w.SetBoundary("zmedboundary")
		for k, v := range form.Fields {
			_ = w.WriteField(k, v)
		}
		fw, _ := w.CreateFormFile("file", "laudo.pdf")
		_, _ = fw.Write([]byte("%PDF-" + after))
		_ = w.Close()
		return b.Bytes()
	}
	ctype := "multipart/form-data; boundary=zmedboundary"
	f.Add(ctype, valid(""))
	f.Add(ctype, valid("more bytes"))
	f.Add(ctype, bytes.Replace(valid(""), []byte("completed/"), []byte("processed/"), 1))
	f.Add("multipart/form-data", valid(""))
	f.Add("application/x-www-form-urlencoded", []byte("key=a&policy=b"))
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		fm, err := ReadForm(contentType, bytes.NewReader(body))
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("ReadForm: %v", err)
			}
			return
		}
		size, err := Check(fm, bucket, local, now)
		var ref *Refusal
		if err != nil {
			if !errors.As(err, &ref) || ref.Status < 400 || ref.Code == "" {
				t.Fatalf("Check: %v", err)
			}
			return
		}
		if fm.Fields["key"] == "" && !strings.Contains(string(body), `name="key"`) {
			t.Fatalf("taken without a key: %v", fm.Fields)
		}
		if checkSignature(fm, fm.Fields["policy"], local) != nil {
			t.Fatal("taken with a signature that does not verify")
		}
		if size.Min < 0 || size.Max < size.Min || size.Max > unbounded.Max {
			t.Fatalf("size range %+v", size)
		}
	})
}
