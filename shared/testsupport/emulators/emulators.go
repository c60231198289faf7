// Package emulators starts in-process, real-protocol stand-ins for AWS services
// on loopback (minidyn for DynamoDB, gofakes3 for S3) and SDK configurations
// pointed at them. Tests and the local stack use it; no Lambda links it.
package emulators

import (
	"context"
	"errors"
	"hash/crc32"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/johannesboyne/gofakes3"
	miniserver "github.com/truora/minidyn/server"
)

// Region is the region every emulator pretends to be in.
const Region = "us-east-1"

// The credentials of every local client: the local S3 checks POST policies signed with them.
const (
	AccessKeyID     = "local"
	SecretAccessKey = "local"
)

// Server is an HTTP emulator listening on loopback.
type Server struct {
	URL  string
	http *http.Server
	done chan struct{}
}

// Serve serves h on addr (e.g. "127.0.0.1:0" for any free port).
func Serve(addr string, h http.Handler) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := &Server{
		URL:  "http://" + ln.Addr().String(),
		http: &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second},
		done: make(chan struct{}),
	}
	go func() {
		defer close(s.done)
		_ = s.http.Serve(ln) // ends with ErrServerClosed on Close
	}()
	return s, nil
}

// Close stops the server: in-flight requests get a second to finish, then
// whatever is left (say, a large body nobody reads any more) is cut.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := s.http.Shutdown(ctx); err != nil {
		_ = s.http.Close()
	}
	<-s.done
	return nil
}

// DynamoDB returns an empty DynamoDB-protocol handler.
func DynamoDB() http.Handler { return withCRC32{miniserver.NewServer()} }

// withCRC32 adds the X-Amz-Crc32 header DynamoDB puts on every response and
// minidyn leaves out; the SDK checks it (and warns when it is missing).
type withCRC32 struct{ next http.Handler }

func (h withCRC32) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := httptest.NewRecorder()
	h.next.ServeHTTP(rec, r)
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	body := rec.Body.Bytes()
	w.Header().Set("X-Amz-Crc32", strconv.FormatUint(uint64(crc32.ChecksumIEEE(body)), 10))
	w.WriteHeader(rec.Code)
	_, _ = w.Write(body)
}

// S3 returns an empty S3-protocol handler (gofakes3 on S3Backend, which keeps
// object versions) and the backend, so a caller can observe or pre-fill
// buckets. CopyObject is served by versionedCopy, as S3 does it.
func S3() (http.Handler, *S3Backend) {
	backend := NewS3Backend()
	// S3Backend enforces S3's own metadata limit; gofakes3's counts request headers too.
	fake := gofakes3.New(backend, gofakes3.WithAutoBucket(false), gofakes3.WithMetadataSizeLimit(0)).Server()
	return versionedCopy(fake, backend), backend
}

// ConditionalCopy adds to an S3 endpoint what S3 does and neither gofakes3 nor
// moto does: a CopyObject with If-None-Match: * fails with 412 when the
// destination exists. Check and copy are serialised, so two such copies cannot
// both succeed. exists reports whether bucket holds key.
func ConditionalCopy(next http.Handler, exists func(bucket, key string) (bool, error)) http.Handler {
	var mu sync.Mutex
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPut || r.Header.Get("X-Amz-Copy-Source") == "" || r.Header.Get("If-None-Match") != "*" {
			next.ServeHTTP(w, r)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		found, err := exists(bucket, key)
		switch {
		case err != nil:
			http.Error(w, err.Error(), http.StatusBadGateway)
		case found:
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusPreconditionFailed)
			_, _ = w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>PreconditionFailed</Code>` +
				`<Message>At least one of the pre-conditions you specified did not hold</Message><Condition>If-None-Match</Condition></Error>`))
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// S3Proxy serves an S3 endpoint at upstream (moto) through ConditionalCopy.
func S3Proxy(upstream string) (http.Handler, error) {
	target, err := url.Parse(upstream)
	if err != nil {
		return nil, err
	}
	client := s3.NewFromConfig(Config(upstream), func(o *s3.Options) { o.UsePathStyle = true })
	exists := func(bucket, key string) (bool, error) {
		_, err := client.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: &bucket, Key: &key})
		var notFound *s3types.NotFound
		if errors.As(err, &notFound) {
			return false, nil
		}
		return err == nil, err
	}
	return ConditionalCopy(httputil.NewSingleHostReverseProxy(target), exists), nil
}

// Config returns an SDK configuration that sends every service to endpoint
// with static credentials, as the SDK would with AWS_ENDPOINT_URL set.
func Config(endpoint string) aws.Config {
	return aws.Config{
		Region:                     Region,
		Credentials:                credentials.NewStaticCredentialsProvider(AccessKeyID, SecretAccessKey, ""),
		BaseEndpoint:               aws.String(endpoint),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	}
}
