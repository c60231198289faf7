// Package emulators starts in-process, real-protocol stand-ins for AWS services
// on loopback (minidyn for DynamoDB, gofakes3 for S3) and SDK configurations
// pointed at them. Tests and the local stack use it; no Lambda links it.
package emulators

import (
	"context"
	"net"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	miniserver "github.com/truora/minidyn/server"
)

// Region is the region every emulator pretends to be in.
const Region = "us-east-1"

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

// Close stops the server and waits for it.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := s.http.Shutdown(ctx)
	<-s.done
	return err
}

// DynamoDB returns an empty DynamoDB-protocol handler.
func DynamoDB() http.Handler { return miniserver.NewServer() }

// S3 returns an empty S3-protocol handler (memory backend) and the backend,
// so a caller can observe or pre-fill buckets.
func S3() (http.Handler, gofakes3.Backend) {
	backend := s3mem.New()
	return gofakes3.New(backend, gofakes3.WithAutoBucket(false)).Server(), backend
}

// Config returns an SDK configuration that sends every service to endpoint
// with static credentials, as the SDK would with AWS_ENDPOINT_URL set.
func Config(endpoint string) aws.Config {
	return aws.Config{
		Region:                     Region,
		Credentials:                credentials.NewStaticCredentialsProvider("local", "local", ""),
		BaseEndpoint:               aws.String(endpoint),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	}
}
