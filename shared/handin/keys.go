// Package handin is the results bucket as the front desk sees it: the upload
// forms of results handed in on paper, and where each upload was filed. It
// names the hand-in keys and knows how process-result files them
// (shared/resultfiling); its ports to S3 are small interfaces that
// s3handin implements.
package handin

import (
	"crypto/rand"
	"encoding/hex"
	"path"
	"regexp"
	"strings"
	"time"

	"github.com/zmed/exam-manager/shared/exam"
)

// A hand-in key is <completed>/YYYY_MM/<exam_id>-h<32 hex digits>.<ext>: the
// month it was issued, the exam it is for and 128 random bits, so that no two
// hand-ins share a file name and the filed copy keeps a name of its own.
var baseName = regexp.MustCompile(`^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})-h[0-9a-f]{32}\.(pdf|jpg|png)$`)

// Key is a new hand-in key for examID, of type t, issued at now.
func Key(completed, examID string, t exam.DocumentType, now time.Time) string {
	var nonce [16]byte
	_, _ = rand.Read(nonce[:]) // never fails (crypto/rand)
	return strings.TrimSuffix(completed, "/") + "/" + now.UTC().Format(monthLayout) + "/" + examID + "-h" + hex.EncodeToString(nonce[:]) + t.Ext()
}

const monthLayout = "2006_01"

// parsedKey is a hand-in key taken apart.
type parsedKey struct {
	month time.Time // the month it was issued
	base  string    // its file name
}

// parseKey takes key apart if it is a hand-in key of examID under completed.
func parseKey(completed, examID, key string) (parsedKey, bool) {
	rest, ok := strings.CutPrefix(key, strings.TrimSuffix(completed, "/")+"/")
	if !ok {
		return parsedKey{}, false
	}
	month, base, ok := strings.Cut(rest, "/")
	if !ok {
		return parsedKey{}, false
	}
	m := baseName.FindStringSubmatch(base)
	if m == nil || m[1] != strings.ToLower(examID) {
		return parsedKey{}, false
	}
	at, err := time.Parse(monthLayout, month)
	if err != nil || at.Format(monthLayout) != month {
		return parsedKey{}, false
	}
	return parsedKey{month: at, base: base}, true
}

// renamedName reports whether name is base as the filing renames it on a
// taken name: <stem>-<12 hex digits>.<ext> (shared/s3results).
func renamedName(name, base string) bool {
	ext := path.Ext(base)
	suffix, ok := strings.CutPrefix(name, strings.TrimSuffix(base, ext)+"-")
	if !ok || !strings.HasSuffix(suffix, ext) {
		return false
	}
	digest := strings.TrimSuffix(suffix, ext)
	if len(digest) != 12 {
		return false
	}
	_, err := hex.DecodeString(digest)
	return err == nil && strings.ToLower(digest) == digest
}
