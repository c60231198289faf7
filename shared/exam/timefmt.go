package exam

import "time"

// SortableTime is the fixed-width UTC layout stores use for timestamps, so that
// their string order is their time order (the listing index sorts on it).
const SortableTime = "2006-01-02T15:04:05.000000000Z"

// FormatSortable renders t in SortableTime; the zero time is "".
func FormatSortable(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(SortableTime)
}

// ParseSortable parses a SortableTime string; "" is the zero time.
func ParseSortable(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(SortableTime, s)
}
