package main

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"
	"sync"
)

// logCount counts the bytes of the JSON lines a function writes (its own
// log lines, audit lines and embedded-format metrics), by kind; the
// emulator's own lines, which are not JSON, are not counted. It also
// collects the metric and dimension sets the metrics lines publish.
type logCount struct {
	mu      sync.Mutex
	partial []byte
	bytes   map[string]int
	metrics map[string]bool
}

func newLogCount() *logCount { return &logCount{bytes: map[string]int{}, metrics: map[string]bool{}} }

func (c *logCount) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.partial = append(c.partial, p...)
	for {
		i := bytes.IndexByte(c.partial, '\n')
		if i < 0 {
			return len(p), nil
		}
		c.line(c.partial[:i+1])
		c.partial = c.partial[i+1:]
	}
}

// line counts one line, newline included, under its kind: the metrics
// lines ("metrics"), audit lines ("audit") and the others by message.
func (c *logCount) line(l []byte) {
	if !bytes.HasPrefix(l, []byte("{")) {
		return
	}
	var v struct {
		Msg   string `json:"msg"`
		Audit any    `json:"audit"`
		AWS   *struct {
			CloudWatchMetrics []struct {
				Dimensions [][]string `json:"Dimensions"`
				Metrics    []struct {
					Name string `json:"Name"`
				} `json:"Metrics"`
			} `json:"CloudWatchMetrics"`
		} `json:"_aws"`
	}
	kind := "unparsed"
	if json.Unmarshal(l, &v) == nil {
		switch {
		case v.AWS != nil:
			kind = "metrics"
			for _, d := range v.AWS.CloudWatchMetrics {
				for _, m := range d.Metrics {
					for _, dims := range d.Dimensions {
						c.metrics[m.Name+" by "+strings.Join(dims, ",")] = true
					}
				}
			}
		case v.Audit != nil:
			kind = "audit"
		default:
			kind = "log: " + v.Msg
		}
	}
	c.bytes[kind] += len(l)
}

// snapshot is the bytes by kind so far.
func (c *logCount) snapshot() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.bytes))
	for k, v := range c.bytes {
		out[k] = v
	}
	return out
}

// metricSets is every metric and dimension set seen, sorted.
func (c *logCount) metricSets() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for k := range c.metrics {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
