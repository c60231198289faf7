package resultfiling

import (
	"crypto/sha256"
	"encoding/hex"
)

// SourceKeyDigest names the key a filed object was uploaded at, whatever its
// version: every filed copy carries it (the user metadata zmed-source-key),
// so that the copy of an upload is told from any other object under the same
// name, renamed or not, by who knows only the key (the desk's hand-in
// outcome). 128 bits of SHA-256, in hex.
func SourceKeyDigest(bucket, key string) string {
	sum := sha256.Sum256([]byte("zmed source key\x00" + bucket + "/" + key))
	return hex.EncodeToString(sum[:16])
}
