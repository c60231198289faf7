// Package s3post is what the local stack's S3 does with a browser's form
// upload (S3's POST Object): it reads the multipart/form-data form and checks
// its presigned policy as S3 does (signature with the local credentials,
// expiration, and every condition: bucket, exact key, content type, size),
// which neither gofakes3 nor moto does. docs/local.md lists what differs.
package s3post

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
)

// MaxFieldBytes bounds the form's fields before the file, as S3 does (20 KB).
const MaxFieldBytes = 20 << 10

// Form is an upload form as read: its fields (names lowercased, as S3 matches
// them) and the file, which is the last part and only read once the policy
// holds.
type Form struct {
	Fields map[string]string
	// File is the file part, positioned at its first byte; nil when the form has none.
	File io.Reader
}

// ErrMalformed is a body that is not a form S3 takes.
var ErrMalformed = errors.New("malformed POST form")

// ReadForm reads the fields of the multipart/form-data body of r up to the
// part named file, which is left unread in Form.File. Fields after the file
// are ignored (S3 ignores them too); a field given twice, a body that is not
// multipart/form-data or fields over MaxFieldBytes are ErrMalformed.
func ReadForm(contentType string, body io.Reader) (Form, error) {
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil || mediaType != "multipart/form-data" || params["boundary"] == "" {
		return Form{}, fmt.Errorf("%w: not multipart/form-data", ErrMalformed)
	}
	mr := multipart.NewReader(body, params["boundary"])
	f := Form{Fields: map[string]string{}}
	budget := int64(MaxFieldBytes)
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return f, nil
		}
		if err != nil {
			return Form{}, fmt.Errorf("%w: %v", ErrMalformed, err)
		}
		name := strings.ToLower(part.FormName())
		if name == "file" {
			f.File = part
			return f, nil
		}
		value, err := io.ReadAll(io.LimitReader(part, budget+1))
		if err != nil {
			return Form{}, fmt.Errorf("%w: %v", ErrMalformed, err)
		}
		budget -= int64(len(value))
		if budget < 0 {
			return Form{}, fmt.Errorf("%w: fields over %d bytes", ErrMalformed, MaxFieldBytes)
		}
		if _, twice := f.Fields[name]; twice || name == "" {
			return Form{}, fmt.Errorf("%w: field %q given twice or unnamed", ErrMalformed, name)
		}
		f.Fields[name] = string(value)
	}
}

// IsUpload reports whether r is a form upload to a bucket: a POST to
// /<bucket> (path-style) that is no other POST of the bucket (a multi-object
// delete, ?delete).
func IsUpload(r *http.Request) (bucket string, ok bool) {
	bucket = strings.TrimPrefix(r.URL.Path, "/")
	if r.Method != http.MethodPost || bucket == "" || strings.Contains(bucket, "/") || r.URL.Query().Has("delete") {
		return "", false
	}
	return bucket, true
}
