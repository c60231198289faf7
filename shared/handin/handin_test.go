package handin

import (
	"slices"
	"testing"
	"time"
)

// TestMonths: the months an outcome looks in, from the key's to now's, at
// most MaxMonths, across a year's end; a key of a later month than now (a
// clock behind) is looked for in its own month.
func TestMonths(t *testing.T) {
	month := func(s string) time.Time { m, _ := time.Parse(monthLayout, s); return m }
	at := func(s string) time.Time { t, _ := time.Parse(time.RFC3339, s); return t }
	for _, tc := range []struct {
		issued string
		now    time.Time
		want   []string
	}{
		{"2026_12", at("2026-12-31T23:59:59Z"), []string{"2026_12"}},
		{"2026_12", at("2027-01-01T00:00:01Z"), []string{"2026_12", "2027_01"}},
		{"2026_11", at("2027-01-15T00:00:00Z"), []string{"2026_11", "2026_12", "2027_01"}},
		{"2026_11", at("2027-06-15T00:00:00Z"), []string{"2026_11", "2026_12", "2027_01"}},
		{"2027_02", at("2027-01-15T00:00:00Z"), []string{"2027_02"}},
		{"2026_12", at("2027-01-01T01:00:00-03:00"), []string{"2026_12", "2027_01"}},
	} {
		if got := months(month(tc.issued), tc.now); !slices.Equal(got, tc.want) {
			t.Errorf("issued %s, now %s: %v, want %v", tc.issued, tc.now, got, tc.want)
		}
	}
}
