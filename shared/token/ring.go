package token

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// KeySource reads one kind's keys afresh: the current key first, then the
// previous one if any.
type KeySource func(ctx context.Context) ([]Key, error)

// ReloadInterval is the least time between two readings of a ring: a token
// naming an unknown key id costs at most one reading a minute, whoever sends it.
const ReloadInterval = time.Minute

// reloadTimeout bounds a reading made while verifying: the verifier's callers
// hand it no context, and a reading is rare (an unknown key id, once a minute
// at most), so it gets a deadline of its own, well inside any function's timeout.
const reloadTimeout = 5 * time.Second

// ring is one kind's keys, re-read from source (when there is one) on a key
// id it lacks.
type ring struct {
	name   string
	source KeySource // nil: the keys never change
	now    func() time.Time
	other  *ring // the other kind's keys, which no key of this ring may be

	mu       sync.Mutex // guards keys and lastRead
	keys     []Key
	lastRead time.Time // of a re-reading; zero before the first

	reading sync.Mutex // one re-reading at a time; the others wait for its keys
}

// snapshot returns the ring's keys as they are now.
func (r *ring) snapshot() []Key {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.keys
}

// find returns the ring's keys that match; when none does, it reads the ring
// again (at most once per ReloadInterval) and looks once more.
func (r *ring) find(match func(Key) bool) []Key {
	if keys := filter(r.snapshot(), match); len(keys) > 0 || r.source == nil {
		return keys
	}
	r.reading.Lock()
	defer r.reading.Unlock()
	if keys := filter(r.snapshot(), match); len(keys) > 0 { // read by another caller meanwhile
		return keys
	}
	r.mu.Lock()
	now := r.now()
	due := r.lastRead.IsZero() || now.Sub(r.lastRead) >= ReloadInterval
	if due {
		r.lastRead = now
	}
	r.mu.Unlock()
	if !due {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), reloadTimeout)
	defer cancel()
	keys, err := r.source(ctx)
	if err == nil {
		err = r.valid(keys)
	}
	if err != nil {
		slog.Warn("token keys: reading them again failed; the keys held are kept", "keys", r.name, "error", err.Error())
		return nil
	}
	r.mu.Lock()
	r.keys = keys
	r.mu.Unlock()
	slog.Info("token keys read again: a token named a key id this start did not know", "keys", r.name, "count", len(keys))
	return filter(keys, match)
}

// valid checks a ring's keys: at least one, each long enough, none a key of the other kind.
func (r *ring) valid(keys []Key) error {
	if len(keys) == 0 {
		return fmt.Errorf("%s: none given", r.name)
	}
	var others []Key
	if r.other != nil {
		others = r.other.snapshot()
	}
	for _, k := range keys {
		if err := CheckKey(k.Secret); err != nil {
			return fmt.Errorf("%s: %w", r.name, err)
		}
		for _, o := range others {
			if string(o.Secret) == string(k.Secret) {
				return errors.New("the exam and result token keys must differ")
			}
		}
	}
	return nil
}

// jwtKey is the jwt key function: the key a token's kid names (re-reading the
// ring once when none has it), or, for a token without kid (signed before key
// ids were written), every key of the ring.
func (r *ring) jwtKey(t *jwt.Token) (any, error) {
	kid, named := t.Header["kid"]
	if !named {
		var set jwt.VerificationKeySet
		for _, k := range r.snapshot() {
			set.Keys = append(set.Keys, k.Secret)
		}
		return set, nil
	}
	id, ok := kid.(string)
	if !ok {
		return nil, errors.New("kid is not a string")
	}
	keys := r.find(func(k Key) bool { return k.ID == id })
	if len(keys) == 0 {
		return nil, errors.New("no key has the token's kid")
	}
	return keys[0].Secret, nil
}

func filter(keys []Key, match func(Key) bool) []Key {
	var out []Key
	for _, k := range keys {
		if match(k) {
			out = append(out, k)
		}
	}
	return out
}
