package emulators

import (
	"encoding/xml"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/johannesboyne/gofakes3"
)

// versionedCopy serves CopyObject on backend as S3 does, which gofakes3 does
// not: the source's versionId, If-None-Match: * on the destination,
// x-amz-copy-source-if-match, and a REPLACE directive that replaces the
// metadata (gofakes3 merges the source's in); all atomically. It also keeps
// on an upload the system headers gofakes3 drops (Content-Language,
// Cache-Control, Expires). Every other request goes to next.
func versionedCopy(next http.Handler, backend *S3Backend) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		source := r.Header.Get("X-Amz-Copy-Source")
		if r.Method != http.MethodPut || r.URL.Query().Has("partNumber") {
			next.ServeHTTP(w, r)
			return
		}
		if source == "" {
			for _, h := range []string{"Content-Language", "Cache-Control", "Expires"} {
				if v := r.Header.Get(h); v != "" {
					r.Header.Set(keptHeaderPrefix+h, v)
				}
			}
			next.ServeHTTP(w, r)
			return
		}
		c, err := parseCopy(r, source)
		if err == nil {
			err = backend.copyObject(c)
		}
		if err != nil {
			writeS3Error(w, err)
			return
		}
		if c.srcVersionReported != "" {
			w.Header().Set("x-amz-copy-source-version-id", string(c.srcVersionReported))
		}
		if c.dstVersionReported != "" {
			w.Header().Set("x-amz-version-id", string(c.dstVersionReported))
		}
		w.Header().Set("Content-Type", "application/xml")
		_ = xml.NewEncoder(w).Encode(gofakes3.CopyObjectResult{ETag: c.resultETag, LastModified: gofakes3.NewContentTime(c.resultLastModified)})
	})
}

// parseCopy reads a CopyObject request (path-style addressing).
func parseCopy(r *http.Request, source string) (*copyRequest, error) {
	c := &copyRequest{
		ifNoneMatchAny: r.Header.Get("If-None-Match") == "*",
		srcIfMatch:     r.Header.Get("X-Amz-Copy-Source-If-Match"),
		replaceMeta:    strings.EqualFold(r.Header.Get("X-Amz-Metadata-Directive"), "REPLACE"),
		meta:           map[string]string{},
	}
	c.dstBucket, c.dstKey, _ = strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	path, query, _ := strings.Cut(source, "?")
	if query != "" {
		q, err := url.ParseQuery(query)
		if err != nil {
			return nil, gofakes3.ErrorMessage(gofakes3.ErrInvalidArgument, "malformed x-amz-copy-source")
		}
		if v := q.Get("versionId"); v != "null" {
			c.srcVersion = gofakes3.VersionID(v)
		}
	}
	decoded, err := url.PathUnescape(strings.TrimPrefix(path, "/"))
	if err != nil {
		return nil, gofakes3.ErrorMessage(gofakes3.ErrInvalidArgument, "malformed x-amz-copy-source")
	}
	var ok bool
	if c.srcBucket, c.srcKey, ok = strings.Cut(decoded, "/"); !ok || c.srcKey == "" || c.dstKey == "" {
		return nil, gofakes3.ErrorMessage(gofakes3.ErrInvalidArgument, "x-amz-copy-source must name a bucket and a key")
	}
	if len(c.dstKey) > gofakes3.KeySizeLimit {
		return nil, gofakes3.ResourceError(gofakes3.ErrKeyTooLong, c.dstKey)
	}
	for k, v := range r.Header {
		if k = http.CanonicalHeaderKey(k); strings.HasPrefix(k, "X-Amz-Meta-") || contains(storedHeaders, k) {
			c.meta[k] = v[0]
		}
	}
	return c, nil
}

// writeS3Error writes err as S3 does: its status and an XML error document.
func writeS3Error(w http.ResponseWriter, err error) {
	code, message := gofakes3.ErrInternal, err.Error()
	var s3err gofakes3.Error
	if errors.As(err, &s3err) {
		code = s3err.ErrorCode()
	}
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(code.Status())
	_ = xml.NewEncoder(w).Encode(struct {
		XMLName xml.Name `xml:"Error"`
		Code    string   `xml:"Code"`
		Message string   `xml:"Message"`
	}{Code: string(code), Message: message})
}
