// Package emftest reads back the CloudWatch Embedded Metric Format metrics of
// JSON log lines as CloudWatch Logs would extract them, so that tests check
// what CloudWatch would publish, not how the code wrote it.
package emftest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Point is one extracted value: namespace, metric name, unit, its dimensions
// (name → value) and value.
type Point struct {
	Namespace, Name, Unit string
	Dimensions            map[string]string
	Value                 float64
}

// Key is name{Dim=value,...}, dimensions sorted, for comparing in tests;
// the Stage every point carries is left out (Read checks it is there).
func (p Point) Key() string {
	names := make([]string, 0, len(p.Dimensions))
	for n := range p.Dimensions {
		if n != "Stage" {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = n + "=" + p.Dimensions[n]
	}
	return p.Name + "{" + strings.Join(parts, ",") + "}"
}

// directive is EMF's _aws member.
type directive struct {
	Timestamp         *int64 `json:"Timestamp"`
	CloudWatchMetrics []struct {
		Namespace  string     `json:"Namespace"`
		Dimensions [][]string `json:"Dimensions"`
		Metrics    []struct {
			Name string `json:"Name"`
			Unit string `json:"Unit"`
		} `json:"Metrics"`
	} `json:"CloudWatchMetrics"`
}

// Read extracts the points of every line of logs that carries an _aws member,
// failing on one CloudWatch would reject (no timestamp, a dimension or a
// metric without its member, a value that is not a number).
func Read(logs []byte) ([]Point, error) {
	var points []Point
	sc := bufio.NewScanner(bytes.NewReader(logs))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var rec map[string]json.RawMessage
		if err := json.Unmarshal(line, &rec); err != nil {
			return nil, fmt.Errorf("not JSON: %q", line)
		}
		raw, ok := rec["_aws"]
		if !ok {
			continue
		}
		var d directive
		if err := json.Unmarshal(raw, &d); err != nil {
			return nil, fmt.Errorf("_aws: %v in %s", err, line)
		}
		if d.Timestamp == nil || *d.Timestamp <= 0 {
			return nil, fmt.Errorf("_aws without a Timestamp: %s", line)
		}
		for _, cw := range d.CloudWatchMetrics {
			dims, err := dimensionSets(rec, cw.Dimensions)
			if err != nil {
				return nil, fmt.Errorf("%v: %s", err, line)
			}
			for _, m := range cw.Metrics {
				var v float64
				if err := json.Unmarshal(rec[m.Name], &v); err != nil {
					return nil, fmt.Errorf("metric %s is not a number member: %s", m.Name, line)
				}
				points = append(points, Point{cw.Namespace, m.Name, m.Unit, dims, v})
			}
		}
	}
	return points, sc.Err()
}

// Sums adds the values of the points by Key.
func Sums(points []Point) map[string]float64 {
	out := map[string]float64{}
	for _, p := range points {
		out[p.Key()] += p.Value
	}
	return out
}

// dimensionSets checks that a metric is published under exactly one
// dimension set, Stage then its documented dimensions, and returns its values.
func dimensionSets(rec map[string]json.RawMessage, sets [][]string) (map[string]string, error) {
	if len(sets) != 1 {
		return nil, fmt.Errorf("%d dimension sets, want one: Stage and the documented ones", len(sets))
	}
	staged := sets[0]
	if len(staged) == 0 || staged[0] != "Stage" || slices.Contains(staged[1:], "Stage") {
		return nil, fmt.Errorf("dimension set %v: want Stage, then the documented ones", staged)
	}
	dims := map[string]string{}
	for _, n := range staged {
		var v string
		if err := json.Unmarshal(rec[n], &v); err != nil || v == "" {
			return nil, fmt.Errorf("dimension %s is not a string member", n)
		}
		dims[n] = v
	}
	return dims, nil
}
