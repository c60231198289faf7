package emulators

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
)

// LostAnswer is an endpoint that takes each request whole and then cuts the
// connection without answering: what a client sees when a service accepted
// its request and the answer was lost on the way back.
type LostAnswer struct {
	URL      string
	srv      *httptest.Server
	received atomic.Int32
}

// NewLostAnswer starts a LostAnswer on loopback; Close stops it.
func NewLostAnswer() *LostAnswer {
	l := &LostAnswer{}
	l.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		l.received.Add(1)
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			panic(err) // an HTTP/1 test server can always hijack
		}
		_ = conn.Close()
	}))
	l.URL = l.srv.URL
	return l
}

// Received is how many requests arrived whole.
func (l *LostAnswer) Received() int { return int(l.received.Load()) }

// Close stops the endpoint.
func (l *LostAnswer) Close() { l.srv.Close() }
