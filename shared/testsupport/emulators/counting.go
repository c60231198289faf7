package emulators

import (
	"io"
	"net/http"
	"sync/atomic"
)

// CountingTransport counts the response body bytes an HTTP client reads, so a
// test can prove how much of an object was read.
type CountingTransport struct {
	Next  http.RoundTripper
	Bytes *atomic.Int64
}

// RoundTrip wraps the response body.
func (c CountingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := c.Next.RoundTrip(r)
	if err == nil {
		resp.Body = countingBody{resp.Body, c.Bytes}
	}
	return resp, err
}

type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}
