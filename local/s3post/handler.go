package s3post

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// MaxLocalFile is the largest file the local stack reads from a form whose
// policy sets no size range (S3 would take up to 5 GiB).
const MaxLocalFile = 100 << 20

// Handler serves S3's POST Object in front of an S3 endpoint that does not
// check POST policies: a form whose policy holds is stored through Next as
// the PutObject it stands for (so Next's own behaviour, the upload's event
// included, applies), and answered as S3 does (204, ETag, Location); any
// other form is refused with S3's error. Every other request goes to Next.
// It also answers for the bucket's CORS rule: POST from Origin only.
type Handler struct {
	Next        http.Handler
	Credentials Credentials
	Now         func() time.Time
	// Origin is the only origin whose pages may POST (the console's), as the
	// bucket's CORS rule allows it; "" allows none.
	Origin func() string
}

func (h Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodOptions {
		h.preflight(w, r)
		return
	}
	bucket, ok := IsUpload(r)
	if !ok {
		h.Next.ServeHTTP(w, r)
		return
	}
	if origin := r.Header.Get("Origin"); origin != "" && origin == h.Origin() {
		w.Header().Set("Access-Control-Allow-Origin", origin)
	}
	w.Header().Add("Vary", "Origin")
	if err := h.upload(w, r, bucket); err != nil {
		writeRefusal(w, err)
	}
}

// preflight answers a CORS preflight: POST from the allowed origin, with no
// request headers beyond the simple ones a form sends.
func (h Handler) preflight(w http.ResponseWriter, r *http.Request) {
	origin := r.Header.Get("Origin")
	w.Header().Add("Vary", "Origin")
	if origin == "" || origin != h.Origin() || r.Header.Get("Access-Control-Request-Method") != http.MethodPost ||
		r.Header.Get("Access-Control-Request-Headers") != "" {
		writeRefusal(w, refused(http.StatusForbidden, "AccessForbidden", "CORSResponse: This CORS request is not allowed."))
		return
	}
	w.Header().Set("Access-Control-Allow-Origin", origin)
	w.Header().Set("Access-Control-Allow-Methods", http.MethodPost)
	w.Header().Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusOK)
}

func (h Handler) upload(w http.ResponseWriter, r *http.Request, bucket string) error {
	f, err := ReadForm(r.Header.Get("Content-Type"), r.Body)
	if err != nil {
		return refused(http.StatusBadRequest, "MalformedPOSTRequest", "The body of your POST request is not well-formed multipart/form-data.")
	}
	size, err := Check(f, bucket, h.Credentials, h.Now())
	if err != nil {
		return err
	}
	if f.File == nil {
		return refused(http.StatusBadRequest, "InvalidArgument", "POST requires exactly one file upload per request.")
	}
	limit := min(size.Max, MaxLocalFile)
	body, err := io.ReadAll(io.LimitReader(f.File, limit+1))
	switch {
	case err != nil:
		return refused(http.StatusBadRequest, "IncompleteBody", "The request body ended before the file did.")
	case int64(len(body)) > limit:
		return refused(http.StatusBadRequest, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size")
	case int64(len(body)) < size.Min:
		return refused(http.StatusBadRequest, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size")
	}
	key := f.Fields["key"]
	put := &http.Request{Method: http.MethodPut, URL: &url.URL{Path: "/" + bucket + "/" + key}, Header: http.Header{},
		Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)), Host: r.Host}
	put = put.WithContext(r.Context())
	put.Header.Set("Content-Length", strconv.Itoa(len(body)))
	for name, value := range f.Fields {
		if name == "content-type" || strings.HasPrefix(name, "x-amz-meta-") || name == "cache-control" ||
			name == "content-disposition" || name == "content-encoding" {
			put.Header.Set(name, value)
		}
	}
	rec := &recorder{header: http.Header{}, status: http.StatusOK}
	h.Next.ServeHTTP(rec, put)
	if rec.status != http.StatusOK {
		return refused(rec.status, "InternalError", "the local S3 refused the upload: %s", strings.TrimSpace(rec.body.String()))
	}
	for _, name := range []string{"ETag", "x-amz-version-id"} {
		if v := rec.header.Get(name); v != "" {
			w.Header().Set(name, v)
		}
	}
	w.Header().Set("Location", "/"+bucket+"/"+url.PathEscape(key))
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// recorder keeps what Next answered to the PutObject.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }
func (r *recorder) WriteHeader(status int)      { r.status = status }

func writeRefusal(w http.ResponseWriter, err error) {
	var ref *Refusal
	if !errors.As(err, &ref) {
		ref = refused(http.StatusInternalServerError, "InternalError", "%v", err)
	}
	body, _ := xml.Marshal(struct {
		XMLName xml.Name `xml:"Error"`
		Code    string
		Message string
	}{Code: ref.Code, Message: ref.Message})
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(ref.Status)
	_, _ = fmt.Fprintf(w, "%s%s", xml.Header, body)
}
