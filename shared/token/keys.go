package token

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/zmed/exam-manager/shared/base64url"
	"github.com/zmed/exam-manager/shared/labelcode"
	"github.com/zmed/exam-manager/shared/strictjson"
)

// Key is one signing key with its ids: ID goes into a JWT's kid header, Label
// (three bits) into a label code, so a verifier picks the key that made a
// token, and can tell a key it does not know yet (one a rotation made).
type Key struct {
	ID     string
	Label  uint8
	Secret []byte
}

// newKeyLen is the size of the keys a rotation makes: HS256's output size.
const newKeyLen = 32

// kidPattern bounds a key id: a short header, printable, and never a JSON escape.
var kidPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// ErrKeyFormat: a secret value that is neither form of a key.
var ErrKeyFormat = errors.New(`token key: not a key, nor {"kid":"…","key":"<base64url>"}`)

// storedKey is a rotated secret's value: the key id and the key, unpadded base64url.
type storedKey struct {
	ID  string `json:"kid"`
	Key string `json:"key"`
}

// ParseKey reads a secret's value in either form: the JSON object a rotation
// writes, or the key itself as text (a secret generated at deploy and never
// rotated since, and every key given locally), whose id is derived from it.
// Either must be at least MinKeyLen bytes.
func ParseKey(value string) (Key, error) {
	if !strings.HasPrefix(value, "{") {
		return PlainKey([]byte(value))
	}
	var s storedKey
	if err := strictjson.Unmarshal([]byte(value), &s); err != nil || !kidPattern.MatchString(s.ID) {
		return Key{}, ErrKeyFormat
	}
	secret, err := base64url.Decode(s.Key)
	if err != nil {
		return Key{}, ErrKeyFormat
	}
	if err := CheckKey(secret); err != nil {
		return Key{}, err
	}
	return Key{ID: s.ID, Label: labelcode.KeyID(secret), Secret: secret}, nil
}

// PlainKey is a key given as its bytes. Its id is a keyed digest of it, so
// every holder of the key names it alike and the id tells nothing of the key.
func PlainKey(secret []byte) (Key, error) {
	if err := CheckKey(secret); err != nil {
		return Key{}, err
	}
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("zmed-exam-manager key id"))
	return Key{ID: "p" + hex.EncodeToString(m.Sum(nil)[:6]), Label: labelcode.KeyID(secret), Secret: secret}, nil
}

// Value is the key's secret value in the JSON form ParseKey reads.
func (k Key) Value() string {
	b, _ := json.Marshal(storedKey{ID: k.ID, Key: base64url.Encode(k.Secret)}) // strings only: never an error
	return string(b)
}

// NewKey makes a random key whose label id is none of those of keep (the keys
// still in use), so that every key a verifier may meet has its own label id,
// and whose id is none of theirs.
func NewKey(keep ...Key) (Key, error) {
	taken := func(k Key) bool {
		for _, old := range keep {
			if old.Label == k.Label || old.ID == k.ID {
				return true
			}
		}
		return false
	}
	labels := map[uint8]bool{}
	for _, k := range keep {
		labels[k.Label] = true
	}
	if len(labels) >= 1<<labelcode.KeyIDBits {
		return Key{}, errors.New("token key: no label id left")
	}
	for {
		secret, id := make([]byte, newKeyLen), make([]byte, 8)
		if _, err := rand.Read(secret); err != nil {
			return Key{}, fmt.Errorf("token key: %w", err)
		}
		if _, err := rand.Read(id); err != nil {
			return Key{}, fmt.Errorf("token key: %w", err)
		}
		k := Key{ID: "k" + hex.EncodeToString(id), Label: labelcode.KeyID(secret), Secret: secret}
		if !taken(k) {
			return k, nil
		}
	}
}
